import ArgumentParser
import ConsultCore
import ConsultDomain
import Projections

/// `consult stakeholders`: who is on record, and what each said, asked and promised.
struct StakeholdersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stakeholders",
        abstract: "List stakeholders with their statements, requests and commitments.",
        discussion: """
            Outstanding and overdue count the commitments a stakeholder made or owns, on --as-of (default today).
            """)

    @Option(name: .customLong("as-of"), help: "The date outstanding and overdue are counted on (YYYY-MM-DD).")
    var asOf: String?
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var listing: ListOptions

    func run() async throws {
        let date = try TimeArguments.date(asOf, option: "--as-of")
        let read = try await connection.openForReading()
        let rows = try await read.model.stakeholders(on: date)
        var list = RecordList(
            keys: StakeholderRow.keys,
            tableColumns: [
                ("STAKEHOLDER", "stakeholderId"), ("NAME", "name"), ("SECTOR", "sector"), ("TITLE", "title"),
                ("STATEMENTS", "statements"), ("REQUESTS", "requests"), ("MADE", "commitmentsMade"),
                ("OWNED", "commitmentsOwned"), ("OUTSTANDING", "outstanding"), ("OVERDUE", "overdue"),
            ])
        for row in rows {
            list.append(row.json)
        }
        await listing.show(list, output: output, noun: "stakeholders") {
            $0.render(
                output.format, emptyMessage: "No stakeholders are recorded.", caption: RecordList.caption(on: date))
        }
    }
}
