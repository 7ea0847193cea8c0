import Foundation
import Postgres
import TestSupport
import Testing

@testable import EventStore

/// The writer computes the hashes of events whose data it sends as jsonb prints it; the database
/// checks every inserted row once per statement (migration 0010) and computes the others.
@Suite("Hashes computed by the writer, checked by the database")
struct WriterHashTests {
    /// An event whose data and metadata are the texts jsonb prints (keys by length, then bytes).
    static func printed(_ stream: String, _ n: Int) -> ProposedEvent {
        var event = ProposedEvent(
            type: "StatementRecorded", stream: .stream(stream),
            data: #"{"n": \#(n), "summary": "발언 \"요약\"\n\#(n)"}"#, metadata: #"{"recordedBy": "tests"}"#)
        event.isJSONBText = true
        return event
    }

    @Test("with the row trigger disabled, a batch of printed events still stores hashes that verify")
    func writerComputes() async throws {
        let database = try await TestDatabase.create()
        let store = try await database.store()
        let connection = try await database.connect()
        _ = try await store.append([event("a", 1)])  // computed by the row trigger
        try await connection.execute(unsafeScript: "ALTER TABLE events DISABLE TRIGGER events_chain")
        // Streams new and continued, several events of one stream in the batch, in two batches.
        _ = try await store.append([Self.printed("a", 2), Self.printed("b", 1), Self.printed("a", 3)])
        _ = try await store.append([Self.printed("b", 2), Self.printed("c", 1)])
        // In a batch, an event the writer cannot hash needs the row trigger, now disabled: refused.
        await #expect(throws: PostgresError.self) { _ = try await store.append([event("c", 2), event("d", 1)]) }
        try await connection.execute(unsafeScript: "ALTER TABLE events ENABLE ALWAYS TRIGGER events_chain")
        let report = try await HashChains.verify(on: connection)
        #expect(report.problems.isEmpty && report.eventsChecked == 6, "\(report.problems)")
        await connection.close()
    }

    @Test("a single append computes its hash in its insert: it needs no row trigger, and verifies")
    func singleAppends() async throws {
        let database = try await TestDatabase.create()
        let store = try await database.store()
        let connection = try await database.connect()
        try await connection.execute(unsafeScript: "ALTER TABLE events DISABLE TRIGGER events_chain")
        for n in 1...3 { _ = try await store.append([event("one", n)]) }
        _ = try await store.append([event("two", 1)])
        try await connection.execute(unsafeScript: "ALTER TABLE events ENABLE ALWAYS TRIGGER events_chain")
        let report = try await HashChains.verify(on: connection)
        #expect(report.problems.isEmpty && report.eventsChecked == 4, "\(report.problems)")
        await connection.close()
    }

    @Test("in one stream, an event the writer cannot hash is hashed by the database, and so is the next")
    func mixedBatch() async throws {
        let database = try await TestDatabase.create()
        let store = try await database.store()
        _ = try await store.append([
            Self.printed("s", 1), event("s", 2), Self.printed("s", 3), Self.printed("t", 1), event("t", 2),
        ])
        let connection = try await database.connect()
        let report = try await HashChains.verify(on: connection)
        #expect(report.problems.isEmpty && report.eventsChecked == 5, "\(report.problems)")
        await connection.close()
    }

    @Test("a writer wrong about how jsonb prints its data is refused whole, and nothing is written")
    func wrongWriterRefused() async throws {
        let database = try await TestDatabase.create()
        let store = try await database.store()
        var wrong = event("s", 2)  // compact text: jsonb prints it with spaces
        wrong.isJSONBText = true
        let refused = await #expect(throws: PostgresError.self) {
            _ = try await store.append([Self.printed("s", 1), wrong, Self.printed("u", 1)])
        }
        #expect(refused?.sqlState == "CH001")
        #expect(refused?.hint == "row 2 of the statement", "\(String(describing: refused?.hint))")
        #expect(try await store.readStreams(["s", "u"]).isEmpty)
    }
}
