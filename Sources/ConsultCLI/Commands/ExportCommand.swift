import ArgumentParser
import ConsultCore
import Foundation

/// `consult export`: the log as JSONL that `consult log --file` takes back.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the whole log as JSONL that `consult log --file` takes back.",
        discussion: """
            Events come in log order, each with its id, so logging the export into another store reproduces it \
            and logging it again is a no-op. Each line also carries where and when this store recorded the event \
            and its hash ("recorded"); `consult log --file` recomputes the hash chains of such a file and refuses \
            it, writing nothing, if any line was changed, removed or moved. Example: consult export > backup.jsonl
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var progress: ProgressOptions

    func run() async throws {
        let line = progress.line()
        let total = line.enabled ? try? await StoreStatus.eventCount(connection.access) : nil
        try await LogExport.export(
            connection.access, write: { FileHandle.standardOutput.write(Data($0)) },
            progress: { line.show("exporting", done: $0, of: total, "events") })
        line.finish()
    }

}
