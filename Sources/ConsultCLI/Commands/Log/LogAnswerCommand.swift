import ArgumentParser
import ConsultDomain

/// `consult log answer`: how a request was answered (`RequestAnswered`).
struct LogAnswerCommand: LogKindCommand {
    static let configuration = CommandConfiguration(
        commandName: "answer",
        abstract: "Record how a request was answered: accepted, declined… and why (RequestAnswered).",
        usage:
            "consult log answer [<options>] --request-id <id> --on <date> --answered-by-id <id> --outcome <outcome> --reason <text>",
        discussion: """
            The answer is dated (--on, not before the request's consultation). Link the commitments made in \
            reply with --commitment-id, and cite evidence with --evidence (same KEY=VALUE pairs as --source).

            Example (on the sample dataset, after `consult demo`; try it with --dry-run): the ministry's answer \
            to the call for compute support at the third AI strategy dialogue, linked to the commitment made \
            there:

              consult log answer --request-id dialogue-3-compute-support \\
                --on 2023-03-08 --answered-by-id lee-jong-ho --outcome accepted \\
                --reason '(예시) 이달 중 초거대AI 산업 정책방향을 발표하겠다고 화답' \\
                --commitment-id msit-hyperscale-ai-policy-2023 \\
                --evidence 'publisher=뉴스토마토,publishedOn=2023-03-08'
            """)
    static let eventType = EventType.requestAnswered

    @Option(help: ArgumentHelp("The request answered.", valueName: "id"))
    var requestId: String?

    @Option(help: ArgumentHelp("The day of the answer (YYYY-MM-DD).", valueName: "date"))
    var on: String?

    @Option(help: ArgumentHelp("Who answered (a stakeholder id).", valueName: "id"))
    var answeredById: String?

    @Option(
        help: ArgumentHelp("One of: \(EventSchema.outcomes.joined(separator: ", ")).", valueName: "outcome"),
        completion: .list(EventSchema.outcomes))
    var outcome: String?

    @Option(help: ArgumentHelp("The reason given, in your own words (1–2,000 characters).", valueName: "text"))
    var reason: String?

    @Option(help: ArgumentHelp("A commitment made in reply; repeatable.", valueName: "id"))
    var commitmentId: [String] = []

    @Option(
        help: ArgumentHelp(
            "Where the answer is reported: publisher=…,title=…,url=…,publishedOn=…; repeatable.",
            valueName: "source"),
        transform: LogFlagValues.source)
    var evidence: [JSONValue] = []

    @OptionGroup var options: LogEventOptions
    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        try Self.requireFlags([
            ("--request-id", requestId != nil),
            ("--on", on != nil),
            ("--answered-by-id", answeredById != nil),
            ("--outcome", outcome != nil),
            ("--reason", reason != nil),
        ])
    }

    func run() async throws { try await record() }

    func eventData() -> JSONObject {
        var data = JSONObject()
        data["requestId"] = .string(requestId ?? "")
        data["on"] = .string(on ?? "")
        data["answeredById"] = .string(answeredById ?? "")
        data["outcome"] = .string(outcome ?? "")
        data["reason"] = .string(reason ?? "")
        data["commitmentIds"] = .strings(ifAny: commitmentId)
        data["evidence"] = evidence.isEmpty ? nil : .array(evidence)
        return data
    }

    /// `request X: accepted by lee-jong-ho on 2023-03-08, with commitment msit-hyperscale-ai-policy-2023`.
    func consequence(streamID: String) -> String {
        let commitments =
            commitmentId.isEmpty
            ? "" : ", with commitment\(commitmentId.count == 1 ? "" : "s") \(Self.list(commitmentId))"
        return "request \(requestId ?? ""): \(outcome ?? "") by \(answeredById ?? "") on \(on ?? "")\(commitments)"
    }
}
