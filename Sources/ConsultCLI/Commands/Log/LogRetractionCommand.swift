import ArgumentParser
import ConsultCore
import ConsultDomain
import Foundation

/// `consult log retraction`: an event every view treats as never recorded (`RecordRetracted`).
struct LogRetractionCommand: LogKindCommand {
    static let configuration = CommandConfiguration(
        commandName: "retraction",
        abstract: "Retract a recorded event: views treat it as never recorded; it stays in the log (RecordRetracted).",
        usage:
            "consult log retraction [<options>] (--retracts-event-id <uuid> | --record <id> --record-version <n>) --reason <text>",
        discussion: """
            Name the event by its id (`consult history ID` shows it), or by its record and version: \
            --record ID --record-version N. A retracted event cannot be corrected or retracted \
            again; a retraction itself stands as recorded.

            Example (on the sample dataset, after `consult demo`; try it with --dry-run): retract a statement \
            from the Startup Alliance's 2022 forum (`consult history forum-2022-choi-talent` shows its id):

              consult log retraction \\
                --retracts-event-id 8e68fd4e-fb61-5c14-9676-52b4f78f168c \\
                --reason '(예시) 같은 발언을 두 번 기록함'
            """)
    static let eventType = EventType.recordRetracted

    @Option(help: ArgumentHelp("The id of the event to retract.", valueName: "uuid"), transform: LogFlagValues.uuid)
    var retractsEventId: UUID?

    @OptionGroup var target: EventByRecordOptions

    @Option(help: ArgumentHelp("Why, in your own words (1–2,000 characters).", valueName: "text"))
    var reason: String?

    @OptionGroup var options: LogEventOptions
    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        try Self.requireFlags([
            (
                "--retracts-event-id (or --record ID --record-version N)",
                retractsEventId != nil || target.record != nil || target.version != nil
            ),
            ("--reason", reason != nil),
        ])
        try target.validate(eventID: retractsEventId, flag: "--retracts-event-id")
    }

    func run() async throws {
        var command = self
        command.retractsEventId = try await target.eventID(given: retractsEventId, access: connection.access)
        try await command.record()
    }

    func eventData() -> JSONObject {
        JSONObject([
            ("retractsEventId", .string((retractsEventId?.uuidString ?? "").lowercased())),
            ("reason", .string(reason ?? "")),
        ])
    }

    /// `event 2f0b… in consultation-x is retracted: views treat it as never recorded`.
    func consequence(streamID: String) -> String {
        "event \((retractsEventId?.uuidString ?? "").lowercased()) in \(streamID) is retracted: views treat it as never recorded"
    }
}
