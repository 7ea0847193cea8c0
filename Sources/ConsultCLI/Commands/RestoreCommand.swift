import ArgumentParser
import ConsultCore
import Foundation

/// `consult restore PATH|-`: loads a whole export into an empty store, exactly.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Load an export into an empty store exactly as it was stored, then build the views.",
        discussion: """
            Takes the output of `consult export` (a whole export, not one made with --since) and stores every \
            event as the exporting store held it: its id, its place in the log, its stream version, its recording \
            time, its schema version and its hash. The restored store answers every question as the original did, \
            --recorded-as-of included, and its export is the same file byte for byte. Use - to read stdin.

            The store must be empty. The file is checked as it streams in: each line's shape, each stream's \
            versions and hashes (recomputed by the store), each stream's head and the end line, so that a line \
            changed, removed, moved or cut off refuses the whole file, naming the line (exit 65, nothing written).

            To move a record to a new database: write the export with `consult export > backup.jsonl` against \
            the old store, then run `restore backup.jsonl` with --database-url naming the new, empty database. \
            --no-views leaves the views to `consult project` or the first read.
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var progress: ProgressOptions

    @Argument(help: ArgumentHelp("The export to restore, or - for stdin.", valueName: "path"))
    var file: String

    @Flag(help: "Leave the views to be built later (by consult project, or the first read).")
    var noViews = false

    func run() async throws {
        let (handle, sourceName) = try InputFile.open(file, takes: "restore takes an export file")
        let line = progress.line()
        let size = LogFileCommand.size(of: handle)
        let restored = try await LogFileCommand.recording(line) {
            try await LogRestore.restore(handle, sourceName: sourceName, access: connection.access) { done in
                line.show("restoring (\(done.events) events)", bytes: done.bytes, of: size)
            }
        }
        let seconds = Date().timeIntervalSince(line.started)
        Output.writeLine(
            "Restored \(restored.events) event\(restored.events == 1 ? "" : "s") in \(restored.streams) "
                + "stream\(restored.streams == 1 ? "" : "s") in \(String(format: "%.2f", seconds)) s "
                + "(\(Int(Double(restored.events) / max(seconds, 0.001))) events/s); every hash, stream head and the "
                + "end line check out.")
        guard !noViews else { return }
        // The views, as `consult project` builds them: at once, rather than on the first read.
        let views = progress.line()
        let held = try await ProjectionWorker(access: connection.access).catchUp(
            shouldStop: { false },
            progress: { views.show("building views", done: $0, of: restored.events, "events") })
        views.finish()
        if let note = ReadSession.heldBackNote(held, what: "the views") { Output.error("consult: note: " + note) }
    }
}
