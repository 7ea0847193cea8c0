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
        let parsed: EventFileParser.Parsed
        do {
            parsed = try EventFileParser.parse(handle, sourceName: sourceName) { progress in
                Self.show(progress, on: line, size: size)
            }
        } catch {
            line.finish()
            throw error
        }
        guard !parsed.events.isEmpty else {
            Output.writeLine("No events in \(file == "-" ? "the input" : file); nothing was written.")
            return
        }
        let recorded = try await Self.recording(line) {
            try await EventRecorder.record(
                parsed, sourceName: sourceName, access: connection.access, dryRun: dryRun,
                progress: { Self.show($0, on: line) })
        }
        guard let recording = recorded else {
            Output.writeLine("All \(parsed.events.count) events pass the rules (dry run: nothing was written).")
            return
        }
        if parsed.isExport {
            let streams = Set(parsed.recorded.compactMap { $0?.stream }).count
            Output.writeLine(
                "The export's hash chains check out: \(parsed.events.count) events in \(streams) streams, "
                    + "none changed, removed or moved.")
        }
        var appended: [Int64] = []
        var duplicateLines: [Int] = []
        for (index, outcome) in recording.outcomes.enumerated() {
            switch outcome {
            case .appended(let position, _, _): appended.append(position)
            case .duplicate: duplicateLines.append(parsed.lines[index])
            }
        }
        if let first = appended.min(), let last = appended.max() {
            var range = first == last ? "position \(first)" : "positions \(first)–\(last)"
            if let skipped = recording.positionsSkipped {
                let gap =
                    skipped.count == 1
                    ? "position \(skipped.lowerBound) holds"
                    : "positions \(skipped.lowerBound)–\(skipped.upperBound) hold"
                range +=
                    "; \(gap) no event: positions are never reused, and a batch that was refused, rolled back "
                    + "or is still open takes them"
            }
            Output.writeLine("Recorded \(appended.count) event\(appended.count == 1 ? "" : "s") (\(range)).")
        } else {
            Output.writeLine("Recorded no new events.")
        }
        if !duplicateLines.isEmpty {
            let shown = duplicateLines.prefix(20).map(String.init).joined(separator: ", ")
            let more = duplicateLines.count > 20 ? ", …" : ""
            Output.writeLine(
                "\(duplicateLines.count) event\(duplicateLines.count == 1 ? " was" : "s were") already recorded "
                    + "(same id), skipped: line\(duplicateLines.count == 1 ? "" : "s") \(shown)\(more).")
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
