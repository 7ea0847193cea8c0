import ArgumentParser
import ConsultDomain

/// `consult log commitment`: a promise made on behalf of an owner organization (`CommitmentMade`).
struct LogCommitmentCommand: LogKindCommand {
    static let configuration = CommandConfiguration(
        commandName: "commitment",
        abstract: "Record a commitment made at a consultation, with its owner and due date (CommitmentMade).",
        usage:
            "consult log commitment [<options>] --commitment-id <id> --consultation-id <id> --made-by-id <id> --owner-id <id> --summary <text>",
        discussion: """
            --made-by-id is who spoke, --owner-id the organization that must deliver. --due is a day \
            (2023-03-31), a month (2023-03: by its end) or a year (2025: by its end); --due-text keeps the \
            words used. Link the requests it answers with --responds-to-request-id.

            Example (a hypothetical further promise at the third AI strategy dialogue, on the sample dataset; \
            try it with --dry-run after `consult demo`):

              consult log commitment --commitment-id msit-example-vouchers-2023 \\
                --consultation-id ai-strategy-dialogue-3 \\
                --made-by-id lee-jong-ho --owner-id msit \\
                --summary '(예시) 엔지니어 바우처 지원 방안을 마련하겠다' \\
                --topic talent --due 2023-06 --due-text '상반기 중' \\
                --responds-to-request-id dialogue-3-engineers-vouchers
            """)
    static let eventType = EventType.commitmentMade

    @Option(help: ArgumentHelp("The commitment's id, a slug.", valueName: "id"))
    var commitmentId: String?

    @Option(help: ArgumentHelp("The consultation it was made at.", valueName: "id"))
    var consultationId: String?

    @Option(help: ArgumentHelp("Who made it (a stakeholder id).", valueName: "id"))
    var madeById: String?

    @Option(help: ArgumentHelp("The organization that must deliver it.", valueName: "id"))
    var ownerId: String?

    @Option(help: ArgumentHelp("What was promised, in your own words (1–2,000 characters).", valueName: "text"))
    var summary: String?

    @Option(help: ArgumentHelp("A topic tag (e.g. compute, talent); repeatable.", valueName: "tag"))
    var topic: [String] = []

    @Option(help: ArgumentHelp("When it is due: YYYY-MM-DD, YYYY-MM or YYYY.", valueName: "due"))
    var due: String?

    @Option(help: ArgumentHelp("The words used for the deadline (e.g. 이달 중).", valueName: "text"))
    var dueText: String?

    @Option(help: ArgumentHelp("A request this commitment answers; repeatable.", valueName: "id"))
    var respondsToRequestId: [String] = []

    @Option(
        help: ArgumentHelp(
            "The day it was made, within the consultation's days (YYYY-MM-DD); default: its first day.",
            valueName: "date"))
    var on: String?

    @OptionGroup var options: LogEventOptions
    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        try Self.requireFlags([
            ("--commitment-id", commitmentId != nil),
            ("--consultation-id", consultationId != nil),
            ("--made-by-id", madeById != nil),
            ("--owner-id", ownerId != nil),
            ("--summary", summary != nil),
        ])
    }

    func run() async throws { try await record() }

    func eventData() -> JSONObject {
        var data = JSONObject()
        data["commitmentId"] = .string(commitmentId ?? "")
        data["consultationId"] = .string(consultationId ?? "")
        data["madeById"] = .string(madeById ?? "")
        data["ownerId"] = .string(ownerId ?? "")
        data["summary"] = .string(summary ?? "")
        data["topics"] = .strings(topic)
        data["on"] = on.map(JSONValue.string)
        data["due"] = due.map(JSONValue.string)
        data["dueText"] = dueText.map(JSONValue.string)
        data["respondsToRequestIds"] = .strings(ifAny: respondsToRequestId)
        return data
    }

    /// `commitment X is open, due by 2023-03-31 ("이달 중")`, or `… is open and has no deadline`.
    func consequence(streamID: String) -> String {
        guard let due else { return "commitment \(commitmentId ?? "") is open and has no deadline" }
        let words = dueText.map { " (\"\($0)\")" } ?? ""
        return "commitment \(commitmentId ?? "") is open, \(Self.dueBy(due))\(words)"
    }
}
