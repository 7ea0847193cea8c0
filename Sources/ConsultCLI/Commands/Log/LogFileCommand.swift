import ArgumentParser
import ConsultCore
import Foundation

/// `consult log --file PATH|-`: appends JSONL events, all or nothing.
struct LogFileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "file",
        abstract: "Append events from a JSONL file (one event per line), all or nothing.",
        discussion: """
            Each line is {"type": …, "data": {…}, "id"?: UUID, "expectedVersion"?: n, "metadata"?: {…}}. \
            An event whose id is already stored is skipped and reported. Use --file - to read stdin.

            Example: consult log --file examples/events.jsonl
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var progress: ProgressOptions

    @Option(name: .long, help: ArgumentHelp("JSONL file to append, or - for stdin.", valueName: "path"))
    var file: String

    @Flag(help: "Check the events against the rules and the store, and write nothing.")
    var dryRun = false

    func run() async throws {
        let (handle, sourceName) = try InputFile.open(file, takes: "--file takes a JSONL file")
        let line = progress.line()
        let size = Self.size(of: handle)
        let reader = EventFileReader(handle: handle, sourceName: sourceName) { progress in
            Self.show(progress, on: line, size: size)
        }
        let summary = try await Self.recording(line) {
            try await EventRecorder.record(
                reader, sourceName: sourceName, access: connection.access, dryRun: dryRun,
                progress: { Self.show($0, on: line) })
        }
        guard summary.events > 0 else {
            Output.writeLine("No events in \(file == "-" ? "the input" : file); nothing was written.")
            return
        }
        guard !dryRun else {
            Output.writeLine("All \(summary.events) events pass the rules (dry run: nothing was written).")
            return
        }
        if let streams = summary.exportStreams {
            Output.writeLine(
                "The export's hash chains check out: \(summary.events) events in \(streams) streams, "
                    + "none changed, removed or moved.")
        }
        if let first = summary.firstPosition, let last = summary.lastPosition {
            var range = first == last ? "position \(first)" : "positions \(first)–\(last)"
            if let skipped = summary.positionsSkipped {
                let gap =
                    skipped.count == 1
                    ? "position \(skipped.lowerBound) holds"
                    : "positions \(skipped.lowerBound)–\(skipped.upperBound) hold"
                range +=
                    "; \(gap) no event: positions are never reused, and a batch that was refused, rolled back "
                    + "or is still open takes them"
            }
            Output.writeLine("Recorded \(summary.appended) event\(summary.appended == 1 ? "" : "s") (\(range)).")
        } else {
            Output.writeLine("Recorded no new events.")
        }
        if summary.duplicates > 0 {
            let count = summary.duplicates
            let shown = summary.duplicateLines.map(String.init).joined(separator: ", ")
            let more = count > summary.duplicateLines.count ? ", …" : ""
            Output.writeLine(
                "\(count) event\(count == 1 ? " was" : "s were") already recorded "
                    + "(same id), skipped: line\(count == 1 ? "" : "s") \(shown)\(more).")
        }
    }

    /// Reading shows the bytes read of the input's size (unknown for a pipe), then the checks,
    /// then the events written of those the batch writes.
    static func show(_ progress: RecordingProgress, on line: ProgressLine, size: Int? = nil) {
        switch progress {
        case .read(_, let bytes): line.show("reading and checking lines", bytes: bytes, of: size)
        case .checking(let events): line.show("checking \(events) events against the rules and the log…")
        case .appending(let events):
            line.restart()
            line.show("writing \(events) events…")
        case .writing(let done, let total): line.show("writing", done: done, of: total, "events")
        }
    }

    /// The size of what `handle` reads, when it is a regular file (a path, or stdin redirected
    /// from one); nil for a pipe or a terminal.
    static func size(of handle: FileHandle) -> Int? {
        var status = stat()
        guard fstat(handle.fileDescriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
        return Int(status.st_size)
    }

    /// Runs `body`, clearing the progress line however it ends.
    static func recording<T>(_ line: ProgressLine, _ body: () async throws -> T) async throws -> T {
        do {
            let result = try await body()
            line.finish()
            return result
        } catch {
            line.finish()
            throw error
        }
    }
}
