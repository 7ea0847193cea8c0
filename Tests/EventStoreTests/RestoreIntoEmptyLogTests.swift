import Foundation
import Postgres
import Synchronization
import TestSupport
import Testing

@testable import EventStore

/// `PostgresEventStore.restore`: an export's events stored exactly, hashes included, and the log's
/// order and gap-safe read after it.
@Suite("Restoring an export into an empty log")
struct RestoreIntoEmptyLogTests {
    /// Every event of `store`, as its export gives them, to restore elsewhere.
    static func exported(_ store: PostgresEventStore) async throws -> [RestoredEvent] {
        let collected = Mutex<[RestoredEvent]>([])
        try await store.exportAll { page in
            let events = page.map { exported in
                RestoredEvent(
                    id: exported.event.id, stream: exported.event.streamID, version: exported.event.streamVersion,
                    type: exported.event.type, schemaVersion: exported.event.schemaVersion,
                    recordedAtMicroseconds: exported.event.recordedAtMicroseconds, data: exported.event.data,
                    metadata: exported.event.metadata, hash: HashChains.hexBytes(exported.hash) ?? [])
            }
            collected.withLock { $0 += events }
        }
        return collected.withLock { $0 }
    }

    @Test("the chain trigger refuses a supplied hash that is not the computed one, and keeps a right one")
    func triggerChecksSuppliedHash() async throws {
        let database = try await TestDatabase.create()
        let connection = try await database.connect()
        let id = UUID()
        let micros: Int64 = 1_714_550_400_123_456
        let recordedAt = RecordedEvent.rfc3339(microseconds: micros)
        let texts = [id.postgresText, "s", "1", "StatementRecorded", "1", String(micros), #"{"n": 1}"#, "{}"]
        let right = HashChains.hash(previous: HashChains.origin, texts: texts)
        let wrong = HashChains.hash(previous: HashChains.origin, texts: texts.map { $0 == "s" ? "t" : $0 })

        let refused = await #expect(throws: PostgresError.self) {
            try await connection.query(
                """
                INSERT INTO events (epoch, stream_id, stream_version, type, event_id, data, recorded_at, hash)
                VALUES (1, 's', 1, 'StatementRecorded', \(id), '{"n":1}', \(recordedAt)::timestamptz,
                        decode(\(HashChains.hex(wrong)), 'hex'))
                """)
        }
        #expect(refused?.sqlState == "CH001")
        #expect(refused?.message.contains("event \(id.postgresText) (stream s, version 1) does not match") == true)
        #expect(try await connection.query("SELECT count(*) FROM events")[0].decode(Int.self, column: 0) == 0)

        try await connection.query(
            """
            INSERT INTO events (epoch, stream_id, stream_version, type, event_id, data, recorded_at, hash)
            VALUES (1, 's', 1, 'StatementRecorded', \(id), '{"n":1}', \(recordedAt)::timestamptz,
                    decode(\(HashChains.hex(right)), 'hex'))
            """)
        // Without a hash, the trigger computes it, as before.
        try await connection.query(
            """
            INSERT INTO events (epoch, stream_id, stream_version, type, event_id, data)
            VALUES (1, 's', 2, 'StatementRecorded', \(UUID()), '{"n":2}')
            """)
        let stored = try await connection.query(
            "SELECT encode(hash, 'hex'), stream_version FROM events ORDER BY stream_version")
        #expect(try stored[0].decode(String.self, column: 0) == HashChains.hex(right))
        let report = try await HashChains.verify(on: connection)
        #expect(report.problems.isEmpty && report.eventsChecked == 2, "\(report.problems)")
        await connection.close()
    }

    @Test("restored events keep their order and come first; then 4 writers, and a reader sees each event once")
    func restoreThenConcurrentWriters() async throws {
        let original = try await TestDatabase.create()
        let source = try await original.store()
        for batch in 0..<6 {
            _ = try await source.append((0..<50).map { event("s-\(($0 + batch) % 10)", batch * 50 + $0) })
        }
        let events = try await Self.exported(source)
        #expect(events.count == 300)

        let database = try await TestDatabase.create()
        let store = try await database.store()
        let restored = try await store.restore { emit in
            for event in events { try emit(event) }
        }
        #expect(restored == 300)
        let afterRestore = try await readEverything(store)
        #expect(afterRestore.map(\.id) == events.map(\.id))
        #expect(afterRestore.map(\.recordedAtMicroseconds) == events.map(\.recordedAtMicroseconds))
        #expect(try await Self.exported(store).map(\.hash) == events.map(\.hash))
        let checkpoint = try #require(afterRestore.last?.logPosition)

        // A second restore is refused: the log is not empty.
        let refusal = await #expect(throws: RestoreRefusal.self) {
            _ = try await store.restore { emit in for event in events { try emit(event) } }
        }
        #expect(refusal?.kind == .notEmpty(events: 300))

        // Four writers append, to restored streams and new ones, while nothing else runs.
        let writers = try await (0..<4).asyncMap { _ in try await database.store() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, writer) in writers.enumerated() {
                group.addTask {
                    for n in 0..<100 {
                        _ = try await writer.append([event(n % 2 == 0 ? "s-\(n % 10)" : "w-\(index)", n)])
                    }
                }
            }
            try await group.waitForAll()
        }
        let tail = try await readEverything(store, after: checkpoint)
        #expect(tail.count == 400)
        #expect(Set(tail.map(\.id)).count == 400)
        let everything = try await readEverything(store)
        #expect(everything.count == 700)
        #expect(Set(everything.map(\.id)).count == 700)
        #expect(Array(everything.prefix(300).map(\.id)) == events.map(\.id))
        for (earlier, later) in zip(everything, everything.dropFirst()) {
            #expect(earlier.logPosition < later.logPosition)
        }
        // The restored streams went on from their restored versions, and every chain holds.
        let connection = try await database.connect()
        let report = try await HashChains.verify(on: connection)
        #expect(report.problems.isEmpty && report.eventsChecked == 700, "\(report.problems)")
        await connection.close()
    }
}
