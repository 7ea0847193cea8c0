import Foundation
import TestSupport
import Testing

@testable import EventStore

/// The same rules, checked against every implementation of `EventLog`.
@Suite("EventLog conformance")
struct EventLogConformanceTests {
    enum Implementation: String, CaseIterable, CustomTestStringConvertible {
        case postgres, inMemory
        var testDescription: String { rawValue }

        func makeLog() async throws -> any EventLog {
            switch self {
            case .postgres: try await TestDatabase.create().store()
            case .inMemory: InMemoryEventLog()
            }
        }
    }

    @Test("versions, duplicates, conflicts, corrections and reads", arguments: Implementation.allCases)
    func rules(_ implementation: Implementation) async throws {
        let log = try await implementation.makeLog()
        let first = UUID()
        let outcomes = try await log.append([event("a", 1, id: first), event("b"), event("a", 2)])
        #expect(outcomes.map(Self.version) == [1, 1, 2])

        let again = try await log.append([event("a", 1, id: first)])
        #expect(again == [.duplicate(position: outcomes[0].position, streamID: "a")])

        let reused = await #expect(throws: EventStoreError.self) { try await log.append([event("a", 9, id: first)]) }
        #expect(reused?.kind == .eventIDReused)

        let stale = await #expect(throws: EventStoreError.self) {
            try await log.append([event("c"), event("a", expectedVersion: 1)])
        }
        #expect(stale?.kind == .concurrencyConflict)
        #expect(stale?.index == 1)

        let correction = ProposedEvent(type: "RecordCorrected", stream: .streamOfEvent(first), data: "{}")
        let corrected = try await log.append([correction, event("a", expectedVersion: 3)])
        #expect(corrected.map(Self.version) == [3, 4])

        let missing = await #expect(throws: EventStoreError.self) {
            try await log.append([ProposedEvent(type: "RecordRetracted", stream: .streamOfEvent(UUID()), data: "{}")])
        }
        #expect(missing?.kind == .unknownTargetEvent)

        // Five events stored; reading in pages of two gives each once, in order.
        try await waitUntilReadable(log)
        var read: [RecordedEvent] = []
        var checkpoint = LogPosition.start
        while case let page = try await log.readAll(after: checkpoint, limit: 2), let last = page.last {
            read += page
            checkpoint = last.logPosition
        }
        #expect(read.count == 5)
        #expect(read.map(\.logPosition) == read.map(\.logPosition).sorted())
        #expect(try await log.readStreams(["a"]).map(\.streamVersion) == [1, 2, 3, 4])
        #expect(try await log.readStreams(["c"]).isEmpty)
    }

    static func version(_ outcome: AppendOutcome) -> Int {
        if case .appended(_, _, let version) = outcome { version } else { -1 }
    }
}
