import ConsultCore
import ConsultDomain
import EventStore
import Foundation
import Postgres
import TestSupport
import Testing

/// What `BatchChecker` loads from the store must be enough for every rule, corrections included.
@Suite("Checking batches against stored corrections")
struct BatchCheckerTests {
    static let commitmentID = "4b6f3a52-9c1d-4e2a-8f00-0000000000c1"
    static let progressID = "4b6f3a52-9c1d-4e2a-8f00-0000000000c2"

    static let stored = [
        #"{"type":"StakeholderRegistered","data":{"stakeholderId":"a","name":"A","kind":"person","sector":"other"}}"#,
        #"{"type":"StakeholderRegistered","data":{"stakeholderId":"b","name":"B","kind":"person","sector":"other"}}"#,
        ConcurrentBatchTests.consultation("c1"),
        #"{"id":"\#(commitmentID)","type":"CommitmentMade","data":{"commitmentId":"k","consultationId":"c1","#
            + #""madeById":"a","ownerId":"a","summary":"약속","topics":[]}}"#,
        #"{"type":"RecordCorrected","data":{"correctsEventId":"\#(commitmentID)","reason":"담당 변경","#
            + #""changes":{"ownerId":"b"}}}"#,
        #"{"id":"\#(progressID)","type":"CommitmentProgressed","data":{"commitmentId":"k","on":"2023-03-01","#
            + #""status":"in_progress","note":"진행","evidence":[{"publisher":"P"}]}}"#,
    ]

    func outcome(of line: String, in kind: StoreKind) async throws -> Int32 {
        let store = try await kind.makeLog()
        _ = try await store.append(try ConcurrentBatchTests.batch(Self.stored).events)
        let parsed = try ConcurrentBatchTests.batch([line])
        do {
            _ = try await store.append(
                parsed.events,
                check: { lookup in try BatchChecker.check(parsed, sourceName: "batch", lookup: lookup) },
                dryRun: false)
            return 0
        } catch let failure as ConsultFailure {
            return failure.exitCode
        }
    }

    @Test(
        "a second correction of a corrected commitment is checked against the records it now names",
        arguments: StoreKind.allCases)
    func secondCorrection(_ kind: StoreKind) async throws {
        let line =
            #"{"type":"RecordCorrected","data":{"correctsEventId":"\#(Self.commitmentID)","reason":"요약 정정","#
            + #""changes":{"summary":"새 요약"}}}"#
        #expect(try await outcome(of: line, in: kind) == 0)
    }

    @Test(
        "a correction that dates progress before its commitment's consultation is refused",
        arguments: StoreKind.allCases)
    func correctedProgressDate(_ kind: StoreKind) async throws {
        let line =
            #"{"type":"RecordCorrected","data":{"correctsEventId":"\#(Self.progressID)","reason":"날짜","#
            + #""changes":{"on":"2023-01-01"}}}"#
        #expect(try await outcome(of: line, in: kind) == 65)
    }
}

@Suite("Errors as the user sees them")
struct ConsultFailureTests {
    @Test("a connection lost during COMMIT says the outcome is unknown (exit 69), not only 'unavailable'")
    func commitOutcomeUnknown() {
        let error = PostgresTransactionError(
            commitError: PostgresError(kind: .connection, message: "server closed the connection unexpectedly"))
        let failure = ConsultFailure.from(error)
        #expect(failure.exitCode == 69)
        #expect(failure.message.contains("may or may not have been written"))
        let plain = ConsultFailure.from(PostgresError(kind: .connection, message: "no such socket"))
        #expect(plain.exitCode == 69)
        #expect(plain.message.hasPrefix("The database is unavailable"))
    }
}
