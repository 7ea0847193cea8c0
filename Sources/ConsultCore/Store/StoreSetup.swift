import EmbeddedPostgres
import EventStore
import Foundation
import Logging
import Postgres

/// `consult migrate`: the schema brought up to date (opening a store does it), and what it holds.
public enum StoreSetup {
    /// Applies pending migrations; returns how many are applied in all and the latest version.
    public static func migrate(_ access: StoreAccess) async throws -> (count: Int, latest: Int) {
        try await access.withSession { try await Migrator(logger: access.logger).applied($0.connection) }
    }

    /// Creates (on first use) and starts the embedded cluster, and applies migrations to it.
    public static func startEmbedded(logger: Logger) async throws -> EmbeddedConnectionTarget {
        let cluster = DatabaseLocation.embeddedCluster(logger: logger)
        let target = try await cluster.start()
        let connection = try await Connection.connect(
            ConnectionConfiguration(parameters: target.connectionParameters.map { ($0.0, $0.1) }), logger: logger)
        do {
            try await Migrator(logger: logger).migrate(connection)
            await connection.close()
        } catch {
            await connection.close()
            throw error
        }
        return target
    }
}
