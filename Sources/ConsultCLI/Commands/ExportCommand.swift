import ArgumentParser
import ConsultCore
import EventStore
import Foundation
import Synchronization

/// `consult export`: the log as JSONL that `consult log --file` takes back.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the log as JSONL that `consult log --file` takes back.",
        discussion: """
            Events come in log order, each with its id, so logging the export into another store reproduces it \
            and logging it again is a no-op. Each line also carries where and when this store recorded the event \
            and its hash ("recorded"); `consult log --file` recomputes the hash chains of such a file and refuses \
            it, writing nothing, if any line was changed, removed or moved. After the events come each stream's \
            head ({"head":{"stream","version","hash"}}, sorted by stream id) and the end line \
            ({"end":{"events","streams","digest"}}, the digest over the event lines' hashes in order), so a file cut \
            short is refused too. `consult restore` loads a whole export into an empty store exactly as it was. \
            Example: consult export > backup.jsonl

            --since POSITION writes only the events after that log position (the positions `consult log` \
            prints); --since TIME (RFC 3339, or a date: the start of that day) those from the first event \
            recorded at or after it. Such a file continues an earlier export: the first line of each stream \
            it does not hold from the start names the event it follows, and `consult log --file` takes it \
            only into a store that holds that event already. Example: consult export --since 2024-05-01 > week.jsonl
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var progress: ProgressOptions

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Only the events after this log position, or recorded at or after this time (RFC 3339 or a date).",
            valueName: "position|time"))
    var since: String?

    func run() async throws {
        let start = try since.map { try LogExport.start($0) }
        let line = progress.line()
        let total = Total()
        var counting: (@Sendable (Int) -> Void)?
        if line.enabled { counting = { count in total.set(count) } }
        try await LogExport.export(
            connection.access, since: start, write: { FileHandle.standardOutput.write(Data($0)) },
            counting: counting, progress: { line.show("exporting", done: $0, of: total.value, "events") })
        line.finish()
    }

    /// The count of events the export holds, once the store has said it.
    private final class Total: Sendable {
        private let count = Mutex<Int?>(nil)
        var value: Int? { count.withLock { $0 } }
        func set(_ value: Int) { count.withLock { $0 = value } }
    }
}
