import ConsultDomain
import Foundation

/// Reads JSONL input part by part: each call to `next` parses and checks lines on their own (JSON,
/// envelope, shape of an export's closing lines) until it has `maxEvents` events or the input
/// ends. Problems are collected across the parts, with their lines, for one report at the end.
///
/// Used by one thread at a time (the caller's, or an append's connection thread).
public final class EventFileReader: @unchecked Sendable {
    private var reader: JSONLinesReader
    private let sourceName: String
    private let progress: (RecordingProgress) -> Void
    private var linesRead = 0
    private var problems = EventFileParser.Problems()
    /// Whether the input has been read to its end.
    public private(set) var isAtEnd = false

    /// `progress` gets the count of lines and bytes read every 1,000 lines, and once at the end.
    public init(
        _ reader: JSONLinesReader, sourceName: String, progress: @escaping (RecordingProgress) -> Void = { _ in }
    ) {
        self.reader = reader
        self.sourceName = sourceName
        self.progress = progress
    }

    public convenience init(
        handle: FileHandle, sourceName: String, progress: @escaping (RecordingProgress) -> Void = { _ in }
    ) {
        self.init(JSONLinesReader(handle: handle), sourceName: sourceName, progress: progress)
    }

    /// The failure for the problems found so far (exit 65, the count of lines, the first
    /// problems), nil when there are none.
    public var failure: ConsultFailure? { problems.failure(sourceName: sourceName) }

    private func report(_ line: Int, _ text: String) { problems.add(line: line, text) }

    /// The next part of the input: up to `maxEvents` events (and the closing lines among them).
    /// Empty once the input has ended.
    public func next(maxEvents: Int) throws -> EventFileParser.Parsed {
        var parsed = EventFileParser.Parsed()
        guard !isAtEnd else { return parsed }
        while parsed.events.count < maxEvents {
            guard let line = try reader.next() else {
                isAtEnd = true
                if linesRead >= EventFileParser.progressInterval {
                    progress(.read(lines: linesRead, bytes: reader.bytesRead))
                }
                break
            }
            linesRead += 1
            if linesRead % EventFileParser.progressInterval == 0 {
                progress(.read(lines: linesRead, bytes: reader.bytesRead))
            }
            switch line {
            case .tooLong(let number):
                report(number, "longer than 1 MiB")
            case .text(let number, let bytes):
                if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                if number == 1, bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
                    // Editors on Windows and Excel write one; say how to take it off.
                    report(
                        number,
                        "starts with a UTF-8 byte order mark, which is not JSON: save the file as UTF-8 without "
                            + #"it, or remove it with: sed -i '1s/^\xEF\xBB\xBF//' FILE"#)
                    continue
                }
                let value: JSONValue
                do {
                    value = try JSONValue.parse(bytes)
                } catch {
                    report(number, "not valid JSON: \(error.message) (at byte \(error.byteOffset + 1))")
                    continue
                }
                if ExportClosingLine.isClosingLine(value) {
                    switch ExportClosingLine.parse(value) {
                    case .failure(let violations):
                        for violation in violations.items { report(number, "\(violation)") }
                    case .success(let closing):
                        parsed.closingLines.append((number, closing))
                    }
                    continue
                }
                switch EventEnvelope.parse(value) {
                case .failure(let violations):
                    for violation in violations.items { report(number, "\(violation)") }
                case .success(let envelope):
                    let event = EventFileParser.proposedEvent(envelope)
                    parsed.events.append(event)
                    parsed.domainEvents.append(
                        BatchRules.Event(
                            id: event.id, type: envelope.type, data: envelope.data,
                            schemaVersion: envelope.schemaVersion))
                    parsed.lines.append(number)
                    parsed.recorded.append(envelope.recorded)
                }
            }
        }
        return parsed
    }
}
