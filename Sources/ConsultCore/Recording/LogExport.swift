import ConsultDomain
import EventStore
import Foundation
import Synchronization

/// `consult export`: the whole log as JSONL that recording takes back, with each event's placement
/// and hash, from one consistent snapshot.
public enum LogExport {
    /// Writes the log in pages: `write` gets the bytes of each page's lines (each ending in a newline),
    /// and `progress` the running count of events.
    public static func export(
        _ access: StoreAccess, write: @escaping @Sendable ([UInt8]) throws -> Void,
        progress: @escaping @Sendable (Int) -> Void = { _ in }
    ) async throws {
        try await access.withSession { session in
            let count = Counter()
            try await session.store.exportAll { events in
                var bytes: [UInt8] = []
                bytes.reserveCapacity(events.count * 800)
                for (event, hash) in events {
                    try line(for: event, hash: hash).serialize(into: &bytes)
                    bytes.append(UInt8(ascii: "\n"))
                }
                try write(bytes)
                progress(count.add(events.count))
            }
        }
    }

    /// `{"type":…,"id":…,"data":{…},"metadata":{…},"recorded":{…}}`; metadata only when there is some.
    public static func line(for event: RecordedEvent, hash: String) throws -> JSONValue {
        var object = JSONObject()
        object["type"] = .string(event.type)
        object["id"] = .string(event.id.uuidString.lowercased())
        object["data"] = try JSONValue.parse(event.data)
        let metadata = try JSONValue.parse(event.metadata)
        if metadata.objectValue?.isEmpty == false { object["metadata"] = metadata }
        var recorded = JSONObject()
        recorded["stream"] = .string(event.streamID)
        recorded["version"] = .number(String(event.streamVersion))
        recorded["schemaVersion"] = .number(String(event.schemaVersion))
        recorded["recordedAt"] = .string(event.recordedAt)
        recorded["hash"] = .string(hash)
        object["recorded"] = .object(recorded)
        return .object(object)
    }

    /// A running total shared with the page callback.
    private final class Counter: Sendable {
        private let total = Mutex(0)
        func add(_ count: Int) -> Int {
            total.withLock {
                $0 += count
                return $0
            }
        }
    }
}
