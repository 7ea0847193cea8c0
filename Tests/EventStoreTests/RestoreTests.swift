import EmbeddedPostgres
import Foundation
import Postgres
import TestSupport
import Testing

@testable import EventStore

@Suite("A logical backup restored into another cluster")
struct RestoreTests {
    @Test("readers from before the restore and new readers see every event once, new appends included")
    func dumpRestoreThenAppend() async throws {
        // The original store: burn transaction ids so its stored ids are well above a new cluster's.
        let original = try await TestDatabase.create()
        let store = try await original.store()
        let burner = try await original.connect()
        for _ in 0..<1500 { try await burner.query("SELECT pg_current_xact_id()") }
        for n in 0..<50 { _ = try await store.append([event("before-\(n % 5)", n)]) }
        let oldReaderEvents = try await readEverything(store)
        #expect(oldReaderEvents.count == 50)
        let checkpoint = try #require(oldReaderEvents.last?.logPosition)

        // pg_dump → a fresh cluster → pg_restore.
        let binaries = try await ServerBinaries.locate(environment: ProcessInfo.processInfo.environment)
        let folder = FileManager.default.temporaryDirectory.path + "/consult-restore-\(UUID().uuidString.prefix(8))"
        let cluster = EmbeddedCluster(folder: folder, logger: TestDatabase.logger)
        defer { cluster.destroyInBackground(thenRemoving: folder) }
        let target = try await cluster.start()
        let dump = folder + "-dump"
        defer { try? FileManager.default.removeItem(atPath: dump) }
        try await run(
            binaries.directory + "/pg_dump", ["--format=custom", "--file=\(dump)", "--dbname=\(original.url)"])
        try await run(
            binaries.directory + "/pg_restore",
            ["--no-owner", "--exit-on-error", "--dbname=\(target.url)", dump])

        // More appends in the new cluster, whose transaction ids are lower than the stored ones.
        let restoredConnection = try await Connection.connect(
            ConnectionConfiguration(parameters: target.connectionParameters.map { ($0.0, $0.1) }),
            logger: TestDatabase.logger)
        let restored = PostgresEventStore(connection: restoredConnection, logger: TestDatabase.logger)
        for n in 0..<30 { _ = try await restored.append([event("after-\(n % 3)", n)]) }
        let fresh = try await readEverything(restored)
        let newTransactionIDs = fresh.filter { $0.streamID.hasPrefix("after") }.map(\.logPosition.transactionID)
        let oldTransactionIDs = fresh.filter { $0.streamID.hasPrefix("before") }.map(\.logPosition.transactionID)
        #expect(try #require(newTransactionIDs.max()) < (try #require(oldTransactionIDs.min())))

        // A new reader sees all 80 once; the old reader, from its checkpoint, sees the 30 new ones once.
        #expect(fresh.count == 80)
        let distinct = Set(fresh.map(\.id)).count
        #expect(distinct == 80)
        let resumed = try await readEverything(restored, after: checkpoint)
        #expect(resumed.count == 30)
        #expect(resumed.allSatisfy { $0.streamID.hasPrefix("after") })
        // The restored streams continue at the right versions.
        #expect(try await restored.readStreams(["before-0"]).map(\.streamVersion) == Array(1...10))
    }

    private func run(_ executable: String, _ arguments: [String]) async throws {
        let ran = try await SpawnedProcess.run(executable, arguments)
        #expect(ran.status == 0, "\(executable) \(arguments.joined(separator: " ")) failed: \(ran.stderr)")
        guard ran.status == 0 else { throw CancellationError() }
    }
}

@Suite("Log epochs")
struct EpochTests {
    @Test("a cluster whose transaction ids run behind the stored ones starts a new epoch")
    func idsBehindStartNewEpoch() async throws {
        let database = try await TestDatabase.create()
        let store = try await database.store()
        _ = try await store.append([event("a")])
        // As after a data-only restore from a cluster that was further along: a row far ahead.
        let connection = try await database.connect()
        try await connection.query(
            """
            INSERT INTO events (epoch, tx_id, stream_id, stream_version, type, event_id, data)
            VALUES (1, '999999999'::xid8, 'b', 1, 'StatementRecorded', \(UUID()), '{}')
            """)
        let fresh = try await database.store()
        _ = try await fresh.append([event("c")])
        let events = try await readEverything(fresh)
        #expect(events.map(\.streamID) == ["a", "b", "c"])
        #expect(events.last?.logPosition.epoch == 2)
    }
}
