import ConsultDomain
import EventStore
import Foundation

/// How far recording a batch has come.
public enum RecordingProgress: Sendable, Hashable {
    /// Lines of the input read and checked on their own so far, and the bytes they came in.
    case read(lines: Int, bytes: Int)
    /// The batch is being checked against the rules and the log (inside the append).
    case checking(events: Int)
    /// The batch passed; it is being written.
    case appending(events: Int)
    /// Events sent to the log so far, of those the batch writes (its new ones).
    case writing(events: Int, of: Int)
}

/// Records a batch: checks it against the domain rules and appends it, all or nothing. The one
/// use case behind `log --file`, the `log <kind>` commands and the demo's loading.
public enum EventRecorder {
    /// What recording a batch did: each event's outcome, and the positions before the first one
    /// written that hold no event (see `positionsSkipped`).
    public struct Recording: Sendable {
        public var outcomes: [AppendOutcome]
        public var positionsSkipped: ClosedRange<Int64>?
    }

    /// Appends `parsed`; store errors name the input line. With `dryRun` the append runs in full
    /// (rules, versions, ids) and is rolled back; it returns nil.
    public static func record(
        _ parsed: EventFileParser.Parsed, sourceName: String, access: StoreAccess, dryRun: Bool = false,
        progress: @escaping @Sendable (RecordingProgress) -> Void = { _ in }
    ) async throws -> Recording? {
        try await access.withSession { session in
            guard
                let outcomes = try await record(
                    parsed, sourceName: sourceName, store: session.store, dryRun: dryRun, progress: progress)
            else { return nil }
            let first = outcomes.compactMap { outcome -> Int64? in
                if case .appended(let position, _, _) = outcome { position } else { nil }
            }.min()
            var skipped: ClosedRange<Int64>?
            if let first { skipped = try await positionsSkipped(before: first, store: session.store) }
            return Recording(outcomes: outcomes, positionsSkipped: skipped)
        }
    }

    /// The same, on a store the caller holds open.
    public static func record(
        _ parsed: EventFileParser.Parsed, sourceName: String, store: any EventLog, dryRun: Bool = false,
        progress: @escaping @Sendable (RecordingProgress) -> Void = { _ in }
    ) async throws -> [AppendOutcome]? {
        if parsed.isExport || !parsed.closingLines.isEmpty {
            try await ExportChainCheck.check(parsed, sourceName: sourceName, store: store)
        }
        let parsed = try await earlierForms(parsed, store: store)
        do {
            let outcomes = try await store.append(
                parsed.events,
                check: { lookup in
                    progress(.checking(events: parsed.events.count))
                    if parsed.isExport {
                        try ExportChainCheck.checkPredecessors(parsed, sourceName: sourceName, lookup: lookup)
                    }
                    try BatchChecker.check(parsed, sourceName: sourceName, lookup: lookup)
                    progress(.appending(events: parsed.events.count))
                },
                dryRun: dryRun, written: { progress(.writing(events: $0, of: $1)) })
            return dryRun ? nil : outcomes
        } catch let error as EventStoreError {
            var failure = ConsultFailure.from(error)
            if let index = error.index { failure.message = "Line \(parsed.lines[index]): " + failure.message }
            if let stale = error.stale, let changes = try? await changes(in: stale, store: store), !changes.isEmpty {
                failure.details.append("Since version \(stale.expected), \(stale.streamID) got: " + changes)
            }
            throw failure
        }
    }
}

extension EventRecorder {
    /// `parsed`, each event whose id is stored in an earlier schema version with the same content
    /// once upcast given that stored form as its earlier form: idempotency compares events in
    /// their current version, so a line logged again in the current shape over an event an older
    /// store kept (or a restore brought back) in an earlier one is a no-op, as SPEC.md asks. Only
    /// types that have an earlier version are looked up; events never change once stored, so
    /// reading them before the append's transaction is safe (a racing first write of the same id
    /// is caught by the store's own comparison).
    static func earlierForms(_ parsed: EventFileParser.Parsed, store: any EventLog) async throws
        -> EventFileParser.Parsed
    {
        let ids = candidates(parsed).map { parsed.events[$0].id }
        guard !ids.isEmpty else { return parsed }
        return earlierForms(parsed, stored: try await store.events(ids: ids))
    }

    /// The same, inside an append, reading through its lookup.
    static func earlierForms(_ parsed: EventFileParser.Parsed, lookup: any EventLookup) throws
        -> EventFileParser.Parsed
    {
        let ids = candidates(parsed).map { parsed.events[$0].id }
        guard !ids.isEmpty else { return parsed }
        return earlierForms(parsed, stored: try lookup.events(ids: ids))
    }

    /// The events of `parsed` in the current version of a type that has an earlier one.
    private static func candidates(_ parsed: EventFileParser.Parsed) -> [Int] {
        parsed.events.indices.filter { index in
            parsed.events[index].earlierForm == nil && parsed.events[index].schemaVersion > 1
        }
    }

    private static func earlierForms(_ parsed: EventFileParser.Parsed, stored events: [RecordedEvent])
        -> EventFileParser.Parsed
    {
        let candidates = candidates(parsed)
        var parsed = parsed
        var stored: [UUID: RecordedEvent] = [:]
        for event in events { stored[event.id] = event }
        for index in candidates {
            let event = parsed.events[index]
            guard let old = stored[event.id], old.schemaVersion < event.schemaVersion, old.type == event.type,
                let current = old.currentData, let proposed = try? JSONValue.parse(event.data)
            else { continue }
            if JSONValue.object(current).sortedKeys == proposed.sortedKeys {
                parsed.events[index].earlierForm = ProposedEvent.Form(schemaVersion: old.schemaVersion, data: old.data)
            }
        }
        return parsed
    }

    /// The event stored under `id`, if any. `consult log <kind>` derives an event's id from its type
    /// and data (`ContentID`), so the same event typed in again by another recorder, or with another
    /// note, has a stored id whose metadata differs: the store would refuse it as a reused id, when
    /// it is the same event, already recorded.
    public static func storedEvent(_ id: UUID, access: StoreAccess) async throws -> RecordedEvent? {
        try await access.withSession { try await $0.store.events(ids: [id]) }.first
    }

    /// What a stream got after the version a writer expected: `v4 CommitmentProgressed (event …)`.
    static func changes(in stale: EventStoreError.StaleVersion, store: any EventLog) async throws -> String {
        changes(in: stale, streamEvents: try await store.readStreams([stale.streamID]))
    }

    /// The same, from the stream's events.
    static func changes(in stale: EventStoreError.StaleVersion, streamEvents: [RecordedEvent]) -> String {
        let events = streamEvents.filter { $0.streamVersion > stale.expected }
        return events.prefix(10).map { "v\($0.streamVersion) \($0.type) (event \($0.id.uuidString.lowercased()))" }
            .joined(separator: ", ") + (events.count > 10 ? ", …" : "") + "."
    }

    /// The positions before `first` that hold no committed event, back to the event before it:
    /// positions are never reused, so a refused or rolled-back batch (or one still open) leaves a
    /// gap that a person reading "positions 111–115" after the log's 105th event should be told of.
    static func positionsSkipped(before first: Int64, store: any EventLog) async throws -> ClosedRange<Int64>? {
        let start = (try await store.lastPosition(before: first) ?? 0) + 1
        return start < first ? start...(first - 1) : nil
    }
}

extension EventFileParser.Parsed {
    /// A batch of one event, as if it were line 1 of a file.
    public init(single envelope: EventEnvelope) {
        let event = EventFileParser.proposedEvent(envelope)
        self.init(
            events: [event],
            domainEvents: [
                BatchRules.Event(
                    id: event.id, type: envelope.type, data: envelope.data, schemaVersion: envelope.schemaVersion)
            ],
            lines: [1], recorded: [envelope.recorded])
    }
}
