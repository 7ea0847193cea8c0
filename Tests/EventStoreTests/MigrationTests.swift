import Foundation
import Postgres
import TestSupport
import Testing

@testable import EventStore

@Suite("Migrations")
struct MigrationTests {
    @Test("the migrations embedded in the binary are exactly the files in migrations/")
    func embeddedMatchFiles() throws {
        let folder = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("migrations")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".sql") }.sorted()
        #expect(files.map { String($0.dropLast(4)) } == Migration.embedded.map(\.name))
        for (file, migration) in zip(files, Migration.embedded) {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            #expect(
                text.trimmingCharacters(in: .whitespacesAndNewlines)
                    == migration.sql.trimmingCharacters(in: .whitespacesAndNewlines),
                "run tools/generate-migrations after changing \(file)")
        }
    }

    @Test("two migrators at once both succeed and each migration is applied once")
    func concurrentMigrators() async throws {
        let database = try await TestDatabase.create(migrated: false)
        let one = try await database.connect()
        let two = try await database.connect()
        let logger = TestDatabase.logger
        async let first = Migrator(logger: logger).migrate(one)
        async let second = Migrator(logger: logger).migrate(two)
        let applied = try await [first, second]
        #expect(applied.flatMap { $0 }.sorted() == Migration.embedded.map(\.version))
        let rows = try await one.query("SELECT count(*) FROM consult_migrations")
        #expect(try rows[0].decode(Int.self, column: 0) == Migration.embedded.count)
        #expect(try await Migrator(logger: logger).migrate(one) == [])
    }

    @Test("a migration changed after it was applied is refused")
    func changedMigration() async throws {
        let database = try await TestDatabase.create()
        let connection = try await database.connect()
        var edited = Migration.embedded
        edited[0].sql += "\n-- edited"
        await #expect(throws: MigrationError.self) {
            try await Migrator(migrations: edited, logger: TestDatabase.logger).migrate(connection)
        }
    }

    @Test("migration 0007 chains the events stored before it exactly as the trigger chains new ones")
    func hashChainBackfill() async throws {
        let database = try await TestDatabase.create(migrated: false)
        let connection = try await database.connect()
        let logger = TestDatabase.logger
        let before = Migration.embedded.filter { $0.version < 7 }
        _ = try await Migrator(migrations: before, logger: logger).migrate(connection)
        let store = PostgresEventStore(connection: connection, logger: logger)
        for n in 0..<60 { _ = try await store.append([event("s-\(n % 7)", n)]) }
        #expect(
            try await Migrator(logger: logger).migrate(connection)
                == Migration.embedded.map(\.version).filter { $0 >= 7 })

        let backfilled = try await HashChains.verify(on: connection)
        #expect(backfilled.problems.isEmpty, "\(backfilled.problems)")
        #expect(backfilled.eventsChecked == 60 && backfilled.streamsChecked == 7)
        // New appends chain onto the backfilled hashes.
        for n in 60..<80 { _ = try await store.append([event("s-\(n % 9)", n)]) }
        let after = try await HashChains.verify(on: connection)
        #expect(after.problems.isEmpty, "\(after.problems)")
        #expect(after.eventsChecked == 80 && after.streamsChecked == 9)
        await connection.close()
    }
}
