import EmbeddedPostgres
import EventStore
import Foundation
import Logging
import Postgres

/// A database of its own for one test, on a throwaway cluster shared by the test process.
///
/// Databases are never dropped while the tests run: DROP DATABASE holds a transaction id through
/// the checkpoint it forces, which on a loaded machine lasts a minute, and a snapshot's xmin is
/// cluster-wide, so every gap-safe read of every other test would wait for it. The whole cluster
/// goes when the test process exits.
///
/// The cluster is an `EmbeddedCluster` in a temporary folder, started on first use and stopped and
/// removed when the test process exits. Set `CONSULT_TEST_DATABASE_URL` to use another server
/// (a role that may create databases) instead.
public struct TestDatabase: Sendable {
    public let name: String
    public let configuration: ConnectionConfiguration
    /// A `postgresql://` URL for the database, for the `consult` command.
    public let url: String

    public static let logger = Logger(label: "consult.tests")

    /// Creates an empty database; `migrated` applies the embedded migrations to it.
    public static func create(migrated: Bool = true) async throws -> TestDatabase {
        try await create(on: TestServer.shared.value, migrated: migrated)
    }

    /// Creates a database on `server` (the shared one, or a test's own from `TestServer.startPrivate()`).
    public static func create(on server: TestServer, migrated: Bool = true) async throws -> TestDatabase {
        let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let admin = try await Connection.connect(server.configuration, logger: logger)
        try await admin.execute(unsafeScript: "CREATE DATABASE \(name)")
        await admin.close()
        let database = TestDatabase(
            name: name, configuration: server.configuration.database(name), url: server.url(database: name))
        if migrated {
            let connection = try await database.connect()
            try await Migrator(logger: logger).migrate(connection)
            await connection.close()
        }
        return database
    }

    /// Runs `body` with a database on a cluster of the test's own (see `TestServer.startPrivate()`),
    /// then removes the cluster.
    public static func onPrivateServer<Result>(
        migrated: Bool = true, _ body: (TestDatabase) async throws -> Result
    ) async throws -> Result {
        let server = try await TestServer.startPrivate()
        do {
            let result = try await body(create(on: server, migrated: migrated))
            await server.destroy()
            return result
        } catch {
            await server.destroy()
            throw error
        }
    }

    public func connect() async throws -> Connection {
        try await Connection.connect(configuration, logger: Self.logger)
    }

    public func store() async throws -> PostgresEventStore {
        PostgresEventStore(connection: try await connect(), logger: Self.logger)
    }

}

/// The server tests create their databases on.
public struct TestServer: Sendable {
    public let configuration: ConnectionConfiguration
    let urlBase: String
    let urlQuery: String
    /// The cluster, when the tests started one themselves.
    public let cluster: EmbeddedCluster?

    public func url(database: String) -> String {
        "\(urlBase)/\(database)\(urlQuery)"
    }

    /// Started once per test process.
    public static let shared = Task<TestServer, any Error> {
        if let url = ProcessInfo.processInfo.environment["CONSULT_TEST_DATABASE_URL"] {
            // postgresql://user@host:port/db?params — keep everything but the database name.
            guard let components = URLComponents(string: url) else {
                throw PostgresError(kind: .client, message: "CONSULT_TEST_DATABASE_URL is not a URL.")
            }
            var base = components
            base.path = ""
            base.query = nil
            let query = components.query.map { "?\($0)" } ?? ""
            return TestServer(
                configuration: .url(url), urlBase: base.string ?? url, urlQuery: query, cluster: nil)
        }
        await removeClustersOfDeadTestRuns()
        let folder = FileManager.default.temporaryDirectory.path + "/consult-tests-\(getpid())"
        let cluster = EmbeddedCluster(folder: folder, logger: TestDatabase.logger)
        registerCleanup(cluster)
        return try await start(cluster, raisingConnectionLimit: true)
    }

    /// A cluster of the test's own, for a test that holds a transaction open on purpose or writes
    /// for long: a snapshot's xmin is cluster-wide, so on the shared cluster such a transaction
    /// holds back the gap-safe reads of every other test running meanwhile. Call `destroy()` when
    /// done. With `CONSULT_TEST_DATABASE_URL` set, this is the shared server (nothing to destroy).
    public static func startPrivate() async throws -> TestServer {
        if ProcessInfo.processInfo.environment["CONSULT_TEST_DATABASE_URL"] != nil {
            return try await shared.value
        }
        let folder =
            FileManager.default.temporaryDirectory.path + "/consult-tests-\(getpid())-\(UUID().uuidString.prefix(8))"
        return try await start(
            EmbeddedCluster(folder: folder, logger: TestDatabase.logger), raisingConnectionLimit: false)
    }

    /// Stops and removes a cluster from `startPrivate()`; nothing for the shared one.
    public func destroy() async {
        guard let cluster, cluster.folder != clusterToDestroy?.folder else { return }
        try? await cluster.destroy()
        try? FileManager.default.removeItem(atPath: cluster.folder)
    }

    private static func start(_ cluster: EmbeddedCluster, raisingConnectionLimit: Bool) async throws -> TestServer {
        var target = try await cluster.start()
        // The tests run dozens of `consult` processes at once against this one cluster, each with
        // its connections, beside the tests' own: PostgreSQL's default of 100 connections is a
        // limit of this harness on a loaded machine, not of the product.
        let admin = try await Connection.connect(
            ConnectionConfiguration(parameters: target.connectionParameters.map { ($0.0, $0.1) }),
            logger: TestDatabase.logger)
        let limit = try await admin.query("SHOW max_connections")[0].decode(String.self, column: 0)
        if raisingConnectionLimit, (Int(limit) ?? 0) < 400 {
            try await admin.execute(unsafeScript: "ALTER SYSTEM SET max_connections = 400")
            await admin.close()
            try await cluster.stop()
            target = try await cluster.start()
        } else {
            await admin.close()
        }
        let hostQuery = target.socketDirectory.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        return TestServer(
            configuration: ConnectionConfiguration(parameters: target.connectionParameters.map { ($0.0, $0.1) }),
            urlBase: "postgresql://\(target.user)@",
            urlQuery: "?host=\(hostQuery)&port=\(target.port)",
            cluster: cluster)
    }
}

/// A test process that crashed or was killed leaves its cluster running; the next run removes it.
private func removeClustersOfDeadTestRuns() async {
    let temporary = FileManager.default.temporaryDirectory.path
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? []
    for entry in entries where entry.hasPrefix("consult-tests-") {
        // consult-tests-PID, or consult-tests-PID-SUFFIX for a test's private cluster.
        let owner = entry.dropFirst("consult-tests-".count).split(separator: "-").first ?? ""
        guard let pid = Int32(owner), pid != getpid(),
            kill(pid, 0) != 0, errno == ESRCH
        else { continue }
        try? await EmbeddedCluster(folder: temporary + "/" + entry, logger: TestDatabase.logger).destroy()
        try? FileManager.default.removeItem(atPath: temporary + "/" + entry)
    }
}

nonisolated(unsafe) private var clusterToDestroy: EmbeddedCluster?

/// At exit nothing can be awaited, so the cluster is destroyed with the blocking variant, which stops the server
/// by signalling it rather than by spawning `pg_ctl` (see `EmbeddedCluster.destroyBlocking()`).
private func registerCleanup(_ cluster: EmbeddedCluster) {
    clusterToDestroy = cluster
    atexit {
        guard let cluster = clusterToDestroy else { return }
        try? cluster.destroyBlocking()
        try? FileManager.default.removeItem(atPath: cluster.folder)
    }
}
