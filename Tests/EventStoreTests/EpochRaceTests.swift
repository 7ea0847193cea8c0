import Foundation
import Postgres
import Synchronization
import TestSupport
import Testing

@testable import EventStore

/// consult_log_epoch() must not start a new epoch because other writers commit while it runs:
/// writers that cached the old epoch would then write behind readers in the new one.
@Suite("the epoch under concurrent writers")
struct EpochRaceTests {
    @Test("asking for the epoch while three writers commit never starts a second epoch")
    func noSpuriousEpoch() async throws {
        let database = try await TestDatabase.create()
        let asker = try await database.connect()
        let writing = Atomic<Bool>(true)
        // Before the fix, this failed within a few hundred calls: the function took the next
        // transaction id first and read the newest stored one after another writer had committed.
        async let asked: (calls: Int, other: Int) = {
            var calls = 0
            var other = 0
            while writing.load(ordering: .acquiring) {
                let epoch = try await asker.query("SELECT consult_log_epoch()")[0].decode(Int32.self, column: 0)
                if epoch != 1 { other += 1 }
                calls += 1
            }
            return (calls, other)
        }()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<3 {
                group.addTask {
                    let store = try await database.store()
                    for n in 0..<400 { _ = try await store.append([event("epoch-race-\(writer)-\(n % 10)", n)]) }
                }
            }
            try await group.waitForAll()
        }
        writing.store(false, ordering: .releasing)
        let (calls, other) = try await asked
        #expect(calls > 50)
        #expect(other == 0, "\(other) of \(calls) calls answered another epoch than 1")
        let epochs = try await asker.query("SELECT count(*) FROM consult_log_epochs")[0].decode(Int64.self, column: 0)
        #expect(epochs == 1)
        await asker.close()
    }
}
