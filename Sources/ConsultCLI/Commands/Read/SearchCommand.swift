import ArgumentParser
import ConsultCore
import ConsultDomain
import Foundation
import Projections

/// `consult search TEXT`: where a word appears.
struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Find TEXT in names, titles, summaries and quotes (substring, any case; Korean works).",
        discussion: """
            Examples:
              consult search 인재
              consult search GPU --kind commitment
              consult search 데이터 --topic data
              consult search AI --limit 5

            The table shows where TEXT is, in brackets, with the words around it: a long text is cut on \
            either side (…앞부분 [인재] 뒷부분…) so that the match stays in view. JSON and CSV give the whole \
            matching field in `text`.

            --kind keeps one kind of record: \(SearchHit.kinds.joined(separator: ", ")). --topic keeps the \
            statements, requests and commitments that carry the topic, and the consultations at which one of \
            them was recorded; stakeholders have no topics, so --topic leaves them out.
            """)

    @Argument(help: "The text to look for.") var text: String
    @Option(
        help: ArgumentHelp("Only this kind of record (\(SearchHit.kinds.joined(separator: ", "))).", valueName: "kind"),
        completion: .list(SearchHit.kinds))
    var kind: String?
    @Option(
        help: ArgumentHelp(
            "Only statements, requests and commitments with this topic, and the consultations where one was "
                + "recorded.",
            valueName: "topic"))
    var topic: String?
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var listing: ListOptions

    func validate() throws {
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw ValidationError("Give some text to search for.")
        }
        try ChoiceValue.check(kind, option: "--kind", noun: "a kind of record", allowed: SearchHit.kinds)
        if let topic, topic.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw ValidationError("--topic needs a topic, like talent or compute.")
        }
        if topic != nil, kind == "stakeholder" {
            throw ValidationError("--topic with --kind stakeholder can never match: stakeholders have no topics.")
        }
    }

    func run() async throws {
        var query = SearchQuery()
        query.text = text
        query.kind = kind
        query.topic = topic
        try query.validate(names: OptionNames.cli)
        let read = try await connection.openForReading()
        let hits = try await query.run(read, names: OptionNames.cli).rows
        var list = RecordList(
            keys: SearchHit.keys,
            tableColumns: [
                ("KIND", "kind"), ("ID", "id"), ("FIELD", "field"), ("CONSULTATION", "consultationId"),
                ("TEXT", "text"),
            ])
        for hit in hits {
            let match = hit.match.map { range in
                hit.text.distance(
                    from: hit.text.startIndex, to: range.lowerBound)..<hit.text.distance(
                        from: hit.text.startIndex, to: range.upperBound)
            }
            list.append(hit.json, tableMatches: match.map { ["text": $0] } ?? [:])
        }
        await listing.show(list, output: output, noun: "matches") {
            $0.render(output.format, emptyMessage: "Nothing contains \"\(text)\"\(filtered).")
        }
    }

    /// ` among commitments with topic data`, for the empty message.
    var filtered: String {
        (kind.map { " among \($0)s" } ?? "") + (topic.map { " with topic \($0)" } ?? "")
    }
}
