import EmbeddedPostgres
import EventStore
import Foundation
import Logging
import Postgres

/// Where the store is, resolved as SPEC.md says.
enum DatabaseLocation {
    case url(String)
    /// libpq's own `PG*` variables.
    case environment
    case embedded(EmbeddedCluster)

    static func resolve(
        _ options: ConnectionOptions, environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger
    ) -> DatabaseLocation {
        func value(_ name: String) -> String? {
            guard let value = environment[name], !value.isEmpty else { return nil }
            return value
        }
        if let url = options.databaseURL, !url.isEmpty { return .url(url) }
        if let url = value("CONSULT_DATABASE_URL") { return .url(url) }
        if let url = value("DATABASE_URL") { return .url(url) }
        if value("PGHOST") != nil || value("PGDATABASE") != nil { return .environment }
        return .embedded(embeddedCluster(environment: environment, logger: logger))
    }

    static func embeddedCluster(
        environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger
    ) -> EmbeddedCluster {
        EmbeddedCluster(
            folder: EmbeddedCluster.defaultFolder(environment: environment), logger: logger, environment: environment)
    }
}

/// An open, migrated store for one command.
struct StoreSession {
    let connection: Connection
    let store: PostgresEventStore

    /// Connects (starting the embedded cluster when that is the store), applies pending migrations.
    static func open(_ options: ConnectionOptions, logger: Logger) async throws -> StoreSession {
        let configuration: ConnectionConfiguration
        switch DatabaseLocation.resolve(options, logger: logger) {
        case .url(let url):
            configuration = .url(url)
        case .environment:
            configuration = .environment
        case .embedded(let cluster):
            let target = try await cluster.start()
            configuration = ConnectionConfiguration(parameters: target.connectionParameters.map { ($0.0, $0.1) })
        }
        let connection = try await Connection.connect(configuration, logger: logger)
        try await Migrator(logger: logger).migrate(connection)
        return StoreSession(connection: connection, store: PostgresEventStore(connection: connection, logger: logger))
    }
}
