import Foundation

/// The event log: append batches (checked by the caller's rules inside the append), tail it in
/// global order, read streams.
///
/// `PostgresEventStore` is the implementation; `InMemoryEventLog` keeps the same rules in memory
/// for tests of the code above the store. `EventLogConformanceTests` runs one suite against both.
public protocol EventLog: Sendable {
    /// Appends a batch after `check` accepts it, atomically: every event is written, or none is.
    ///
    /// `check` runs inside the append (again on every retry), reading the log as it is just
    /// before the batch through `EventLookup`; whatever it throws refuses the batch and reaches
    /// the caller unchanged. With `dryRun`, everything happens (checks, versions, duplicates,
    /// conflicts) but nothing is kept: the outcomes say what would have been written. `written`,
    /// when given, gets the count of events sent to the log so far and the count to be written, as
    /// the write goes on (for a progress line).
    func append(
        _ events: [ProposedEvent], check: (@Sendable (any EventLookup) throws -> Void)?, dryRun: Bool,
        written: (@Sendable (_ done: Int, _ total: Int) -> Void)?
    ) async throws -> [AppendOutcome]
    /// Up to `limit` events after `position`, in log order, never skipping one that commits later.
    func readAll(after position: LogPosition, limit: Int) async throws -> [RecordedEvent]
    /// Every event of the given streams, in log order.
    func readStreams(_ streamIDs: [String]) async throws -> [RecordedEvent]
    /// The events with these ids, in log order.
    func events(ids: [UUID]) async throws -> [RecordedEvent]
    /// The position of the last event (committed and visible now) before `position`, nil when there
    /// is none. Positions are never reused, so refused or rolled-back batches leave gaps.
    func lastPosition(before position: Int64) async throws -> Int64?
    /// Recomputes the hash chains an export says its events had (`ExportedPlacement`), and throws
    /// `ExportChainMismatch` at the first event whose placement or hash does not follow.
    func checkExportedChains(_ events: [ProposedEvent], placements: [ExportedPlacement]) async throws
    /// Appends a batch too large to hold at once, part by part, in one transaction: `body` reads
    /// the log through the lookup, which sees the parts appended so far, and hands each part to the
    /// appender as the same batch's next events. Every part is written, or none is: when `body`
    /// throws, or with `dryRun`, nothing is kept. `body` should lock what it depends on first
    /// (`lock`); there is no retry, since the parts are produced once.
    func appendInParts<Result: Sendable>(
        dryRun: Bool, _ body: @Sendable (any EventLookup, any PartAppender) throws -> Result
    ) async throws -> Result
}

/// Writes the parts of one batch inside `EventLog.appendInParts`, each with the rules of a batch
/// (duplicates, targets, expected versions); an id written by an earlier part counts as stored.
public protocol PartAppender {
    /// Appends the next part, after those before it; the outcomes are in `events`' order.
    func append(_ events: [ProposedEvent]) throws -> [AppendOutcome]
}

extension EventLog {
    /// Appends a batch with no check of the caller's: every event is written, or none is.
    public func append(_ events: [ProposedEvent]) async throws -> [AppendOutcome] {
        try await append(events, check: nil, dryRun: false, written: nil)
    }

    /// Appends a batch after `check` accepts it, with no report of the write's progress.
    public func append(
        _ events: [ProposedEvent], check: (@Sendable (any EventLookup) throws -> Void)?, dryRun: Bool
    ) async throws -> [AppendOutcome] {
        try await append(events, check: check, dryRun: dryRun, written: nil)
    }
}

/// Reads of the log made inside an append, before the batch is written, so that what a batch is
/// checked against is what it is appended to. Set-based: each call is one query.
public protocol EventLookup {
    /// Events of the given streams, optionally only of some types, in log order.
    func events(inStreams streamIDs: [String], types: [String]?) throws -> [RecordedEvent]
    /// The events with these ids, in log order.
    func events(ids: [UUID]) throws -> [RecordedEvent]
    /// Which of these event ids are stored.
    func storedIDs(_ ids: [UUID]) throws -> Set<UUID>
    /// Events of `type` whose data's `field` (a string) is one of `values`, in log order.
    func events(ofType type: String, whereDataField field: String, isAnyOf values: [String]) throws
        -> [RecordedEvent]
    /// Waits for, then holds until the append ends, an exclusive lock on each of `exclusive` and a
    /// shared lock on each of `shared` (record keys such as stream ids), in one sorted order.
    func lock(exclusive: [String], shared: [String]) throws
}
