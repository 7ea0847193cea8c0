import ConsultDomain
import EventStore
import Foundation
import Postgres
import Synchronization

/// `consult export`: the log as JSONL that recording takes back, with each event's placement and
/// hash, from one consistent snapshot; the whole log, or the part after a position or time. After
/// the events come the closing lines (`ExportClosingLine`, `ExportSeal`): the head of each stream
/// with lines in the file, sorted by stream id, then the end line with the counts and the digest.
public enum LogExport {
    /// Where an export starts, for interfaces that do not import the store.
    public typealias Start = ExportStart

    /// Writes the log (after `since`, when given) in pages: `write` gets the bytes of each page's
    /// lines (each ending in a newline), and `progress` the running count of events. With
    /// `counting`, `total` gets the count of events the export holds before the first page.
    public static func export(
        _ access: StoreAccess, since: ExportStart? = nil, write: @escaping @Sendable ([UInt8]) throws -> Void,
        counting total: (@Sendable (Int) -> Void)? = nil, progress: @escaping @Sendable (Int) -> Void = { _ in }
    ) async throws {
        try await access.withSession { session in
            try await export(session.store, since: since, write: write, counting: total, progress: progress)
        }
    }

    /// `export(_:since:write:counting:progress:)` on a store its caller keeps open (the web
    /// server's pooled connections). `write` is called on the connection's own thread, between
    /// pages of one snapshot: it may wait there (for a slow reader) without holding up any other.
    public static func export(
        _ store: PostgresEventStore, since: ExportStart? = nil, write: @escaping @Sendable ([UInt8]) throws -> Void,
        counting total: (@Sendable (Int) -> Void)? = nil, progress: @escaping @Sendable (Int) -> Void = { _ in }
    ) async throws {
        let count = Counter()
        let trailer: ExportSeal.Trailer
        do {
            trailer = try await store.exportAll(since: since, total: total) { events in
                var bytes: [UInt8] = []
                bytes.reserveCapacity(events.count * 800)
                for exported in events {
                    try line(for: exported.event, hash: exported.hash, follows: exported.follows).serialize(
                        into: &bytes)
                    bytes.append(UInt8(ascii: "\n"))
                }
                try write(bytes)
                progress(count.add(events.count))
            }
        } catch let mismatch as ExportHeadMismatch {
            throw ConsultFailure(.failure, mismatch.message)
        }
        var bytes: [UInt8] = []
        for line in closingLines(trailer) {
            line.json.serialize(into: &bytes)
            bytes.append(UInt8(ascii: "\n"))
        }
        // On the connection's thread too, as the pages: `write` may wait, and a wait here would
        // hold one of the few threads every task of the process runs on (two exports of the web
        // server waiting at once held both, and it answered nothing more).
        let closing = bytes
        try await onThread(of: store.connection) { try write(closing) }
    }

    /// Runs `body` on `connection`'s own thread.
    private static func onThread(of connection: isolated Connection, _ body: @Sendable () throws -> Void) throws {
        try body()
    }

    /// The lines after the events: each stream's head, sorted by stream id, then the end line.
    static func closingLines(_ trailer: ExportSeal.Trailer) -> [ExportClosingLine] {
        trailer.heads.map { .head(stream: $0.stream, version: $0.version, hash: $0.hash) } + [
            .end(
                events: trailer.end.events, streams: trailer.end.streams, digest: trailer.end.digest,
                partial: trailer.end.partial)
        ]
    }

    /// Where `export --since TEXT` starts: a whole number is a log position (the events after it),
    /// anything else a time as `TimeArguments.start` reads it. A usage failure otherwise.
    public static func start(_ text: String, option: String = "--since") throws -> ExportStart {
        if let position = Int64(text) {
            guard position >= 0 else {
                throw ConsultFailure(
                    .usage, "\(option) takes a log position (0 or more) or a time; \"\(text)\" is negative.")
            }
            return .afterPosition(position)
        }
        guard let instant = TimeArguments.start(text) else {
            throw ConsultFailure(
                .usage,
                "\(option) takes a log position such as 115 (as consult log prints them) or a time such as "
                    + "2024-05-01T09:00:00+09:00 or 2024-05-01; \"\(text)\" is neither.")
        }
        return .recordedSince(microseconds: instant.microseconds)
    }

    /// `{"type":…,"id":…,"data":{…},"metadata":{…},"recorded":{…}}`; metadata only when there is
    /// some; `recorded.follows` only on a stream's first line in an export that starts after it.
    public static func line(for event: RecordedEvent, hash: String, follows: ExportedEvent.Predecessor? = nil) throws
        -> JSONValue
    {
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
        if let follows {
            var predecessor = JSONObject()
            predecessor["id"] = .string(follows.id.uuidString.lowercased())
            predecessor["hash"] = .string(follows.hash)
            recorded["follows"] = .object(predecessor)
        }
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
