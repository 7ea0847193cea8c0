import EmbeddedPostgres
import EventStore
import Foundation
import Logging
import Postgres

/// Where the store is, resolved as SPEC.md says: an explicit URL (`--database-url`), else
/// `CONSULT_DATABASE_URL`, else `DATABASE_URL`, else libpq's `PG*` variables when `PGHOST` or
/// `PGDATABASE` is set, else the embedded cluster.
public enum DatabaseLocation: Sendable {
    case url(String)
    /// libpq's own `PG*` variables.
    case environment
    case embedded(EmbeddedCluster)

    public static func resolve(
        databaseURL: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger
    ) -> DatabaseLocation {
        func value(_ name: String) -> String? {
            guard let value = environment[name], !value.isEmpty else { return nil }
            return value
        }
        if let url = databaseURL, !url.isEmpty { return .url(url) }
        if let url = value("CONSULT_DATABASE_URL") { return .url(url) }
        if let url = value("DATABASE_URL") { return .url(url) }
        if value("PGHOST") != nil || value("PGDATABASE") != nil { return .environment }
        return .embedded(embeddedCluster(environment: environment, logger: logger))
    }

    /// Whether libpq can take `text`: a `postgresql://` or `postgres://` URI, or `key=value` pairs.
    public static func looksLikeConnectionString(_ text: String) -> Bool {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("postgresql://") || trimmed.hasPrefix("postgres://") { return true }
        return trimmed.split(separator: " ").allSatisfy { pair in
            guard let equals = pair.firstIndex(of: "=") else { return false }
            return pair[..<equals].allSatisfy { $0.isLetter || $0 == "_" } && equals != pair.startIndex
        }
    }

    /// The embedded cluster of this user (`$XDG_DATA_HOME/consult`).
    public static func embeddedCluster(
        environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger
    ) -> EmbeddedCluster {
        EmbeddedCluster(
            folder: EmbeddedCluster.defaultFolder(environment: environment), logger: logger, environment: environment)
    }
}

/// How a use case reaches the store: where it is, and the logger to use. Every use case opens
/// its own connections from it.
public struct StoreAccess: Sendable {
    /// The URL given explicitly (`--database-url`), if any; see `DatabaseLocation`.
    public var databaseURL: String?
    public var logger: Logger

    public init(databaseURL: String?, logger: Logger) {
        self.databaseURL = databaseURL
        self.logger = logger
    }

    /// Opens a connection to the store (starting the embedded cluster when that is the store) and
    /// applies pending migrations.
    public func open() async throws -> StoreSession {
        try await StoreSession.open(self)
    }

    /// Runs `body` on a session of its own, closed however `body` ends.
    public func withSession<Result>(_ body: (StoreSession) async throws -> Result) async throws -> Result {
        let session = try await open()
        do {
            let result = try await body(session)
            await session.close()
            return result
        } catch {
            await session.close()
            throw error
        }
    }
}

/// An open, migrated store for one use case.
public struct StoreSession: Sendable {
    public let connection: Connection
    public let store: PostgresEventStore

    /// Connects (starting the embedded cluster when that is the store), applies pending migrations.
    public static func open(_ access: StoreAccess) async throws -> StoreSession {
        let logger = access.logger
        var configuration: ConnectionConfiguration
        switch DatabaseLocation.resolve(databaseURL: access.databaseURL, logger: logger) {
        case .url(let url):
            guard DatabaseLocation.looksLikeConnectionString(url) else {
                // The value is not repeated: a mistyped URL may hold a password.
                throw ConsultFailure(
                    .usage,
                    "The database URL (--database-url, CONSULT_DATABASE_URL or DATABASE_URL) is not a PostgreSQL "
                        + "URL: it starts with postgresql:// (postgresql://user@host:5432/consult), or is a libpq "
                        + "connection string (host=… dbname=…).")
            }
            configuration = .url(url)
        case .environment:
            configuration = .environment
        case .embedded(let cluster):
            let target = try await cluster.start()
            configuration = ConnectionConfiguration(parameters: target.connectionParameters.map { ($0.0, $0.1) })
        }
        configuration.pooler = try Self.pooler()
        let connection = try await Connection.connect(configuration, logger: logger)
        do {
            try await Migrator(logger: logger).migrate(connection)
        } catch {
            await connection.close()
            throw error
        }
        return StoreSession(connection: connection, store: PostgresEventStore(connection: connection, logger: logger))
    }

    /// `CONSULT_POOLER` (`transaction`, `session` or `none`): the connection pooler between consult
    /// and the server; unset, consult finds out when it connects (see `Connection.pooler`).
    static func pooler(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> ConnectionConfiguration.Pooler? {
        guard let value = environment["CONSULT_POOLER"], !value.isEmpty else { return nil }
        guard let pooler = ConnectionConfiguration.Pooler(rawValue: value.lowercased()) else {
            throw ConsultFailure(
                .usage,
                "CONSULT_POOLER is \"\(value)\"; it takes transaction, session or none (or is left unset, "
                    + "and consult finds out).")
        }
        return pooler
    }

    /// Has the database cancel any statement of this session that runs longer than `seconds`
    /// (SQLSTATE 57014, see `DatabaseRefusal.wasCancelled`). Only on a session of its own: through
    /// a transaction pooler the setting would reach other clients, so there it is not made.
    public func limitStatementTime(seconds: Int) async throws {
        guard await connection.keepsSession else { return }
        _ = try await connection.query("SELECT set_config('statement_timeout', \("\(seconds)s"), false)")
    }

    /// Closes the connection.
    public func close() async {
        await connection.close()
    }
}
