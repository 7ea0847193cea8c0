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
            Examples:
              consult stakeholders --sector government
              consult stakeholders --kind person --sector startup
              consult stakeholders --as-of 2023-06-30 --recorded-as-of 2024-01-01T09:00:00+09:00

            Each stakeholder is shown as it stood on --as-of DATE (default: today, local time): its name, \
            title and sector with the changes dated after it not made yet, the statements and requests made \
            at consultations held by then, and the commitments it made or owns, outstanding and overdue on \
            that date. --recorded-as-of TIME is what the tracker knew then: events recorded after it are \
            ignored, corrections and retractions included. The two combine. --sector is the sector in force \
            on the date.
            """)

    @Option(
        help: ArgumentHelp(
            "Only stakeholders in this sector (\(EventSchema.sectors.joined(separator: ", "))).", valueName: "sector"),
        completion: .list(EventSchema.sectors))
    var sector: String?
    @Option(
        help: ArgumentHelp("Only persons or only organizations (person, organization).", valueName: "kind"),
        completion: .list(StakeholdersQuery.kinds))
    var kind: String?
    @Option(name: .customLong("as-of"), help: "The date to answer for (YYYY-MM-DD; default today).")
    var asOf: String?
    @Option(
        name: .customLong("recorded-as-of"), help: "Answer with what was recorded by this time (RFC 3339 or a date).")
    var recordedAsOf: String?
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var listing: ListOptions

    func validate() throws {
        try ChoiceValue.check(sector, option: "--sector", noun: "a sector", allowed: EventSchema.sectors)
        try ChoiceValue.check(kind, option: "--kind", noun: "a kind of stakeholder", allowed: StakeholdersQuery.kinds)
    }

    func run() async throws {
        var query = StakeholdersQuery()
        query.sector = sector
        query.kind = kind
        query.asOf = asOf
        query.recordedAsOf = recordedAsOf
        try query.validate(names: OptionNames.cli)
        let read = try await connection.openForReading()
        let answer = try await query.run(read, names: OptionNames.cli)
        let (rows, date) = (answer.rows, answer.date)
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
                output.format,
                emptyMessage: sector == nil && kind == nil
                    ? "No stakeholders are recorded." : "No stakeholders match.",
                caption: RecordList.caption(on: date, recordedAsOf: recordedAsOf))
        }
    }
}
