import ArgumentParser
import ConsultCore
import ConsultDomain
import Projections

/// `consult consultations`: the timeline of consultations.
struct ConsultationsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consultations",
        abstract: "List consultations in date order, with participants and what was recorded of each.")

    @Option(name: .customLong("as-of"), help: "The date to answer for (YYYY-MM-DD; default today).")
    var asOf: String?
    @Option(
        name: .customLong("recorded-as-of"), help: "Answer with what was recorded by this time (RFC 3339 or a date).")
    var recordedAsOf: String?
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var listing: ListOptions

    func run() async throws {
        let date = try TimeArguments.date(asOf, option: "--as-of")
        let recorded = try TimeArguments.instant(recordedAsOf, option: "--recorded-as-of")
        let read = try await connection.openForReading()
        let rows = try await read.model.consultations(on: date, recordedAsOf: recorded)
        var list = RecordList(
            keys: ConsultationRow.keys,
            tableColumns: [
                ("DATE", "date"), ("CONSULTATION", "consultationId"), ("KIND", "kind"), ("TITLE", "title"),
                ("PARTICIPANTS", "participantCount"), ("STATEMENTS", "statements"), ("REQUESTS", "requests"),
                ("COMMITMENTS", "commitments"),
            ])
        for row in rows {
            list.append(row.json, tableExtras: ["participantCount": String(row.participants.count)])
        }
        await listing.show(list, output: output, noun: "consultations") {
            $0.render(
                output.format, emptyMessage: "No consultations are recorded.",
                caption: RecordList.caption(on: date, recordedAsOf: recordedAsOf))
        }
    }
}
