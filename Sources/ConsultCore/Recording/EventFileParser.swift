import ConsultDomain
import EventStore
import Foundation

/// Turns JSONL input into events to append, collecting every violation with its line and field.
public struct EventFileParser {
    public struct Parsed: Sendable {
        public var events: [ProposedEvent] = []
        /// The same events, typed, for the domain rules.
        public var domainEvents: [BatchRules.Event] = []
        /// The input line of each event.
        public var lines: [Int] = []
        /// What an export says of each event (`recorded`), or nil for a line without it.
        public var recorded: [EventEnvelope.Recorded?] = []
        /// The lines that close an export (stream heads, the end line), with their line numbers:
        /// not events; `ExportChainCheck` checks them.
        public var closingLines: [(line: Int, value: ExportClosingLine)] = []

        /// Whether the input is an export: some line carries `recorded`.
        public init(
            events: [ProposedEvent] = [], domainEvents: [BatchRules.Event] = [], lines: [Int] = [],
            recorded: [EventEnvelope.Recorded?] = []
        ) {
            self.events = events
            self.domainEvents = domainEvents
            self.lines = lines
            self.recorded = recorded
        }

        public var isExport: Bool { recorded.contains { $0 != nil } }

        /// Adds the events and closing lines of the part of the input after this one.
        public mutating func append(contentsOf next: Parsed) {
            events += next.events
            domainEvents += next.domainEvents
            lines += next.lines
            recorded += next.recorded
            closingLines += next.closingLines
        }
    }

    /// Violations shown before "and N more".
    public static let shownViolations = 20

    /// Lines between two progress reports.
    static let progressInterval = 1000

    /// Reads and checks every line of `handle`; `progress` gets the count of lines and bytes read
    /// every 1,000 lines, and once at the end.
    public static func parse(
        _ handle: FileHandle, sourceName: String, progress: @escaping (RecordingProgress) -> Void = { _ in }
    ) throws -> Parsed {
        var reader = JSONLinesReader(handle: handle)
        return try parse(&reader, sourceName: sourceName, progress: progress)
    }

    public static func parse(
        _ reader: inout JSONLinesReader, sourceName: String, progress: @escaping (RecordingProgress) -> Void = { _ in }
    ) throws -> Parsed {
        let parts = EventFileReader(reader, sourceName: sourceName, progress: progress)
        let parsed = try parts.next(maxEvents: .max)
        if let failure = parts.failure { throw failure }
        return parsed
    }

    /// Problems found in input, each on a line: all counted, the first `shownViolations` kept for
    /// the report, and the lines they are on (a line's problems are added one after another).
    public struct Problems: Sendable {
        public private(set) var shown: [String] = []
        public private(set) var count = 0
        public private(set) var lineCount = 0
        private var lastLine = 0

        public init() {}

        public mutating func add(line: Int, _ text: String) {
            count += 1
            if line != lastLine {
                lineCount += 1
                lastLine = line
            }
            if shown.count < shownViolations { shown.append("line \(line): " + printable(text)) }
        }

        /// The failure they make (exit 65), nil when there are none.
        public func failure(sourceName: String) -> ConsultFailure? {
            guard count > 0 else { return nil }
            return invalidInput(sourceName: sourceName, problems: shown, problemCount: count, lineCount: lineCount)
        }
    }

    /// The failure for invalid input: exit 65, the count of lines, the first problems.
    public static func invalidInput(sourceName: String, problems: [String], problemCount: Int, lineCount: Int)
        -> ConsultFailure
    {
        let more = problemCount > problems.count ? ["… and \(problemCount - problems.count) more"] : []
        return ConsultFailure(
            .invalidInput,
            "\(sourceName) has \(lineCount) invalid line\(lineCount == 1 ? "" : "s"); nothing was written.",
            details: problems + more)
    }

    /// The failure for domain violations found at `positions` of the batch.
    public static func invalidInput(sourceName: String, violations: [(Int, Violation)], lines: [Int]) -> ConsultFailure
    {
        let problems = violations.prefix(shownViolations).map { position, violation in
            "line \(lines[position]): " + printable("\(violation)")
        }
        return invalidInput(
            sourceName: sourceName, problems: Array(problems), problemCount: violations.count,
            lineCount: Set(violations.map(\.0)).count)
    }

    /// Input echoed in a message cannot break the output's lines: control characters are escaped.
    public static func printable(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0..<0x20, 0x7F, 0x2028, 0x2029:
                out += "\\u{\(String(scalar.value, radix: 16))}"
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// The event to store: its data upcast to the current version of its type, with the data as
    /// written as its earlier form when the input used an earlier version.
    public static func proposedEvent(_ envelope: EventEnvelope) -> ProposedEvent {
        let stream: StreamTarget =
            switch envelope.stream {
            case .named(let name): .stream(name)
            case .ofEvent(let id): .streamOfEvent(id)
            }
        let current = envelope.type.schemaVersion
        let earlierForm =
            envelope.schemaVersion == current
            ? nil
            : ProposedEvent.Form(
                schemaVersion: envelope.schemaVersion, data: JSONValue.object(envelope.data).serialized())
        // As jsonb prints them, when that is sure, so that the store can compute the hash.
        let data = JSONValue.object(envelope.currentData)
        let metadata = JSONValue.object(envelope.metadata)
        let jsonbTexts = data.jsonbText().flatMap { data in metadata.jsonbText().map { (data, $0) } }
        var event = ProposedEvent(
            id: envelope.id ?? UUID(), type: envelope.type.rawValue, schemaVersion: current,
            stream: stream, expectedVersion: envelope.expectedVersion,
            data: jsonbTexts?.0 ?? data.serialized(), metadata: jsonbTexts?.1 ?? metadata.serialized(),
            earlierForm: earlierForm)
        event.isJSONBText = jsonbTexts != nil
        return event
    }
}
