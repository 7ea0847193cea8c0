import ArgumentParser
import ConsultCore

/// `consult migrate`: applies pending migrations; idempotent, safe when two run at once.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending schema migrations (other commands do this by themselves).")

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let (count, latest) = try await StoreSetup.migrate(connection.access)
        Output.writeLine(
            "The schema is up to date: \(count) migration\(count == 1 ? "" : "s") applied (latest \(latest)).")
    }
}
