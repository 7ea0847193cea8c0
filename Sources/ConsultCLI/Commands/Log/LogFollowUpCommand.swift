import ArgumentParser
import ConsultDomain

/// `consult log follow-up`: a scheduled check-in on a commitment (`FollowUpScheduled`).
struct LogFollowUpCommand: LogKindCommand {
    static let configuration = CommandConfiguration(
        commandName: "follow-up",
        abstract: "Schedule a check-in on a commitment (FollowUpScheduled).",
        usage: "consult log follow-up [<options>] --commitment-id <id> --check-on <date>",
        discussion: """
            The check-in is done once the commitment has progress dated on or after --check-on, or is no \
            longer outstanding; until then `consult follow-ups` lists it when it falls due.

            Example: minister 이종호 promised at the third AI strategy dialogue to announce the hyperscale AI \
            policy direction within March 2023; check on the first working day of April:

              consult log follow-up --commitment-id msit-hyperscale-ai-policy-2023 \\
                --check-on 2023-04-03 --assignee 'policy team' \\
                --note '3월 중 정책방향 발표 여부 확인'
            """)
    static let eventType = EventType.followUpScheduled

    @Option(help: ArgumentHelp("The commitment to check on.", valueName: "id"))
    var commitmentId: String?

    @Option(help: ArgumentHelp("The day to check (YYYY-MM-DD).", valueName: "date"))
    var checkOn: String?

    @Option(help: ArgumentHelp("Who will check (free text).", valueName: "text"))
    var assignee: String?

    @Option(help: ArgumentHelp("What to look for (1–2,000 characters).", valueName: "text"))
    var note: String?

    @OptionGroup var options: LogEventOptions
    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        try Self.requireFlags([
            ("--commitment-id", commitmentId != nil),
            ("--check-on", checkOn != nil),
        ])
    }

    func run() async throws { try await record() }

    func eventData() -> JSONObject {
        var data = JSONObject()
        data["commitmentId"] = .string(commitmentId ?? "")
        data["checkOn"] = .string(checkOn ?? "")
        data["assignee"] = assignee.map(JSONValue.string)
        data["note"] = note.map(JSONValue.string)
        return data
    }

    /// `check-in on commitment X set for 2023-04-03 (policy team)`.
    func consequence(streamID: String) -> String {
        "check-in on commitment \(commitmentId ?? "") set for \(checkOn ?? "")" + (assignee.map { " (\($0))" } ?? "")
    }
}
