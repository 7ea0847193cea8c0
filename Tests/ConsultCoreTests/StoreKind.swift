import EventStore
import TestSupport
import Testing

/// The stores a use case's tests run on: PostgreSQL (a database of the test's own) and the
/// in-memory log, which needs no database.
enum StoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case postgres, inMemory
    var testDescription: String { rawValue }

    func makeLog() async throws -> any EventLog {
        switch self {
        case .postgres: try await TestDatabase.create().store()
        case .inMemory: InMemoryEventLog.ticking()
        }
    }
}
