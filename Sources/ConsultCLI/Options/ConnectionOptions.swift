import ArgumentParser
import ConsultCore

/// Where the store is. Resolution, first match wins: `--database-url`, `CONSULT_DATABASE_URL`,
/// `DATABASE_URL`, libpq's `PG*` variables when `PGHOST` or `PGDATABASE` is set, else the
/// embedded cluster.
struct ConnectionOptions: ParsableArguments {
    @Option(
        name: .customLong("database-url"),
        help: ArgumentHelp(
            "PostgreSQL URL (default: CONSULT_DATABASE_URL, DATABASE_URL, PG* variables, else the embedded cluster).",
            valueName: "url"))
    var databaseURL: String?

    /// How the use cases reach the store.
    var access: StoreAccess {
        StoreAccess(databaseURL: databaseURL, logger: cliLogger)
    }

    /// Opens the store for a read command, with the views up to date; says on stderr when an open
    /// transaction keeps some committed events out of the answer.
    func openForReading() async throws -> ReadSession {
        let read = try await ReadSession.open(access)
        if let note = ReadSession.heldBackNote(read.heldBack, what: "this answer") {
            Output.error("consult: note: " + note)
        }
        return read
    }
}
