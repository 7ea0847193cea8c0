import ConsultDomain
import Foundation
import TestSupport
import Testing

/// `consult history`: what each event says, found by a record's id, a statement's id or an
/// event's own id.
@Suite("history")
struct HistoryTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    func consult(_ arguments: [String], database: TestDatabase) async throws -> ConsultProcess.Outcome {
        try await ConsultProcess.run(arguments, environment: ["CONSULT_DATABASE_URL": database.url])
    }

    func load() async throws -> TestDatabase {
        let database = try await TestDatabase.create()
        for batch in 1...3 {
            let path = Self.fixtures.appendingPathComponent("views-batch\(batch).jsonl").path
            let logged = try await consult(["log", "--file", path], database: database)
            #expect(logged.status == 0, "\(logged.stderr)")
        }
        return database
    }

    /// The DETAIL cell of the row whose TYPE is `type` (the last column).
    func details(_ output: String, type: String) -> [String] {
        output.split(separator: "\n").filter { $0.contains("  \(type)  ") }.map {
            String($0.split(separator: "  ", omittingEmptySubsequences: true).last ?? "").trimmingCharacters(
                in: .whitespaces)
        }
    }

    @Test("a retraction says what it takes back and the retracted event is marked; a correction names its changes")
    func correctionsAndRetractions() async throws {
        let database = try await load()
        let retracted = try await consult(["history", "c-retracted"], database: database)
        #expect(retracted.status == 0, "\(retracted.stderr)")
        #expect(details(retracted.stdout, type: "CommitmentMade").first?.hasPrefix("[retracted] ") == true)
        #expect(
            details(retracted.stdout, type: "RecordRetracted").first?.hasPrefix("retracts CommitmentMade at position ")
                == true)
        let corrected = try await consult(["history", "c-fund"], database: database)
        #expect(
            details(corrected.stdout, type: "RecordCorrected").first?.hasPrefix("corrects CommitmentMade at position ")
                == true)
        #expect(
            details(corrected.stdout, type: "RecordCorrected").first?.contains("due=2024") == true,
            "\(corrected.stdout)")
        let progress = try await consult(["history", "c-gpu"], database: database)
        #expect(
            details(progress.stdout, type: "CommitmentProgressed").contains { $0.contains("due revised to 2023-06") })
    }

    @Test("a statement is found by its statement id, and any event by its own id")
    func ownIDs() async throws {
        let database = try await load()
        let statement = try await consult(["history", "st-1"], database: database)
        #expect(statement.status == 0, "\(statement.stderr)")
        #expect(statement.stdout.contains("consultation-forum-1") && statement.stdout.contains("StatementRecorded"))
        #expect(!statement.stdout.contains("ConsultationHeld"))

        let json = try await consult(["history", "c-gpu", "--format", "json"], database: database)
        let events = try JSONValue.parse(json.stdout.trimmingCharacters(in: .whitespacesAndNewlines)).arrayValue ?? []
        let progress = try #require(
            events.compactMap(\.objectValue).first { $0["type"]?.stringValue == "CommitmentProgressed" })
        let id = try #require(progress["id"]?.stringValue)
        let one = try await consult(["history", id, "--format", "json"], database: database)
        #expect(one.status == 0, "\(one.stderr)")
        let found = try JSONValue.parse(one.stdout.trimmingCharacters(in: .whitespacesAndNewlines)).arrayValue ?? []
        #expect(found.compactMap { $0.objectValue?["id"]?.stringValue } == [id])

        let missing = try await consult(["history", "no-such-thing"], database: database)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("No record, statement or event has the id no-such-thing."))
    }
}
