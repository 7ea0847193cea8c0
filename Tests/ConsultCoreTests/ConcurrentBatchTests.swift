import ConsultCore
import ConsultDomain
import EventStore
import Foundation
import TestSupport
import Testing

/// Two batches checked at the same time must not both pass against a log that has neither.
@Suite("Concurrent batches")
struct ConcurrentBatchTests {
    static let setup = [
        #"{"type":"StakeholderRegistered","data":{"stakeholderId":"a","name":"A","kind":"person","sector":"other"}}"#,
        consultation("c1"), consultation("c2"),
    ]

    static func consultation(_ id: String) -> String {
        #"{"type":"ConsultationHeld","data":{"consultationId":"\#(id)","kind":"forum","title":"T","#
            + #""date":"2023-02-21","organizerIds":[],"participants":[],"sources":[{"publisher":"P"}]}}"#
    }

    static func statement(in consultation: String) -> String {
        #"{"type":"StatementRecorded","data":{"consultationId":"\#(consultation)","statementId":"s1","#
            + #""speakerId":"a","summary":"요약","topics":[]}}"#
    }

    static func batch(_ lines: [String]) throws -> EventFileParser.Parsed {
        var parsed = EventFileParser.Parsed()
        for line in lines {
            guard case .success(let envelope) = EventEnvelope.parse(try JSONValue.parse(line)) else {
                throw ConsultFailure(.invalidInput, "bad fixture")
            }
            let single = EventFileParser.Parsed(single: envelope)
            parsed.events += single.events
            parsed.domainEvents += single.domainEvents
            parsed.lines.append(parsed.lines.count + 1)
        }
        return parsed
    }

    static func append(_ parsed: EventFileParser.Parsed, to store: PostgresEventStore) async throws {
        _ = try await store.append(
            parsed.events,
            check: { lookup in
                try BatchChecker.check(parsed, sourceName: "batch", lookup: lookup)
                // Both batches have been checked before either commits, unless the check waited.
                Thread.sleep(forTimeInterval: 0.5)
            })
    }

    @Test("the same statement id in two consultations at once: one is written, the other refused")
    func sameStatementIDTwice() async throws {
        // A cluster of its own: both transactions are held open half a second, which would hold back other tests' reads.
        try await TestDatabase.onPrivateServer { try await Self.sameStatementIDTwiceOn($0) }
    }

    static func sameStatementIDTwiceOn(_ database: TestDatabase) async throws {
        let setup = try await database.store()
        _ = try await setup.append(try Self.batch(Self.setup).events)
        let first = try await database.store()
        let second = try await database.store()
        let one = try Self.batch([Self.statement(in: "c1")])
        let two = try Self.batch([Self.statement(in: "c2")])
        async let a: Bool = (try? await Self.append(one, to: first)) != nil
        async let b: Bool = (try? await Self.append(two, to: second)) != nil
        let succeeded = await [a, b].filter { $0 }.count
        #expect(succeeded == 1)
        let statements = try await setup.readStreams(["consultation-c1", "consultation-c2"])
            .filter { $0.type == "StatementRecorded" }
        #expect(statements.count == 1)
    }

    @Test("the same commitment registered by two batches at once: one is written, the other refused")
    func sameRecordTwice() async throws {
        // A cluster of its own: both transactions are held open half a second, which would hold back other tests' reads.
        try await TestDatabase.onPrivateServer { try await Self.sameRecordTwiceOn($0) }
    }

    static func sameRecordTwiceOn(_ database: TestDatabase) async throws {
        let setup = try await database.store()
        _ = try await setup.append(try Self.batch(Self.setup).events)
        let commitment =
            #"{"type":"CommitmentMade","data":{"commitmentId":"k","consultationId":"c1","madeById":"a","#
            + #""ownerId":"a","summary":"약속","topics":[]}}"#
        let stores = try await [database.store(), database.store()]
        async let a: Bool = (try? await Self.append(try Self.batch([commitment]), to: stores[0])) != nil
        async let b: Bool = (try? await Self.append(try Self.batch([commitment]), to: stores[1])) != nil
        let succeeded = await [a, b].filter { $0 }.count
        #expect(succeeded == 1)
        #expect(try await setup.readStreams(["commitment-k"]).count == 1)
    }
}
