import ArgumentParser
import ConsultCore
import ConsultDomain
import Foundation

/// `consult log correction`: replaces fields of a recorded event's data (`RecordCorrected`).
struct LogCorrectionCommand: LogKindCommand {
    static let configuration = CommandConfiguration(
        commandName: "correction",
        abstract: "Correct fields of a recorded event; the original stays in the log (RecordCorrected).",
        usage:
            "consult log correction [<options>] (--corrects-event-id <uuid> | --record <id> --record-version <n>) --reason <text> --change <field=value> ...",
        discussion: """
            Name the event by its id (`consult history ID` shows it), or by its record and version: \
            --record ID --record-version N. Each --change FIELD=VALUE replaces one field of \
            the event's data (the JSON field name; due-text and dueText both work). VALUE is JSON when it \
            is null (removes the field), a quoted string, an array or an object, e.g. 'topics=["data"]'; \
            anything else is taken as text, so due=2023-04 and due=2025 need no quotes. The corrected \
            event must still pass every rule. A corrected due date is not a slip: it becomes the original.

            Example (on the sample dataset, after `consult demo`; try it with --dry-run): correct the due date \
            and topics of the minister's promise (`consult history msit-hyperscale-ai-policy-2023` shows its \
            event's id):

              consult log correction \\
                --corrects-event-id 6821516a-4d42-5b07-87ac-fb304b4ca055 \\
                --reason '(예시) 기사 원문 확인' --change due=2023-04 \\
                --change 'topics=["compute","startups"]'
            """)
    static let eventType = EventType.recordCorrected

    @Option(help: ArgumentHelp("The id of the event to correct.", valueName: "uuid"), transform: LogFlagValues.uuid)
    var correctsEventId: UUID?

    @OptionGroup var target: EventByRecordOptions

    @Option(help: ArgumentHelp("Why, in your own words (1–2,000 characters).", valueName: "text"))
    var reason: String?

    @Option(
        help: ArgumentHelp("A field and its corrected value; at least one, repeatable.", valueName: "field=value"),
        transform: LogFlagValues.change)
    var change: [LogFlagValues.FieldChange] = []

    @OptionGroup var options: LogEventOptions
    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        try Self.requireFlags([
            (
                "--corrects-event-id (or --record ID --record-version N)",
                correctsEventId != nil || target.record != nil || target.version != nil
            ),
            ("--reason", reason != nil),
            ("--change", !change.isEmpty),
        ])
        try target.validate(eventID: correctsEventId, flag: "--corrects-event-id")
        var seen = Set<String>()
        for field in change.map(\.field) where !seen.insert(field).inserted {
            throw ValidationError("--change \(field) is given twice; give each field once.")
        }
    }

    func run() async throws {
        var command = self
        command.correctsEventId = try await target.eventID(given: correctsEventId, access: connection.access)
        try await command.record()
    }

    func eventData() -> JSONObject {
        var data = JSONObject()
        data["correctsEventId"] = .string((correctsEventId?.uuidString ?? "").lowercased())
        data["reason"] = .string(reason ?? "")
        data["changes"] = .object(JSONObject(change.map { ($0.field, $0.value) }))
        return data
    }

    /// `event 2f0b… in commitment-x now has due "2023-03", topics ["compute"]; dueText removed`.
    func consequence(streamID: String) -> String {
        let replaced = change.filter { !$0.value.isNull }.map { "\($0.field) \($0.value.serialized())" }
        let removed = change.filter(\.value.isNull).map(\.field)
        var parts: [String] = []
        if !replaced.isEmpty { parts.append("now has " + replaced.joined(separator: ", ")) }
        if !removed.isEmpty { parts.append(removed.joined(separator: ", ") + " removed") }
        return "event \((correctsEventId?.uuidString ?? "").lowercased()) in \(streamID) "
            + parts.joined(separator: "; ")
    }
}
