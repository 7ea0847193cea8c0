import ArgumentParser
import ConsultDomain

/// `consult log request`: an ask or recommendation made to one or more organizations
/// (`RequestMade`).
struct LogRequestCommand: LogKindCommand {
    static let configuration = CommandConfiguration(
        commandName: "request",
        abstract: "Record a request or recommendation made to one or more stakeholders (RequestMade).",
        usage:
            "consult log request [<options>] --consultation-id <id> --request-id <id> --requester-id <id> --addressed-to-id <id> ... --summary <text>",
        discussion: """
            Name whom it is addressed to with --addressed-to-id (at least one). The request stays unanswered \
            until an answer (`consult log answer`) or a commitment responding to it is recorded.

            Example (on the sample dataset, after `consult demo`; try it with --dry-run): a further request \
            made to the ministry at the third AI strategy dialogue:

              consult log request --consultation-id ai-strategy-dialogue-3 \\
                --request-id dialogue-3-example-request \\
                --requester-id baek-sang-yeop --addressed-to-id msit \\
                --summary '(예시) 공공 데이터 개방 확대를 요청' --topic data
            """)
    static let eventType = EventType.requestMade

    @Option(help: ArgumentHelp("The consultation it was made at.", valueName: "id"))
    var consultationId: String?

    @Option(help: ArgumentHelp("The request's id, a slug.", valueName: "id"))
    var requestId: String?

    @Option(help: ArgumentHelp("Who asked (a stakeholder id).", valueName: "id"))
    var requesterId: String?

    @Option(help: ArgumentHelp("Whom it is addressed to; at least one, repeatable.", valueName: "id"))
    var addressedToId: [String] = []

    @Option(help: ArgumentHelp("What was asked, in your own words (1–2,000 characters).", valueName: "text"))
    var summary: String?

    @Option(help: ArgumentHelp("A topic tag (e.g. data, funding); repeatable.", valueName: "tag"))
    var topic: [String] = []

    @Option(
        help: ArgumentHelp(
            "The day it was made, within the consultation's days (YYYY-MM-DD); default: its first day.",
            valueName: "date"))
    var on: String?

    @OptionGroup var options: LogEventOptions
    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        try Self.requireFlags([
            ("--consultation-id", consultationId != nil),
            ("--request-id", requestId != nil),
            ("--requester-id", requesterId != nil),
            ("--addressed-to-id", !addressedToId.isEmpty),
            ("--summary", summary != nil),
        ])
    }

    func run() async throws { try await record() }

    func eventData() -> JSONObject {
        var data = JSONObject()
        data["consultationId"] = .string(consultationId ?? "")
        data["requestId"] = .string(requestId ?? "")
        data["requesterId"] = .string(requesterId ?? "")
        data["addressedToIds"] = .strings(addressedToId)
        data["summary"] = .string(summary ?? "")
        data["topics"] = .strings(topic)
        data["on"] = on.map(JSONValue.string)
        return data
    }

    /// `request X from yoon-seok-won to msit awaits an answer`.
    func consequence(streamID: String) -> String {
        "request \(requestId ?? "") from \(requesterId ?? "") to \(Self.list(addressedToId)) awaits an answer"
    }
}
