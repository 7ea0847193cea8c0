import Foundation
import Postgres
import TestSupport
import Testing

@testable import EventStore

@Suite("Appending to the log")
struct AppendTests {
    @Test("a batch gets consecutive versions per stream and positions in batch order")
    func versionsAndPositions() async throws {
        let database = try await TestDatabase.create()
        let store = try await database.store()
        let outcomes = try await store.append([event("a"), event("b"), event("a"), event("a")])
        let versions = outcomes.map { outcome -> Int in
            if case .appended(_, _, let version) = outcome { version } else { -1 }
        }
        #expect(versions == [1, 1, 2, 3])
        let positions = outcomes.map(\.position)
        #expect(positions == positions.sorted())
        #expect(try await store.readStreams(["a"]).map(\.streamVersion) == [1, 2, 3])
    }

    @Test("two writers with the same expected version: one wins, the other conflicts and writes nothing")
    func optimisticConcurrency() async throws {
        let database = try await TestDatabase.create()
        let setup = try await database.store()
        _ = try await setup.append([event("shared")])
        let first = try await database.store()
        let second = try await database.store()
        async let one = outcome {
            try await first.append([event("shared", 1, expectedVersion: 1), event("only-first")])
        }
        async let two = outcome {
            try await second.append([event("only-second"), event("shared", 2, expectedVersion: 1)])
        }
        let results = await [one, two]
        let failures = results.compactMap { result -> EventStoreError? in
            if case .failure(let error) = result { error as? EventStoreError } else { nil }
        }
        #expect(results.filter { if case .success = $0 { true } else { false } }.count == 1)
        #expect(failures.count == 1)
        #expect(failures.first?.kind == .concurrencyConflict)
        let everything = try await readEverything(setup)
        #expect(everything.count == 3)
        let streams = Set(everything.map(\.streamID))
        #expect(streams.contains("only-first") != streams.contains("only-second"))
        #expect(try await setup.readStreams(["shared"]).map(\.streamVersion) == [1, 2])
    }

    @Test("a stale expected version is a conflict and nothing of the batch is stored")
    func staleExpectedVersion() async throws {
        let database = try await TestDatabase.create()
        let store = try await database.store()
        _ = try await store.append([event("s"), event("s")])
        await #expect(throws: EventStoreError.self) {
            try await store.append([event("other"), event("s", expectedVersion: 1)])
        }
        #expect(try await readEverything(store).count == 2)
        // Expected version 0 means "the stream must not exist yet".
        await #expect(throws: EventStoreError.self) { try await store.append([event("s", expectedVersion: 0)]) }
        _ = try await store.append([event("new", expectedVersion: 0), event("s", expectedVersion: 2)])
        #expect(try await readEverything(store).count == 4)
    }

    @Test("writers without expectations never conflict with each other")
    func concurrentWritersWithoutExpectations() async throws {
        let database = try await TestDatabase.create()
        let stores = try await [database.store(), database.store(), database.store()]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for store in stores {
                group.addTask {
                    for n in 0..<50 { _ = try await store.append([event("hot", n)]) }
                }
            }
            try await group.waitForAll()
        }
        let versions = try await stores[0].readStreams(["hot"]).map(\.streamVersion)
        #expect(versions == Array(1...150))
    }

    @Test("an event id stored already is a no-op, reported as a duplicate")
    func idempotentByID() async throws {
        let database = try await TestDatabase.create()
        let store = try await database.store()
        let id = UUID()
        let first = try await store.append([event("x", 1, id: id)])
        let again = try await store.append([event("x", 1, id: id), event("y")])
        guard case .appended(let position, "x", 1) = first[0] else {
            Issue.record("first append was \(first)")
            return
        }
        #expect(again[0] == .duplicate(position: position, streamID: "x"))
        #expect(try await readEverything(store).count == 2)
        // Only a duplicate: nothing written, no error, and the expected version is not checked.
        let onlyDuplicate = try await store.append([event("x", 1, id: id, expectedVersion: 7)])
        #expect(onlyDuplicate == [.duplicate(position: position, streamID: "x")])
    }

    @Test("the same id with other content is refused, in the store or within a batch")
    func sameIDOtherContent() async throws {
        let database = try await TestDatabase.create()
        let store = try await database.store()
        let id = UUID()
        _ = try await store.append([event("x", 1, id: id)])
        let stored = await #expect(throws: EventStoreError.self) {
            try await store.append([event("z"), event("x", 2, id: id)])
        }
        #expect(stored?.kind == .eventIDReused)
        #expect(stored?.index == 1)
        let other = UUID()
        let inBatch = await #expect(throws: EventStoreError.self) {
            try await store.append([event("q", 1, id: other), event("q", 2, id: other)])
        }
        #expect(inBatch?.kind == .eventIDReused)
        #expect(try await readEverything(store).count == 1)
        // The same content twice in one batch: written once.
        let twice = try await store.append([event("q", 1, id: other), event("q", 1, id: other)])
        #expect(twice.count == 2)
        #expect(try await readEverything(store).count == 2)
    }

    @Test("the same content is compared as jsonb: key order and spacing do not count, hostile text does")
    func sameContentAsJSONB() async throws {
        let database = try await TestDatabase.create()
        let store = try await database.store()
        let id = UUID()
        let hostile = #"a\"b\\c{}[],\t\n'x' 발언"#
        let first = ProposedEvent(
            id: id, type: "StatementRecorded", stream: .stream("x"),
            data: #"{"s":"\#(hostile)","n":1}"#, metadata: #"{"m":["{\"}"]}"#)
        let outcomes = try await store.append([first])
        // Another event first, so the duplicate goes through the batch path, not the single insert.
        var reordered = first
        reordered.data = #"{ "n" : 1, "s" : "\#(hostile)" }"#
        let again = try await store.append([event("y"), reordered])
        #expect(again[1] == .duplicate(position: outcomes[0].position, streamID: "x"))
        var changed = first
        changed.data = #"{"s":"\#(hostile) ","n":1}"#
        let refused = await #expect(throws: EventStoreError.self) {
            try await store.append([event("y"), changed])
        }
        #expect(refused?.kind == .eventIDReused)
        #expect(refused?.index == 1)
    }

    @Test("corrections go to the stream of the event they target")
    func correctionStreams() async throws {
        let database = try await TestDatabase.create()
        let store = try await database.store()
        let target = UUID()
        let correction = ProposedEvent(
            type: "RecordCorrected", stream: .streamOfEvent(target),
            data: #"{"correctsEventId":"\#(target.uuidString)"}"#)
        let outcomes = try await store.append([event("commitment-c", id: target), correction])
        #expect(outcomes[1] == .appended(position: outcomes[1].position, streamID: "commitment-c", version: 2))
        let later = ProposedEvent(type: "RecordRetracted", stream: .streamOfEvent(target), data: "{}")
        let outcome = try await store.append([later])
        #expect(outcome[0] == .appended(position: outcome[0].position, streamID: "commitment-c", version: 3))
        let missing = await #expect(throws: EventStoreError.self) {
            try await store.append([ProposedEvent(type: "RecordRetracted", stream: .streamOfEvent(UUID()), data: "{}")])
        }
        #expect(missing?.kind == .unknownTargetEvent)
    }

    @Test("UPDATE, DELETE and TRUNCATE on the log fail in the database, for every role setting")
    func appendOnly() async throws {
        let database = try await TestDatabase.create()
        let store = try await database.store()
        _ = try await store.append([event("a")])
        let connection = try await database.connect()
        for statement in ["UPDATE events SET type = 'x'", "DELETE FROM events", "TRUNCATE events"] {
            await #expect(throws: PostgresError.self) { try await connection.execute(unsafeScript: statement) }
        }
        try await connection.execute(unsafeScript: "SET session_replication_role = replica")
        await #expect(throws: PostgresError.self) { try await connection.execute(unsafeScript: "DELETE FROM events") }
        #expect(try await readEverything(store).count == 1)
    }
}

@Suite("Waking followers")
struct AppendNotificationTests {
    @Test("an append that wrote something notifies after its commit; one that wrote nothing does not")
    func notifiesAfterCommit() async throws {
        let database = try await TestDatabase.create()
        let listener = try await database.connect()
        try await listener.listen(PostgresEventStore.notificationChannel)
        let store = try await database.store()
        let id = UUID()
        _ = try await store.append([event("a", id: id)])
        #expect(try await listener.waitForNotifications(timeout: 5).count == 1)
        _ = try await store.append([event("a", id: id)])  // a duplicate: nothing written
        #expect(try await listener.waitForNotifications(timeout: 0.3).isEmpty)
    }
}

@Suite("Large batches")
struct LargeBatchTests {
    @Test("a batch larger than one statement's part is written in order, all or nothing, and re-checked whole")
    func chunkedAppend() async throws {
        let database = try await TestDatabase.create()
        let store = try await database.store()
        let count = appendChunkRows * 2 + 500
        let batch = (0..<count).map { event("big-\($0 % 7)", $0) }
        let outcomes = try await store.append(batch)
        let positions = outcomes.map(\.position)
        #expect(positions == positions.sorted())
        #expect(Set(positions).count == count)
        #expect(try await store.readStreams(["big-0"]).map(\.streamVersion) == Array(1...((count + 6) / 7)))

        // The same batch again: every event a duplicate, across all parts.
        let again = try await store.append(batch)
        #expect(again.allSatisfy { if case .duplicate = $0 { true } else { false } })
        // One changed event in the last part is found and refuses the whole batch.
        var changed = batch
        changed[count - 1].data = #"{"n":-1}"#
        let error = await #expect(throws: EventStoreError.self) { try await store.append(changed) }
        #expect(error?.kind == .eventIDReused)
        #expect(error?.index == count - 1)
    }

    @Test("parts respect both the row and the byte limits")
    func chunking() {
        let small = chunked(Array(0..<25), size: { _ in 1 })
        #expect(small.map(\.count) == [25])
        let byRows = chunked(Array(0..<(appendChunkRows + 1)), size: { _ in 1 })
        #expect(byRows.map(\.count) == [appendChunkRows, 1])
        let byBytes = chunked(Array(0..<5), size: { _ in appendChunkBytes / 2 })
        #expect(byBytes.map(\.count) == [2, 2, 1])
        let huge = chunked([0, 1], size: { _ in appendChunkBytes * 2 })
        #expect(huge.map(\.count) == [1, 1])
    }
}
