import ArgumentParser
import ConsultDomain

/// `consult log restatement`: the same promise made again at a later consultation
/// (`CommitmentRestated`).
struct LogRestatementCommand: LogKindCommand {
    static let configuration = CommandConfiguration(
        commandName: "restatement",
        abstract: "Record that a commitment was made again at a later consultation (CommitmentRestated).",
        usage:
            "consult log restatement [<options>] --commitment-id <id> --consultation-id <id> --by-id <id> --on <date>",
        discussion: """
            A restatement does not change the commitment's status or due date; it shows the promise still \
            stands. --note says how it was put this time.

            Example (hypothetical, on the sample dataset; try it with --dry-run after `consult demo`): minister \
            이종호's promise from the third AI strategy dialogue repeated at a later consultation:

              consult log restatement --commitment-id msit-hyperscale-ai-policy-2023 \\
                --consultation-id k-ai-expert-interviews-2024 --by-id lee-jong-ho \\
                --on 2024-06-25 \\
                --note '(예시) 정책방향 발표 약속을 다시 확인'
            """)
    static let eventType = EventType.commitmentRestated

    @Option(help: ArgumentHelp("The commitment restated.", valueName: "id"))
    var commitmentId: String?

    @Option(help: ArgumentHelp("The consultation it was restated at.", valueName: "id"))
    var consultationId: String?

    @Option(help: ArgumentHelp("Who restated it (a stakeholder id).", valueName: "id"))
    var byId: String?

    @Option(help: ArgumentHelp("The day (YYYY-MM-DD).", valueName: "date"))
    var on: String?

    @Option(help: ArgumentHelp("How it was put this time (1–2,000 characters).", valueName: "text"))
    var note: String?

    @OptionGroup var options: LogEventOptions
    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        try Self.requireFlags([
            ("--commitment-id", commitmentId != nil),
            ("--consultation-id", consultationId != nil),
            ("--by-id", byId != nil),
            ("--on", on != nil),
        ])
    }

    func run() async throws { try await record() }

    func eventData() -> JSONObject {
        var data = JSONObject()
        data["commitmentId"] = .string(commitmentId ?? "")
        data["consultationId"] = .string(consultationId ?? "")
        data["byId"] = .string(byId ?? "")
        data["on"] = .string(on ?? "")
        data["note"] = note.map(JSONValue.string)
        return data
    }

    /// `commitment X restated by lee-jong-ho at consultation Y on 2023-03-20`.
    func consequence(streamID: String) -> String {
        "commitment \(commitmentId ?? "") restated by \(byId ?? "") at consultation \(consultationId ?? "") on \(on ?? "")"
    }
}
