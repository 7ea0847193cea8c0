import Foundation
import TestSupport
import Testing

@testable import EventStore

/// The same rules, checked against every implementation of `EventLog`.
@Suite("EventLog conformance")
struct EventLogConformanceTests {
    @Test("versions, duplicates, conflicts, corrections and reads", arguments: StoreKind.allCases)
    func rules(_ implementation: StoreKind) async throws {
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

    struct Refused: Error {}

    @Test(
        "the check reads the log as it was before the batch, and refuses it whole", arguments: StoreKind.allCases)
    func checkedAppends(_ implementation: StoreKind) async throws {
        let log = try await implementation.makeLog()
        let statement = ProposedEvent(
            type: "StatementRecorded", stream: .stream("consultation-x"),
            data: #"{"statementId":"s-1","summary":"요약"}"#)
        let other = ProposedEvent(
            type: "Other", stream: .stream("consultation-x"), data: #"{"statementId":"s-2"}"#)
        let first = event("a")
        _ = try await log.append([statement, other, first])

        let seen = Seen()
        let next = event("a", 2)
        let outcomes = try await log.append(
            [next],
            check: { lookup in
                try lookup.lock(exclusive: ["stream-a"], shared: ["consult:log"])
                seen.set(
                    statements: try lookup.events(
                        ofType: "StatementRecorded", whereDataField: "statementId", isAnyOf: ["s-1", "s-2", "s-3"]
                    ).map(\.id),
                    stored: try lookup.storedIDs([statement.id, next.id]),
                    byID: try lookup.events(ids: [other.id, UUID()]).map(\.id),
                    inStreams: try lookup.events(inStreams: ["consultation-x", "nowhere"], types: ["Other"]).map(\.id),
                    all: try lookup.events(inStreams: ["consultation-x", "a"], types: nil).map(\.id))
            }, dryRun: false)
        #expect(Self.version(outcomes[0]) == 2)
        #expect(seen.statements == [statement.id])
        #expect(seen.stored == [statement.id])  // not the batch's own event
        #expect(seen.byID == [other.id])
        #expect(seen.inStreams == [other.id])
        #expect(seen.all == [statement.id, other.id, first.id])

        // A check that throws refuses the batch: nothing is written, the error comes back unchanged.
        await #expect(throws: Refused.self) {
            try await log.append([event("b")], check: { _ in throw Refused() }, dryRun: false)
        }
        // A dry run says what would be written and writes nothing.
        let dry = try await log.append([event("b"), event("a")], check: nil, dryRun: true)
        #expect(dry.map(Self.version) == [1, 3])
        try await waitUntilReadable(log)
        #expect(try await log.readStreams(["b"]).isEmpty)
        #expect(try await log.readStreams(["a"]).count == 2)
    }

    @Test(
        "content is compared as jsonb, and a reused id is reported before a stale version",
        arguments: StoreKind.allCases)
    func contentAndPrecedence(_ implementation: StoreKind) async throws {
        let log = try await implementation.makeLog()
        let id = UUID()
        let first = ProposedEvent(
            id: id, type: "StatementRecorded", stream: .stream("x"), data: #"{"a":1,"b":["c",{"d":null}]}"#)
        let stored = try await log.append([first])
        var reordered = first
        reordered.data = #"{ "b" : [ "c", { "d" : null } ], "a" : 1 }"#
        #expect(try await log.append([reordered]) == [.duplicate(position: stored[0].position, streamID: "x")])

        var changed = first
        changed.data = #"{"a":2,"b":["c",{"d":null}]}"#
        let refused = await #expect(throws: EventStoreError.self) {
            try await log.append([event("x", expectedVersion: 7), changed])
        }
        #expect(refused?.kind == .eventIDReused)
        #expect(refused?.index == 1)
    }

    static func version(_ outcome: AppendOutcome) -> Int {
        if case .appended(_, _, let version) = outcome { version } else { -1 }
    }
}

/// What a check saw, kept for the test to look at after the append.
final class Seen: @unchecked Sendable {
    // Written once, by the check, before the append returns; read after.
    var statements: [UUID] = []
    var stored: Set<UUID> = []
    var byID: [UUID] = []
    var inStreams: [UUID] = []
    var all: [UUID] = []

    func set(statements: [UUID], stored: Set<UUID>, byID: [UUID], inStreams: [UUID], all: [UUID]) {
        self.statements = statements
        self.stored = stored
        self.byID = byID
        self.inStreams = inStreams
        self.all = all
    }
}
