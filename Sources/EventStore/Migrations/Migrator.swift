import Logging
import Postgres

/// Applies pending migrations, in order, each in its own transaction, recorded in
/// `consult_migrations`. Each transaction first takes a transaction-scoped advisory lock and then
/// looks afresh at what is pending, so concurrent migrators apply each migration once: the second
/// waits, then finds nothing left to do. Nothing outlives a transaction, so this works the same
/// behind a pooler that gives each transaction another server session.
public struct Migrator: Sendable {
    /// Advisory lock key: "consult" in ASCII, so it does not collide with other applications' keys.
    static let lockKey: Int64 = 0x636f_6e73_756c_74

    public var migrations: [Migration]
    public var logger: Logger

    public init(migrations: [Migration] = Migration.embedded, logger: Logger) {
        self.migrations = migrations.sorted { $0.version < $1.version }
        self.logger = logger
    }

    /// The versions applied by this call (empty when the schema was already current).
    @discardableResult
    public func migrate(_ connection: Connection) async throws -> [Int] {
        // Cheap check first: most commands find the schema current and take no lock.
        if try await pending(connection).isEmpty { return [] }
        var applied: [Int] = []
        while let migration = try await applyNext(connection) {
            logger.info("applied migration", metadata: ["migration": "\(migration.name)"])
            applied.append(migration.version)
        }
        return applied
    }

    /// How many migrations are applied, and the latest one's version (0 when none is).
    public func applied(_ connection: Connection) async throws -> (count: Int, latest: Int) {
        let rows = try await connection.query("SELECT count(*), max(version) FROM consult_migrations")
        return (try rows[0].decode(Int.self, column: 0), try rows[0].decode(Int?.self, column: 1) ?? 0)
    }

    /// Migrations not yet applied. Throws when the database is ahead of this binary, or a migration
    /// that ran was changed afterwards.
    public func pending(_ connection: isolated Connection) throws -> [Migration] {
        let exists = try connection.query("SELECT to_regclass('consult_migrations') IS NOT NULL")
        guard try exists[0].decode(Bool.self, column: 0) else { return migrations }
        let rows = try connection.query("SELECT version, checksum FROM consult_migrations ORDER BY version")
        var applied: [Int: String] = [:]
        for row in rows {
            applied[try row.decode(Int.self, column: 0)] = try row.decode(String.self, column: 1)
        }
        let known = Set(migrations.map(\.version))
        if let newer = applied.keys.filter({ !known.contains($0) }).max() {
            throw MigrationError(
                message: "The database has migration \(newer), which this consult does not know: upgrade consult.")
        }
        for migration in migrations {
            if let checksum = applied[migration.version], checksum != migration.checksum {
                throw MigrationError(
                    message:
                        "Migration \(migration.name) was changed after it was applied; add a new migration instead.")
            }
        }
        return migrations.filter { applied[$0.version] == nil }
    }

    /// Applies the first pending migration, under the lock, in one transaction; nil when none is left.
    private func applyNext(_ connection: Connection) async throws -> Migration? {
        let lockKey = Self.lockKey
        return try await connection.withTransaction { connection in
            try connection.query("SELECT pg_advisory_xact_lock(\(lockKey))")
            try connection.execute(
                unsafeScript: """
                    CREATE TABLE IF NOT EXISTS consult_migrations (
                        version integer PRIMARY KEY,
                        name text NOT NULL,
                        checksum text NOT NULL,
                        applied_at timestamptz NOT NULL DEFAULT now()
                    )
                    """)
            guard let migration = try pending(connection).first else { return nil }
            try connection.execute(unsafeScript: migration.sql)
            try connection.query(
                """
                INSERT INTO consult_migrations (version, name, checksum)
                VALUES (\(migration.version), \(migration.name), \(migration.checksum))
                """)
            return migration
        }
    }
}

/// A migration could not be applied, or the schema is not one this binary can use.
public struct MigrationError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
