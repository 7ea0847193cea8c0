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
        var query = ConsultationsQuery()
        query.asOf = asOf
        query.recordedAsOf = recordedAsOf
        try query.validate(names: OptionNames.cli)
        let read = try await connection.openForReading()
        let answer = try await query.run(read, names: OptionNames.cli)
        let (rows, date) = (answer.rows, answer.date)
        var list = RecordList(
            keys: ConsultationRow.keys,
            tableColumns: [
                ("DATE", "days"), ("CONSULTATION", "consultationId"), ("KIND", "kind"), ("TITLE", "title"),
                ("PARTICIPANTS", "participantCount"), ("STATEMENTS", "statements"), ("REQUESTS", "requests"),
                ("COMMITMENTS", "commitments"),
            ])
        for row in rows {
            list.append(
                row.json, tableExtras: ["participantCount": String(row.participants.count), "days": row.days ?? ""])
        }
        await listing.show(list, output: output, noun: "consultations") {
            $0.render(
                output.format, emptyMessage: "No consultations are recorded.",
                caption: RecordList.caption(on: date, recordedAsOf: recordedAsOf))
        }
    }
}
