import ConsultDomain
import EventStore
import Foundation

/// `consult history ID`: every event of a record, in log order, corrections and retractions included;
/// `history [ID] --since TIME`: what was recorded since then, of one record or of all.
public enum RecordHistory {
    /// Events to show, and the events they refer to, so that each can be described.
    public struct Listing: Sendable {
        /// What to show, in log order.
        public var events: [RecordedEvent]
        /// The shown events and those they correct or retract, and for one record every event of it
        /// (so that a shown event a later one retracts is known as retracted).
        public var related: [RecordedEvent]
    }

    /// The events of the record `id` (see `events(of:access:)`), only those recorded at or after
    /// `since` when given; without `id`, every event recorded at or after `since`, across records.
    /// A failure when `id` names nothing, or when neither is given.
    public static func listing(of id: String?, since: Timestamp?, access: StoreAccess) async throws -> Listing {
        if let id {
            let all = try await events(of: id, access: access)
            let shown = since.map { since in all.filter { $0.recordedAtMicroseconds >= since.microseconds } } ?? all
            return Listing(events: shown, related: all)
        }
        guard let since else {
            throw ConsultFailure(.usage, "history takes a record's id, or --since TIME for every record.")
        }
        return try await access.withSession { session in
            let shown = try await session.store.events(recordedSince: since.microseconds)
            let known = Set(shown.map { $0.id.uuidString.lowercased() })
            let missing = Set(shown.compactMap(targets)).subtracting(known).compactMap(UUID.init(uuidString:))
            let referred = missing.isEmpty ? [] : try await session.store.events(ids: Array(missing))
            return Listing(events: shown, related: shown + referred)
        }
    }

    /// The events of the record `id` (whatever its kind), in log order. A statement (by its
    /// statement id) or any event (by its event id: a progress report, an answer) is found by its
    /// own id too: then its event and the corrections and retractions of it. A failure when nothing
    /// has the id.
    public static func events(of id: String, access: StoreAccess) async throws -> [RecordedEvent] {
        let events: [RecordedEvent] = try await access.withSession { try await Self.events(of: id, store: $0.store) }
        guard !events.isEmpty else {
            throw ConsultFailure(.failure, "No record, statement or event has the id \(id).")
        }
        return events
    }

    /// The events of the record `id` on an open store (see `events(of:access:)`); empty when
    /// nothing has the id.
    public static func events(of id: String, store: PostgresEventStore) async throws -> [RecordedEvent] {
        let records = try await store.readStreams(RecordKind.allCases.map { $0.streamID(id) })
        if !records.isEmpty { return records }
        let own: [RecordedEvent]
        if let eventID = UUID(uuidString: id) {
            own = try await store.events(ids: [eventID])
        } else {
            own = try await store.events(
                ofType: EventType.statementRecorded.rawValue, whereDataField: "statementId", isAnyOf: [id])
        }
        // The events themselves, and what corrects or retracts them, from their streams.
        let ids = Set(own.map { $0.id.uuidString.lowercased() })
        guard !ids.isEmpty else { return [] }
        return try await store.readStreams(Array(Set(own.map(\.streamID)))).filter { event in
            ids.contains(event.id.uuidString.lowercased()) || targets(of: event).map(ids.contains) == true
        }
    }

    /// The event a correction or retraction is of, as its data names it.
    public static func targets(of event: RecordedEvent) -> String? {
        guard let type = EventType(rawValue: event.type), case .targetEvent(let field) = type.streamRule,
            let data = (try? JSONValue.parse(event.data))?.objectValue
        else { return nil }
        return data[field]?.stringValue?.lowercased()
    }

    /// The id of the event at `version` of the record `id`'s stream (what `history ID` shows in
    /// its VERSION column): how a person names an event to correct or retract without its uuid.
    public static func eventID(record id: String, version: Int, access: StoreAccess) async throws -> UUID {
        let events = try await access.withSession {
            try await $0.store.readStreams(RecordKind.allCases.map { $0.streamID(id) })
        }
        let streams = Set(events.map(\.streamID)).sorted()
        guard let stream = streams.first else {
            throw ConsultFailure(.invalidInput, "No record has the id \(id); nothing was written.")
        }
        guard streams.count == 1 else {
            throw ConsultFailure(
                .invalidInput,
                "\(id) names several records (\(streams.joined(separator: ", "))); give the event's id instead "
                    + "(consult history \(id) shows it). Nothing was written.")
        }
        guard let event = events.first(where: { $0.streamVersion == version }) else {
            let last = events.map(\.streamVersion).max() ?? 0
            throw ConsultFailure(
                .invalidInput,
                "\(stream) has \(last == 1 ? "only version 1" : "versions 1–\(last)"), not \(version) "
                    + "(consult history \(id) shows them); nothing was written.")
        }
        return event.id
    }

    /// An event as `history --format json` shows it.
    public static func json(for event: RecordedEvent) throws -> JSONValue {
        var object = JSONObject()
        object["position"] = .number(String(event.position))
        object["streamId"] = .string(event.streamID)
        object["streamVersion"] = .number(String(event.streamVersion))
        object["type"] = .string(event.type)
        object["schemaVersion"] = .number(String(event.schemaVersion))
        object["id"] = .string(event.id.uuidString.lowercased())
        object["recordedAt"] = .string(event.recordedAt)
        object["data"] = try JSONValue.parse(event.data)
        object["metadata"] = try JSONValue.parse(event.metadata)
        return .object(object)
    }
}
