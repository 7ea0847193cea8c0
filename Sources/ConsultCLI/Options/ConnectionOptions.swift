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
    /// transaction keeps some committed events out of the answer. A long catch-up (the first read
    /// after a large load) shows its progress on stderr when it is a terminal.
    func openForReading() async throws -> ReadSession {
        let line = ProgressLine()
        let read: ReadSession
        do {
            var catchingUp: (@Sendable (Int, Int) -> Void)?
            if line.enabled {
                catchingUp = { done, total in line.show("catching up views", done: done, of: total, "events") }
            }
            read = try await ReadSession.open(access, catchingUp: catchingUp)
            line.finish()
        } catch {
            line.finish()
            throw error
        }
        if let note = ReadSession.heldBackNote(read.heldBack, what: "this answer") {
            Output.error("consult: note: " + note)
        }
        return read
    }
}
