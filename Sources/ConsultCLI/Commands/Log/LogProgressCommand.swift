import ArgumentParser
import ConsultDomain

/// `consult log progress`: a commitment observed at a date, with its status and evidence
/// (`CommitmentProgressed`).
struct LogProgressCommand: LogKindCommand {
    static let configuration = CommandConfiguration(
        commandName: "progress",
        abstract: "Record where a commitment stands on a date, with evidence (CommitmentProgressed).",
        usage:
            "consult log progress [<options>] --commitment-id <id> --on <date> --status <status> --note <text> --evidence <source> ...",
        discussion: """
            --status is what was delivered (anything but open). Cite at least one --evidence (same KEY=VALUE \
            pairs as --source). --revised-due moves the deadline without erasing the original; --assessment \
            says whether the status is your own finding (independent, the default) or the owner's claim \
            (self_reported); --reason says why a commitment was broken or withdrawn.

            Example: if the ministry reports in early April that the hyperscale AI policy direction promised \
            at the third AI strategy dialogue is still being drafted, now for April:

              consult log progress --commitment-id msit-hyperscale-ai-policy-2023 \\
                --on 2023-04-03 --status in_progress --assessment self_reported \\
                --revised-due 2023-04 \\
                --note '정책방향 초안을 업계 의견을 받아 보완 중이라고 밝힘' \\
                --evidence 'publisher=과학기술정보통신부,publishedOn=2023-04-03'
            """)
    static let eventType = EventType.commitmentProgressed

    @Option(help: ArgumentHelp("The commitment observed.", valueName: "id"))
    var commitmentId: String?

    @Option(help: ArgumentHelp("The day of the observation (YYYY-MM-DD).", valueName: "date"))
    var on: String?

    @Option(
        help: ArgumentHelp("One of: \(EventSchema.progressStatuses.joined(separator: ", ")).", valueName: "status"),
        completion: .list(EventSchema.progressStatuses))
    var status: String?

    @Option(help: ArgumentHelp("What was observed, in your own words (1–2,000 characters).", valueName: "text"))
    var note: String?

    @Option(
        help: ArgumentHelp(
            "Where it is shown: publisher=…,title=…,url=…,publishedOn=…; at least one, repeatable.",
            valueName: "source"),
        transform: LogFlagValues.source)
    var evidence: [JSONValue] = []

    @Option(help: ArgumentHelp("A new deadline: YYYY-MM-DD, YYYY-MM or YYYY.", valueName: "due"))
    var revisedDue: String?

    @Option(
        help: ArgumentHelp(
            "\(EventSchema.assessments.joined(separator: " or ")) (default independent).", valueName: "assessment"),
        completion: .list(EventSchema.assessments))
    var assessment: String?

    @Option(help: ArgumentHelp("Why it was broken or withdrawn (1–2,000 characters).", valueName: "text"))
    var reason: String?

    @OptionGroup var options: LogEventOptions
    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        try Self.requireFlags([
            ("--commitment-id", commitmentId != nil),
            ("--on", on != nil),
            ("--status", status != nil),
            ("--note", note != nil),
            ("--evidence", !evidence.isEmpty),
        ])
    }

    func run() async throws { try await record() }

    func eventData() -> JSONObject {
        var data = JSONObject()
        data["commitmentId"] = .string(commitmentId ?? "")
        data["on"] = .string(on ?? "")
        data["status"] = .string(status ?? "")
        data["note"] = .string(note ?? "")
        data["evidence"] = .array(evidence)
        data["revisedDue"] = revisedDue.map(JSONValue.string)
        data["assessment"] = assessment.map(JSONValue.string)
        data["reason"] = reason.map(JSONValue.string)
        return data
    }

    /// `commitment X is now in_progress, due date revised to 2023-04-30`.
    func consequence(streamID: String) -> String {
        let revised = revisedDue.map { ", due date revised to \(Due($0)?.dueBy.description ?? $0)" } ?? ""
        return "commitment \(commitmentId ?? "") is now \(status ?? "")\(revised)"
    }
}
