import ConsultDomain
import EventStore
import Foundation

/// What recording a file did, in counts: the same for a file held whole and for one written in
/// parts, whose outcomes are not kept event by event.
public struct RecordingSummary: Sendable {
    /// Duplicate lines named in the summary.
    public static let shownDuplicateLines = 20

    /// Events in the input.
    public var events = 0
    /// Events written (or, on a dry run, that would be).
    public var appended = 0
    public var firstPosition: Int64?
    public var lastPosition: Int64?
    /// Events whose id was stored already, skipped.
    public var duplicates = 0
    /// Their lines, the first `shownDuplicateLines`.
    public var duplicateLines: [Int] = []
    /// Positions before the first one written that hold no event (`EventRecorder.positionsSkipped`).
    public var positionsSkipped: ClosedRange<Int64>?
    /// For an export: the count of streams whose chains were checked.
    public var exportStreams: Int?

    public init() {}

    /// Counts `outcomes`, those of the events on `lines`.
    public mutating func add(_ outcomes: [AppendOutcome], lines: [Int]) {
        for (outcome, line) in zip(outcomes, lines) {
            switch outcome {
            case .appended(let position, _, _):
                appended += 1
                firstPosition = min(firstPosition ?? position, position)
                lastPosition = max(lastPosition ?? position, position)
            case .duplicate:
                duplicates += 1
                if duplicateLines.count < Self.shownDuplicateLines { duplicateLines.append(line) }
            }
        }
    }
}

extension EventRecorder {
    /// Events per part when a file is written in parts: a part's events, parsed, and the facts its
    /// rules load stay in memory at once, whatever the file's size.
    public static let partEvents = 5_000

    /// Records JSONL input of any size, all or nothing. Input that fits in one part is recorded as
    /// one batch (`record`). Longer input is written in parts in one transaction that holds the
    /// whole log (`EventLog.appendInParts`): each part is checked against the log and the parts
    /// before it, then written, so memory stays bounded by a part. An export is held whole: its
    /// chains and closing lines are checked over the whole file.
    ///
    /// Problems are reported as for one batch: lines that are not events first (then no rule is
    /// checked), else every rule's violation, each with its line; nothing is written either way.
    public static func record(
        _ reader: EventFileReader, sourceName: String, access: StoreAccess, dryRun: Bool = false,
        partEvents: Int = partEvents, progress: @escaping @Sendable (RecordingProgress) -> Void = { _ in }
    ) async throws -> RecordingSummary {
        try await access.withSession { session in
            try await record(
                reader, sourceName: sourceName, store: session.store, dryRun: dryRun, partEvents: partEvents,
                progress: progress)
        }
    }

    /// The same, on a store the caller holds open.
    public static func record(
        _ reader: EventFileReader, sourceName: String, store: any EventLog, dryRun: Bool = false,
        partEvents: Int = partEvents, progress: @escaping @Sendable (RecordingProgress) -> Void = { _ in }
    ) async throws -> RecordingSummary {
        var first = try reader.next(maxEvents: partEvents)
        if !reader.isAtEnd, first.isExport || !first.closingLines.isEmpty {
            while !reader.isAtEnd { first.append(contentsOf: try reader.next(maxEvents: partEvents)) }
        }
        if reader.isAtEnd || reader.failure != nil {
            while !reader.isAtEnd { _ = try reader.next(maxEvents: partEvents) }
            if let failure = reader.failure { throw failure }
            var summary = RecordingSummary()
            summary.events = first.events.count
            guard !first.events.isEmpty else { return summary }
            if first.isExport { summary.exportStreams = Set(first.recorded.compactMap { $0?.stream }).count }
            if let outcomes = try await record(
                first, sourceName: sourceName, store: store, dryRun: dryRun, progress: progress)
            {
                summary.add(outcomes, lines: first.lines)
                if let first = summary.firstPosition {
                    summary.positionsSkipped = try await positionsSkipped(before: first, store: store)
                }
            }
            return summary
        }
        var summary = try await store.appendInParts(dryRun: dryRun) { [first] lookup, appender in
            try lookup.lock(exclusive: ["consult:log"], shared: [])
            var parts = PartsRecording(sourceName: sourceName)
            // The next part is read while this one is checked and written.
            let readAhead = PartPrefetcher(reader, partEvents: partEvents)
            defer { readAhead.cancel() }
            var produced = PartPrefetcher.Produced(part: first, isAtEnd: false, hasProblems: false)
            while true {
                if !produced.hasProblems { try parts.record(produced.part, lookup: lookup, appender: appender) }
                if produced.isAtEnd { break }
                produced = try readAhead.next()
                let part = produced.part
                if let line = part.closingLines.first?.line
                    ?? part.recorded.firstIndex(where: { $0 != nil }).map({ part.lines[$0] })
                {
                    throw ConsultFailure(
                        .invalidInput,
                        "Line \(line) of \(sourceName) belongs to an export, but the lines before it do not: an "
                            + "export is logged whole, as `consult export` wrote it; nothing was written.")
                }
            }
            if let failure = reader.failure ?? parts.failure { throw failure }
            return parts.summary
        }
        if !dryRun, let first = summary.firstPosition {
            summary.positionsSkipped = try await positionsSkipped(before: first, store: store)
        }
        return summary
    }
}

/// The state of a batch written in parts: what was written, the violations found so far (each
/// with its line), and the refused events later parts' rules must know of.
private struct PartsRecording {
    let sourceName: String
    var summary = RecordingSummary()
    var problems = EventFileParser.Problems()
    /// Registrations the rules refused: later parts may name their ids without being reported.
    var refused: [BatchRules.Event] = []
    /// The ids of every refused event.
    var refusedIDs = Set<UUID>()

    init(sourceName: String) {
        self.sourceName = sourceName
    }

    var failure: ConsultFailure? { problems.failure(sourceName: sourceName) }

    /// Checks `part` against the log and the parts before it, and writes the events that pass:
    /// once a violation is found nothing will be kept, but the later parts are checked against
    /// the events that passed, as within one batch.
    mutating func record(_ part: EventFileParser.Parsed, lookup: any EventLookup, appender: any PartAppender) throws {
        summary.events += part.events.count
        guard !part.events.isEmpty else { return }
        let part = try EventRecorder.earlierForms(part, lookup: lookup)
        let violations = try BatchChecker.violations(
            part, lookup: lookup, locking: false, refused: refused, refusedIDs: refusedIDs)
        // Not written: the refused events, and events with a refused event's id (skipped by the rules).
        var refusedPositions = Set(part.events.indices.filter { refusedIDs.contains(part.events[$0].id) })
        for (position, violation) in violations {
            problems.add(line: part.lines[position], "\(violation)")
            if refusedPositions.insert(position).inserted {
                refusedIDs.insert(part.events[position].id)
                switch part.domainEvents[position].type {
                case .stakeholderRegistered, .consultationHeld, .requestMade, .commitmentMade, .statementRecorded:
                    refused.append(part.domainEvents[position])
                default:
                    break
                }
            }
        }
        let passing = part.events.indices.filter { !refusedPositions.contains($0) }
        let outcomes: [AppendOutcome]
        do {
            outcomes = try appender.append(passing.map { part.events[$0] })
        } catch let error as EventStoreError {
            // A batch held whole is refused for its rules' violations before the store looks at
            // it: so here, when earlier parts broke rules, those are what is reported.
            if let violations = failure { throw violations }
            var refusal = ConsultFailure.from(error)
            if let index = error.index { refusal.message = "Line \(part.lines[passing[index]]): " + refusal.message }
            if let stale = error.stale {
                let changes = EventRecorder.changes(
                    in: stale, streamEvents: try lookup.events(inStreams: [stale.streamID], types: nil))
                if !changes.isEmpty {
                    refusal.details.append("Since version \(stale.expected), \(stale.streamID) got: " + changes)
                }
            }
            throw refusal
        }
        summary.add(outcomes, lines: passing.map { part.lines[$0] })
    }
}
