import ConsultDomain
import EventStore
import Foundation

extension RecordHistory {
    /// A short description of each event: what it says, and for a correction or retraction what
    /// it changes or takes back; an event a later one retracts is marked so. `related` holds the
    /// events they may refer to (by default, the events themselves). `consult history` shows it
    /// in its DETAIL column.
    public static func details(_ events: [RecordedEvent], related: [RecordedEvent]? = nil) -> [String] {
        let related = related ?? events
        var byID: [String: RecordedEvent] = [:]
        for event in related { byID[event.id.uuidString.lowercased()] = event }
        let retracted = retractedIDs(in: related)
        return events.map { event in
            let text = detail(of: event, byID: byID)
            return retracted.contains(event.id.uuidString.lowercased()) ? "[retracted] " + text : text
        }
    }

    /// The ids (lowercased) of the events that a retraction among `events` takes back.
    public static func retractedIDs(in events: [RecordedEvent]) -> Set<String> {
        Set(events.filter { $0.type == EventType.recordRetracted.rawValue }.compactMap(targets))
    }

    /// What one event says, in a few words; `byID` finds the event a correction or retraction
    /// refers to.
    public static func detail(of event: RecordedEvent, byID: [String: RecordedEvent]) -> String {
        guard let data = (try? JSONValue.parse(event.data))?.objectValue else { return "" }
        func target() -> String {
            guard let id = targets(of: event) else { return "an unknown event" }
            return byID[id].map { "\($0.type) at position \($0.position)" } ?? "event \(id)"
        }
        let reason = data["reason"]?.stringValue ?? ""
        switch EventType(rawValue: event.type) {
        case .recordRetracted?:
            return "retracts \(target()): \(reason)"
        case .recordCorrected?:
            let changes = (data["changes"]?.objectValue ?? JSONObject()).map { key, value in
                "\(key)=\(value.stringValue ?? value.serialized())"
            }
            return "corrects \(target()): \(changes.joined(separator: ", ")) (\(reason))"
        case .commitmentProgressed?:
            var text = "status: \(data["status"]?.stringValue ?? "")"
            if let due = data["revisedDue"]?.stringValue { text += ", due revised to \(due)" }
            if let note = data["note"]?.stringValue { text += ": \(note)" }
            return text
        default:
            for field in ["title", "name", "summary", "status", "reason", "note", "checkOn"] {
                if let text = data[field]?.stringValue {
                    return field == "status" ? "status: \(text)" : text
                }
            }
            return ""
        }
    }

    /// The versions of the records in `streams` as `knowledge` knows them (corrections applied,
    /// retracted events gone), by stream: what the pages fold a consultation or a stakeholder from.
    public static func versions(
        of streams: [String], store: PostgresEventStore, knowledge: Knowledge = .everything
    ) async throws -> [String: [RecordVersion]] {
        guard !streams.isEmpty else { return [:] }
        var logged: [String: [LoggedEvent]] = [:]
        for event in try await store.readStreams(streams) {
            guard let type = EventType(rawValue: event.type), let data = event.currentData else { continue }
            logged[event.streamID, default: []].append(
                LoggedEvent(
                    id: event.id, type: type, data: data,
                    recordedAt: Timestamp(microseconds: event.recordedAtMicroseconds),
                    streamVersion: event.streamVersion))
        }
        return logged.mapValues { events in
            RecordVersion.timeline(of: events.sorted { $0.streamVersion < $1.streamVersion }).filter(knowledge.knows)
        }
    }
}
