/// The event log: append batches, tail it in global order, read streams.
///
/// `PostgresEventStore` is the implementation; tests and tools can supply others.
public protocol EventLog: Sendable {
    /// Appends a batch atomically: every event is written, or none is.
    func append(_ events: [ProposedEvent]) async throws -> [AppendOutcome]
    /// Up to `limit` events after `position`, in log order, never skipping one that commits later.
    func readAll(after position: LogPosition, limit: Int) async throws -> [RecordedEvent]
    /// Every event of the given streams, in log order.
    func readStreams(_ streamIDs: [String]) async throws -> [RecordedEvent]
}
