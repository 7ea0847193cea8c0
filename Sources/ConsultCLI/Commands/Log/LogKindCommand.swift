import ArgumentParser
import ConsultCore
import ConsultDomain
import EventStore
import Foundation

/// A `consult log <kind>` subcommand: one event of `eventType`, its data taken from flags.
///
/// The event goes through the same envelope check and domain rules as a line of
/// `consult log --file`; only the messages differ, since there is no file and no line to name.
protocol LogKindCommand: AsyncParsableCommand {
    /// The type of the event the subcommand records.
    static var eventType: EventType { get }
    var connection: ConnectionOptions { get }
    var options: LogEventOptions { get }
    /// The event's data, fields in the order of the schema.
    func eventData() -> JSONObject
    /// One line for people: what holds once the event is stored in `streamID`.
    func consequence(streamID: String) -> String
}

extension LogKindCommand {
    /// Checks and appends the event, then says what was stored and what now holds.
    func record() async throws {
        let data = eventData()
        let metadata = options.metadata
        // Without --id, the id comes from the content: the same command run twice is one event,
        // whoever runs it (the metadata is left out).
        let id = options.id ?? ContentID.derive(type: Self.eventType.rawValue, data: data)
        var object = JSONObject()
        object["type"] = .string(Self.eventType.rawValue)
        object["id"] = .string(id.uuidString.lowercased())
        object["expectedVersion"] = options.expectedVersion.map { .number(String($0)) }
        object["data"] = .object(data)
        if !metadata.isEmpty { object["metadata"] = .object(metadata) }

        // The same event recorded already (by someone else, or with another note): say so rather
        // than have the store refuse its id as reused.
        if options.id == nil, let stored = try await EventRecorder.storedEvent(id, access: connection.access) {
            let recorder = (try? JSONValue.parse(stored.metadata))?.objectValue?["recordedBy"]?.stringValue
            Output.writeLine(
                "Already recorded (same id) at position \(stored.logPosition.position) "
                    + "(event \(id.uuidString.lowercased()))"
                    + (recorder.map { ", by \(EventFileParser.printable($0))" } ?? "") + ".")
            return
        }

        let envelope: EventEnvelope
        switch EventEnvelope.parse(.object(object)) {
        case .success(let parsed):
            envelope = parsed
        case .failure(let violations):
            throw LogKindFailure.refused(details: violations.items.map { EventFileParser.printable("\($0)") })
        }

        let recording: EventRecorder.Recording?
        do {
            recording = try await EventRecorder.record(
                EventFileParser.Parsed(single: envelope), sourceName: "The event", access: connection.access,
                dryRun: options.dryRun)
        } catch let failure as ConsultFailure {
            throw LogKindFailure.forOneEvent(failure)
        }
        switch recording?.outcomes.first {
        case nil:
            Output.writeLine("The event passes the rules (dry run: nothing was written).")
        case .appended(let position, let streamID, let version)?:
            Output.writeLine(
                "Recorded \(Self.eventType.rawValue) in \(streamID), version \(version), position \(position) "
                    + "(event \(id.uuidString.lowercased())).")
            // Names and titles come from the user: control characters must not break the line.
            Output.writeLine(EventFileParser.printable(consequence(streamID: streamID)))
        case .duplicate(let position, _)?:
            Output.writeLine(
                "Already recorded (same id) at position \(position) (event \(id.uuidString.lowercased())).")
        }
    }
}

/// The failures of `consult log <kind>`, worded for one event given as flags.
private enum LogKindFailure {
    static let refusedMessage = "The event breaks the rules; nothing was written."

    /// Exit 65 with one detail per violation (`data.speakerId stakeholder "x" is not recorded`).
    static func refused(details: [String]) -> ConsultFailure {
        ConsultFailure(.invalidInput, refusedMessage, details: details.map(flagWording))
    }

    /// Fields of the event's data whose flag is the singular of the field's name.
    static let listFlags = [
        "addressedToIds": "addressed-to-id", "organizerIds": "organizer-id", "participants": "participant",
        "sources": "source", "evidence": "evidence", "topics": "topic", "aliases": "alias",
        "commitmentIds": "commitment-id", "respondsToRequestIds": "responds-to-request-id", "changes": "change",
    ]

    /// A violation as the person typed the event: `data.speakerId stakeholder "x" is not recorded`
    /// becomes `--speaker-id: stakeholder "x" is not recorded`, `data.changes.due …` becomes
    /// `--change due=…: …`. Other text is left as it is.
    static func flagWording(_ detail: String) -> String {
        guard detail.hasPrefix("data."), let end = detail.firstIndex(of: " ") else { return detail }
        let path = detail[detail.index(detail.startIndex, offsetBy: 5)..<end]
        let rest = detail[detail.index(after: end)...]
        let field = String(path.prefix { $0.isLetter || $0.isNumber })
        let flag: String
        if field == "changes", let dot = path.firstIndex(of: ".") {
            flag = "--change \(path[path.index(after: dot)...])=…"
        } else if let singular = listFlags[field] {
            flag = "--\(singular)" + path.dropFirst(field.count)
        } else {
            flag = "--" + kebab(field) + path.dropFirst(field.count)
        }
        return "\(flag): \(rest)"
    }

    /// `speakerId` → `speaker-id`.
    static func kebab(_ name: String) -> String {
        var out = ""
        for character in name {
            if character.isUppercase {
                out += "-" + character.lowercased()
            } else {
                out.append(character)
            }
        }
        return out
    }

    /// The recorder's failure without its talk of lines and batches: the event was the whole input.
    static func forOneEvent(_ failure: ConsultFailure) -> ConsultFailure {
        var failure = failure
        let linePrefix = "line 1: "
        if failure.message.lowercased().hasPrefix(linePrefix) {
            failure.message.removeFirst(linePrefix.count)
        }
        if failure.details.contains(where: { $0.hasPrefix(linePrefix) }) {
            failure.message = refusedMessage
        }
        failure.details = failure.details.map { detail in
            let detail = detail.hasPrefix(linePrefix) ? String(detail.dropFirst(linePrefix.count)) : detail
            return flagWording(
                detail.replacingOccurrences(of: " (neither in the store nor earlier in this batch)", with: ""))
        }
        return failure
    }
}

extension LogKindCommand {
    /// Refuses the command (exit 64) when flags the event needs were not given, naming every one
    /// at once: `Missing --date and --title; see consult log consultation --help.`
    ///
    /// The flags are declared optional and checked here because ArgumentParser stops at the first
    /// missing one; each subcommand's `usage` still shows them as required.
    static func requireFlags(_ flags: [(flag: String, given: Bool)]) throws {
        let missing = flags.filter { !$0.given }.map(\.flag)
        guard !missing.isEmpty else { return }
        throw ValidationError(
            "Missing \(list(missing)); see consult log \(configuration.commandName ?? "<kind>") --help.")
    }
}

/// Wording shared by the subcommands' result lines.
extension LogKindCommand {
    /// `due by 2023-03-31` for any day, month or year; the text as given if it is none.
    static func dueBy(_ due: String) -> String {
        "due by \(Due(due)?.dueBy.description ?? due)"
    }

    /// `a, b and c`.
    static func list(_ items: [String]) -> String {
        guard items.count > 1, let last = items.last else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " and " + last
    }

    /// `1 source`, `3 participants`.
    static func count(_ number: Int, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }
}
