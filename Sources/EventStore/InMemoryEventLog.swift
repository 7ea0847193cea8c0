import Foundation
import Synchronization

/// The event log in memory, with the same rules as `PostgresEventStore`: all or nothing, the
/// caller's check inside the append, dry runs, expected versions, idempotency by event id,
/// corrections in their target's stream.
///
/// For tests of the code above the store (the use cases, the domain's use of the store) that need
/// no database. Appends are serialized by one lock, so the log order is the append order and the
/// record locks a check takes are already held. Time comes from the injected `clock`, never from
/// the wall clock, so what a test records is reproducible.
public final class InMemoryEventLog: EventLog {
    private struct State {
        var events: [RecordedEvent] = []
        var indexOfID: [UUID: Int] = [:]
        var versionOfStream: [String: Int] = [:]
    }

    private let state = Mutex(State())
    private let clock: @Sendable () -> Int64

    /// `clock` gives each append's recording time, in microseconds since 1970.
    public init(clock: @escaping @Sendable () -> Int64) {
        self.clock = clock
    }

    /// A log whose clock starts at `start` (microseconds since 1970) and advances one second per
    /// append.
    public static func ticking(from start: Int64 = 1_700_000_000_000_000) -> InMemoryEventLog {
        let now = Mutex(start)
        return InMemoryEventLog(clock: {
            now.withLock {
                $0 += 1_000_000
                return $0
            }
        })
    }

    public func append(
        _ events: [ProposedEvent], check: (@Sendable (any EventLookup) throws -> Void)?, dryRun: Bool,
        written: (@Sendable (_ done: Int, _ total: Int) -> Void)?
    ) async throws -> [AppendOutcome] {
        guard !events.isEmpty else { return [] }
        let outcomes = try state.withLock { state in
            try check?(Lookup(events: state.events))
            var draft = state  // kept only if the whole batch passes, and not on a dry run
            let outcomes = try Self.appendBatch(events, to: &draft, now: clock())
            if !dryRun { state = draft }
            return outcomes
        }
        let appended = outcomes.filter { if case .appended = $0 { true } else { false } }.count
        if appended > 0 { written?(appended, appended) }
        return outcomes
    }

    public func appendInParts<Result: Sendable>(
        dryRun: Bool, _ body: @Sendable (any EventLookup, any PartAppender) throws -> Result
    ) async throws -> Result {
        try state.withLock { state in
            let parts = Parts(draft: state, now: clock())
            let result = try body(parts, parts)
            if !dryRun { state = parts.draft }
            return result
        }
    }

    /// The parts of one batch, written to a draft of the log that the lookup reads.
    private final class Parts: EventLookup, PartAppender {
        var draft: State
        let now: Int64
        /// The count of events before the batch.
        let batchStart: Int

        init(draft: State, now: Int64) {
            self.draft = draft
            self.now = now
            batchStart = draft.events.count
        }

        func append(_ events: [ProposedEvent]) throws -> [AppendOutcome] {
            try InMemoryEventLog.appendBatch(events, to: &draft, batchStart: batchStart, now: now)
        }

        func events(inStreams streamIDs: [String], types: [String]?) throws -> [RecordedEvent] {
            try Lookup(events: draft.events).events(inStreams: streamIDs, types: types)
        }

        func events(ids: [UUID]) throws -> [RecordedEvent] {
            try Lookup(events: draft.events).events(ids: ids)
        }

        func storedIDs(_ ids: [UUID]) throws -> Set<UUID> {
            try Lookup(events: draft.events).storedIDs(ids)
        }

        func events(ofType type: String, whereDataField field: String, isAnyOf values: [String]) throws
            -> [RecordedEvent]
        {
            try Lookup(events: draft.events).events(ofType: type, whereDataField: field, isAnyOf: values)
        }

        func lock(exclusive: [String], shared: [String]) throws {}
    }

    /// Writes `events` to `draft` with a batch's rules; `draft` is left half-written when it throws.
    /// Events at `batchStart` and after were written by earlier parts of the same batch.
    private static func appendBatch(
        _ events: [ProposedEvent], to draft: inout State, batchStart: Int? = nil, now: Int64
    ) throws -> [AppendOutcome] {
        let batchStart = batchStart ?? draft.events.count
        // The order PostgreSQL checks in: ids first, then targets, then versions.
        // 1. An id stored, or earlier in the batch, with the same content is a duplicate; with
        //    other content the batch is refused.
        var firstInBatch: [UUID: Int] = [:]
        var duplicateOf: [Int: AppendOutcome] = [:]
        for (index, event) in events.enumerated() {
            if let existing = draft.indexOfID[event.id] {
                let stored = draft.events[existing]
                guard
                    Self.sameContent(stored.type, stored.data, stored.metadata, event)
                        || event.form(stored.schemaVersion).map({
                            Self.sameContent(stored.type, stored.data, stored.metadata, $0)
                        }) == true
                else {
                    throw EventStoreError(
                        kind: .eventIDReused, index: index,
                        message: "Event id \(event.id.uuidString.lowercased()) "
                            + (existing >= batchStart
                                ? "appears twice in the batch with different content."
                                : "is stored already with different content."))
                }
                duplicateOf[index] = .duplicate(position: stored.position, streamID: stored.streamID)
            } else if let earlier = firstInBatch[event.id] {
                let first = events[earlier]
                guard Self.sameContent(first.type, first.data, first.metadata, event) else {
                    throw EventStoreError(
                        kind: .eventIDReused, index: index,
                        message: "Event id \(event.id.uuidString.lowercased()) appears twice in the batch with "
                            + "different content.")
                }
            } else {
                firstInBatch[event.id] = index
            }
        }
        // 2. Streams: a correction or retraction goes to its target's stream.
        var streamOfID: [UUID: String] = [:]
        var streams: [Int: String] = [:]
        for (index, event) in events.enumerated() where duplicateOf[index] == nil && firstInBatch[event.id] == index {
            let streamID: String
            switch event.stream {
            case .stream(let name):
                streamID = name
            case .streamOfEvent(let target):
                guard let found = streamOfID[target] ?? draft.indexOfID[target].map({ draft.events[$0].streamID })
                else {
                    throw EventStoreError(
                        kind: .unknownTargetEvent, index: index,
                        message:
                            "No event with id \(target.uuidString.lowercased()) is stored or earlier in the batch.")
                }
                streamID = found
            }
            streamOfID[event.id] = streamID
            streams[index] = streamID
        }
        // 3. Versions, then the events, in batch order.
        var outcomes: [AppendOutcome] = []
        for (index, event) in events.enumerated() {
            if let duplicate = duplicateOf[index] {
                outcomes.append(duplicate)
                continue
            }
            guard let streamID = streams[index] else {
                // The same event earlier in the batch: written once.
                let first = draft.events[draft.indexOfID[event.id] ?? 0]
                outcomes.append(.duplicate(position: first.position, streamID: first.streamID))
                continue
            }
            let current = draft.versionOfStream[streamID] ?? 0
            if let expected = event.expectedVersion, expected != current {
                throw EventStoreError(
                    kind: .concurrencyConflict, index: index,
                    message: "Stream \(streamID) is at version \(current), not the expected \(expected); "
                        + "nothing was written.",
                    stale: .init(streamID: streamID, current: current, expected: expected))
            }
            let position = Int64(draft.events.count + 1)
            draft.versionOfStream[streamID] = current + 1
            draft.indexOfID[event.id] = draft.events.count
            draft.events.append(
                RecordedEvent(
                    logPosition: LogPosition(epoch: 1, transactionID: UInt64(position), position: position),
                    streamID: streamID, streamVersion: current + 1, type: event.type,
                    schemaVersion: event.schemaVersion, id: event.id, data: event.data, metadata: event.metadata,
                    recordedAtMicroseconds: now))
            outcomes.append(.appended(position: position, streamID: streamID, version: current + 1))
        }
        return outcomes
    }

    public func readAll(after position: LogPosition, limit: Int) async throws -> [RecordedEvent] {
        state.withLock { state in
            Array(state.events.lazy.filter { $0.logPosition > position }.prefix(max(0, limit)))
        }
    }

    public func lastPosition(before position: Int64) async throws -> Int64? {
        state.withLock { state in state.events.last { $0.position < position }?.position }
    }

    public func readStreams(_ streamIDs: [String]) async throws -> [RecordedEvent] {
        let wanted = Set(streamIDs)
        return state.withLock { state in state.events.filter { wanted.contains($0.streamID) } }
    }

    public func events(ids: [UUID]) async throws -> [RecordedEvent] {
        let wanted = Set(ids)
        return state.withLock { state in state.events.filter { wanted.contains($0.id) } }
    }

    /// The chains as migration 0007 defines them, over data and metadata as given: this log keeps
    /// the text its callers send (canonical, compact JSON), where PostgreSQL keeps jsonb and
    /// prints it its own way.
    public func checkExportedChains(_ events: [ProposedEvent], placements: [ExportedPlacement]) async throws {
        try HashChains.checkExport(events, placements: placements) { index in
            (events[index].data, events[index].metadata)
        }
    }

    /// Content equality as PostgreSQL's jsonb sees it: the same values, whatever the key order and
    /// spacing (numbers compared by value).
    private static func sameContent(_ type: String, _ data: String, _ metadata: String, _ event: ProposedEvent)
        -> Bool
    {
        type == event.type && sameJSON(data, event.data) && sameJSON(metadata, event.metadata)
    }

    private static func sameJSON(_ left: String, _ right: String) -> Bool {
        if left == right { return true }
        guard let a = try? JSONSerialization.jsonObject(with: Data(left.utf8), options: [.fragmentsAllowed]),
            let b = try? JSONSerialization.jsonObject(with: Data(right.utf8), options: [.fragmentsAllowed])
        else { return false }
        return sameValue(a, b)
    }

    /// Values from `JSONSerialization`, compared as jsonb compares them (objects without regard to
    /// key order, numbers by value; unlike jsonb, `true` and `1` may compare equal here).
    private static func sameValue(_ a: Any, _ b: Any) -> Bool {
        switch (a, b) {
        case (let x as [String: Any], let y as [String: Any]):
            return x.count == y.count && x.allSatisfy { key, value in y[key].map { sameValue(value, $0) } ?? false }
        case (let x as [Any], let y as [Any]):
            return x.count == y.count && zip(x, y).allSatisfy { sameValue($0, $1) }
        case (let x as String, let y as String):
            return x == y
        case (let x as NSNumber, let y as NSNumber):
            return x.isEqual(to: y)
        case (is NSNull, is NSNull):
            return true
        default:
            return false
        }
    }

    /// The log as it is before the batch: a check reads it under the append's lock.
    private struct Lookup: EventLookup {
        let events: [RecordedEvent]

        func events(inStreams streamIDs: [String], types: [String]?) throws -> [RecordedEvent] {
            let streams = Set(streamIDs)
            let types = types.map(Set.init)
            return events.filter { streams.contains($0.streamID) && types?.contains($0.type) != false }
        }

        func events(ids: [UUID]) throws -> [RecordedEvent] {
            let wanted = Set(ids)
            return events.filter { wanted.contains($0.id) }
        }

        func storedIDs(_ ids: [UUID]) throws -> Set<UUID> {
            Set(try events(ids: ids).map(\.id))
        }

        func events(ofType type: String, whereDataField field: String, isAnyOf values: [String]) throws
            -> [RecordedEvent]
        {
            let wanted = Set(values)
            return events.filter { event in
                guard event.type == type,
                    let object = try? JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [String: Any],
                    let value = object[field] as? String
                else { return false }
                return wanted.contains(value)
            }
        }

        /// Appends are serialized already: every lock is held.
        func lock(exclusive: [String], shared: [String]) throws {}
    }
}
