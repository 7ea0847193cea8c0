import ArgumentParser
import ConsultDomain

/// `consult log statement`: what a participant said at a consultation (`StatementRecorded`).
struct LogStatementCommand: LogKindCommand {
    static let configuration = CommandConfiguration(
        commandName: "statement",
        abstract: "Record what a participant said at a consultation (StatementRecorded).",
        usage:
            "consult log statement [<options>] --consultation-id <id> --statement-id <id> --speaker-id <id> --summary <text>",
        discussion: """
            The summary is in your own words; --quote keeps a short quote (at most 1,000 characters). The \
            consultation and the speaker must be recorded already.

            Example (on the sample dataset, after `consult demo`; try it with --dry-run): a further remark by \
            Wrtn's CEO at the third AI strategy dialogue:

              consult log statement --consultation-id ai-strategy-dialogue-3 \\
                --statement-id dialogue-3-example-remark --speaker-id lee-se-young \\
                --summary '(예시) 국내 AI 서비스 기업의 해외 진출 지원을 언급' \\
                --quote '해외 진출' --topic global
            """)
    static let eventType = EventType.statementRecorded

    @Option(help: ArgumentHelp("The consultation it was said at.", valueName: "id"))
    var consultationId: String?

    @Option(help: ArgumentHelp("The statement's id, a slug.", valueName: "id"))
    var statementId: String?

    @Option(help: ArgumentHelp("Who said it (a stakeholder id).", valueName: "id"))
    var speakerId: String?

    @Option(help: ArgumentHelp("What was said, in your own words (1–2,000 characters).", valueName: "text"))
    var summary: String?

    @Option(help: ArgumentHelp("A short quote (at most 1,000 characters).", valueName: "text"))
    var quote: String?

    @Option(help: ArgumentHelp("A topic tag (e.g. talent, data, compute); repeatable.", valueName: "tag"))
    var topic: [String] = []

    @Option(
        help: ArgumentHelp(
            "The day it was said, within the consultation's days (YYYY-MM-DD); default: its first day.",
            valueName: "date"))
    var on: String?

    @OptionGroup var options: LogEventOptions
    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        try Self.requireFlags([
            ("--consultation-id", consultationId != nil),
            ("--statement-id", statementId != nil),
            ("--speaker-id", speakerId != nil),
            ("--summary", summary != nil),
        ])
    }

    func run() async throws { try await record() }

    func eventData() -> JSONObject {
        var data = JSONObject()
        data["consultationId"] = .string(consultationId ?? "")
        data["statementId"] = .string(statementId ?? "")
        data["speakerId"] = .string(speakerId ?? "")
        data["summary"] = .string(summary ?? "")
        data["topics"] = .strings(topic)
        data["on"] = on.map(JSONValue.string)
        data["quote"] = quote.map(JSONValue.string)
        return data
    }

    /// `statement X by choi-jae-sik is on record in consultation Y (topics: talent, global)`.
    func consequence(streamID: String) -> String {
        let topics = topic.isEmpty ? "" : " (topics: \(topic.joined(separator: ", ")))"
        return
            "statement \(statementId ?? "") by \(speakerId ?? "") is on record in consultation \(consultationId ?? "")\(topics)"
    }
}
