import ArgumentParser
import ConsultCore
import ConsultDomain
import Projections

/// `consult requests`: what was asked of whom, and whether it got an answer.
struct RequestsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "requests",
        abstract: "List requests with their answers and the commitments that respond to them.",
        discussion: """
            A request is unanswered when it has no answer and no commitment responds to it.

            Examples:
              consult requests --unanswered
              consult requests --to msit --topic compute
              consult requests --unanswered --limit 10 --format json
            """)

    @Flag(help: "Only requests with no answer and no responding commitment.") var unanswered = false
    @Option(help: "Only requests addressed to this stakeholder id.") var to: String?
    @Option(help: "Only requests with this topic.") var topic: String?
    @Option(name: .customLong("as-of"), help: "The date to answer for (YYYY-MM-DD; default today).")
    var asOf: String?
    @Option(
        name: .customLong("recorded-as-of"), help: "Answer with what was recorded by this time (RFC 3339 or a date).")
    var recordedAsOf: String?
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var listing: ListOptions

    func run() async throws {
        // The same use case as the web API's, with the options' spellings in its messages.
        var query = RequestsQuery()
        query.unanswered = unanswered
        query.to = to
        query.topic = topic
        query.asOf = asOf
        query.recordedAsOf = recordedAsOf
        try query.validate(names: OptionNames.cli)
        let read = try await connection.openForReading()
        let answer = try await query.run(read, names: OptionNames.cli)
        let (rows, date) = (answer.rows, answer.date)
        var list = RecordList(
            keys: RequestRow.keys,
            tableColumns: [
                ("REQUEST", "requestId"), ("BY", "requesterId"), ("TO", "addressedToIds"), ("ANSWER", "answer"),
                ("COMMITMENTS", "commitmentIds"), ("SUMMARY", "summary"),
            ])
        for row in rows {
            let last = row.answers.last?.objectValue
            let answer =
                last.map { "\($0["outcome"]?.stringValue ?? "") (\($0["on"]?.stringValue ?? ""))" }
                ?? (row.commitmentIDs.isEmpty ? "unanswered" : "")
            list.append(row.json, tableExtras: ["answer": answer])
        }
        await listing.show(list, output: output, noun: "requests") {
            $0.render(
                output.format, emptyMessage: "No requests match.",
                caption: RecordList.caption(on: date, recordedAsOf: recordedAsOf))
        }
    }
}
