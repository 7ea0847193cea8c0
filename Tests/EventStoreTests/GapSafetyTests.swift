import Foundation
import Postgres
import Synchronization
import TestSupport
import Testing

@testable import EventStore

@Suite("Gap-safe reading of the log")
struct GapSafetyTests {
    static let writers = 4
    static let eventsPerWriter = 5_000

    @Test("a tailing reader sees every event exactly once, even one that commits late")
    func tailingReaderUnderConcurrentWriters() async throws {
        // A cluster of its own: the transaction it holds open would hold back other tests' reads.
        try await TestDatabase.onPrivateServer { try await Self.tailingReaderUnderConcurrentWritersOn($0) }
    }

    static func tailingReaderUnderConcurrentWritersOn(_ database: TestDatabase) async throws {
        let reader = try await database.store()
        let writersDone = Mutex(false)
        let lateID = UUID()
        let expected = Self.writers * Self.eventsPerWriter + 1

        // The reader tails the log the whole time, checking order and counting every event.
        async let tail: (ids: Set<UUID>, count: Int, lateWasLate: Bool) = {
            var seen = Set<UUID>()
            var count = 0
            var checkpoint = LogPosition.start
            var highestPosition: Int64 = 0
            var lateWasLate = false
            while true {
                // Finished when the writers are done and, before this read, nothing was held back:
                // other tests share the cluster, and a transaction of theirs may hold the log back.
                let done = writersDone.withLock { $0 }
                let settled = done ? try await reader.status().eventsHeldBack == 0 : false
                let page = try await reader.readAll(after: checkpoint, limit: 500)
                for event in page {
                    #expect(event.logPosition > checkpoint)
                    checkpoint = event.logPosition
                    count += 1
                    seen.insert(event.id)
                    if event.id == lateID { lateWasLate = event.position < highestPosition }
                    highestPosition = max(highestPosition, event.position)
                }
                if page.isEmpty {
                    if settled { return (seen, count, lateWasLate) }
                    try await Task.sleep(for: .milliseconds(2))
                }
            }
        }()

        // One transaction takes its position first and commits after many others: it stays open
        // until the writers have committed a few hundred events (at most 30 s, for a loaded machine).
        let late = try await database.connect()
        let lateHasPosition = Mutex(false)
        let appended = AppendCounter()
        // The epoch first, outside the late transaction, as `append` does: on a fresh database the
        // late transaction would otherwise create it, and every writer would wait for it to commit.
        let epoch = try await reader.currentEpoch()
        // Returns how many events with higher positions other transactions committed meanwhile.
        async let lateWriter: Int = late.withTransaction { connection in
            let outcome = try PostgresEventStore.appendBatch(
                [event("late", id: lateID)], epoch: epoch, on: connection)
            lateHasPosition.withLock { $0 = true }
            let deadline = Date().addingTimeInterval(30)
            while appended.count < 300, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
            Thread.sleep(forTimeInterval: 0.5)
            // Read committed: this statement sees what the others committed while we waited.
            let rows = try connection.query("SELECT count(*) FROM events WHERE position > \(outcome[0].position)")
            return try rows[0].decode(Int.self, column: 0)
        }
        while !lateHasPosition.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }

        let stores = try await (0..<Self.writers).asyncMap { _ in try await database.store() }
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (writer, store) in stores.enumerated() {
                group.addTask {
                    for n in 0..<Self.eventsPerWriter {
                        _ = try await store.append([event("writer-\(writer)-\(n % 50)", n)])
                        appended.increment()
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = ContinuousClock.now - started
        let committedPastLate = try await lateWriter
        writersDone.withLock { $0 = true }
        let result = try await tail
        // Plain values, so a failure prints numbers rather than 20,000 ids.
        let eventsRead = result.count
        let distinctEventsRead = result.ids.count
        let sawLateEvent = result.ids.contains(lateID)
        let lateWasLate = result.lateWasLate

        #expect(eventsRead == expected)
        #expect(distinctEventsRead == expected)
        #expect(sawLateEvent)
        #expect(committedPastLate > 0, "others should have committed past the late event's position first")
        #expect(!lateWasLate, "the late event is read in transaction order, before the events that followed it")
        let rate = Double(Self.writers * Self.eventsPerWriter) / elapsed.seconds
        print(
            "gap safety: \(eventsRead) events read, \(distinctEventsRead) distinct, of \(expected); "
                + "\(committedPastLate) committed past the late one; writers appended \(Int(rate)) events/s")
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}

/// Events appended so far, shared by the writers and the late transaction.
final class AppendCounter: Sendable {
    private let value = Mutex(0)
    var count: Int { value.withLock { $0 } }
    func increment() { value.withLock { $0 += 1 } }
}

@Suite("What holds the log back")
struct HeldBackTests {
    @Test("a transaction left idle holds readers back, and status names it; when it ends readers catch up")
    func idleTransactionIsShown() async throws {
        // A cluster of its own: the transaction it holds open would hold back other tests' reads.
        try await TestDatabase.onPrivateServer { try await Self.idleTransactionIsShownOn($0) }
    }

    static func idleTransactionIsShownOn(_ database: TestDatabase) async throws {
        let store = try await database.store()
        let idle = try await database.connect()
        let idlePID = try await idle.query("SELECT pg_backend_pid()")[0].decode(Int.self, column: 0)
        try await idle.execute(unsafeScript: "BEGIN")
        try await idle.query("SELECT pg_current_xact_id()")  // takes a transaction id, as a writer does
        _ = try await store.append([event("after-idle")])
        let status = try await store.status()
        #expect(status.eventsHeldBack >= 1)
        let writer = try #require(status.oldestWriter)
        #expect(writer.pid == idlePID)
        #expect(writer.state == "idle in transaction")
        #expect(try await store.readAll(after: .start, limit: 10).isEmpty)
        try await idle.execute(unsafeScript: "ROLLBACK")
        #expect(try await readEverything(store).count == 1)
    }
}
