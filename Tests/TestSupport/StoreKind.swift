import EventStore

/// The stores a test runs on, as a test argument: PostgreSQL (a database of the test's own) and
/// the in-memory log, which needs no database.
public enum StoreKind: String, CaseIterable, Sendable {
    case postgres, inMemory

    /// An empty log of this kind.
    public func makeLog() async throws -> any EventLog {
        switch self {
        case .postgres: try await TestDatabase.create().store()
        case .inMemory: InMemoryEventLog.ticking()
        }
    }
}
