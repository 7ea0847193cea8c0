import ArgumentParser
import EventStore
import Postgres

/// `consult migrate`: applies pending migrations; idempotent, safe when two run at once.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending schema migrations (other commands do this by themselves).")

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let session = try await StoreSession.open(connection, logger: cliLogger)
        // StoreSession.open migrated already; report the state.
        let rows = try await session.connection.query("SELECT count(*), max(version) FROM consult_migrations")
        let count = try rows[0].decode(Int.self, column: 0)
        let latest = try rows[0].decode(Int?.self, column: 1) ?? 0
        Output.writeLine(
            "The schema is up to date: \(count) migration\(count == 1 ? "" : "s") applied (latest \(latest)).")
    }
}
