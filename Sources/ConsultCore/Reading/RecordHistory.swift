import ConsultDomain
import EventStore
import Foundation

/// `consult history ID`: every event of a record, in log order, corrections and retractions included.
public enum RecordHistory {
    /// The events of the record `id` (whatever its kind), in log order; a failure when none has it.
    public static func events(of id: String, access: StoreAccess) async throws -> [RecordedEvent] {
        let session = try await access.open()
        let events: [RecordedEvent]
        do {
            events = try await session.store.readStreams(RecordKind.allCases.map { $0.streamID(id) })
            await session.close()
        } catch {
            await session.close()
            throw error
        }
        guard !events.isEmpty else { throw ConsultFailure(.failure, "No record has the id \(id).") }
        return events
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
