import ConsultDomain
import Foundation
import TestSupport
import Testing

/// SPEC.md: on a date D, events dated after D are ignored, in every view and every count.
@Suite("counts on a date ignore what is dated after it")
struct AsOfCountsTests {
    static func consultation(_ id: String, _ date: String) -> String {
        #"{"type":"ConsultationHeld","data":{"consultationId":"\#(id)","kind":"roundtable","title":"\#(id)","#
            + #""date":"\#(date)","organizerIds":[],"participants":[],"sources":[{"publisher":"P"}]}}"#
    }

    static func statement(_ id: String, at consultation: String) -> String {
        #"{"type":"StatementRecorded","data":{"consultationId":"\#(consultation)","statementId":"\#(id)","#
            + #""speakerId":"a","summary":"요약","topics":[]}}"#
    }

    static func request(_ id: String, at consultation: String) -> String {
        #"{"type":"RequestMade","data":{"consultationId":"\#(consultation)","requestId":"\#(id)","#
            + #""requesterId":"a","addressedToIds":["gov"],"summary":"요청","topics":[]}}"#
    }

    static let history = [
        #"{"type":"StakeholderRegistered","data":{"stakeholderId":"a","name":"A","kind":"person","sector":"other"}}"#,
        #"{"type":"StakeholderRegistered","data":{"stakeholderId":"gov","name":"정부","kind":"organization","#
            + #""sector":"government"}}"#,
        consultation("early", "2023-01-10"), statement("s1", at: "early"), request("r1", at: "early"),
        consultation("late", "2026-09-15"), statement("s2", at: "late"), request("r2", at: "late"),
        // A commitment made at the early consultation, and an answer to r1 a year later that names it
        // (the commitment itself does not say it responds to r1).
        #"{"type":"CommitmentMade","data":{"commitmentId":"k1","consultationId":"early","madeById":"gov","#
            + #""ownerId":"gov","summary":"약속","topics":[]}}"#,
        #"{"type":"RequestAnswered","data":{"requestId":"r1","on":"2024-01-15","answeredById":"gov","#
            + #""outcome":"accepted","reason":"검토 후 수용","commitmentIds":["k1"]}}"#,
    ].joined(separator: "\n")

    func rows(_ arguments: [String], database: TestDatabase) async throws -> [JSONObject] {
        let outcome = try await ConsultProcess.run(
            arguments + ["--format", "json"], environment: ["CONSULT_DATABASE_URL": database.url])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let rows = try JSONValue.parse(outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines)).arrayValue ?? []
        return rows.compactMap(\.objectValue)
    }

    func load() async throws -> TestDatabase {
        let database = try await TestDatabase.create()
        let logged = try await ConsultProcess.run(
            ["log", "--file", "-"], environment: ["CONSULT_DATABASE_URL": database.url],
            stdin: Data(Self.history.utf8))
        #expect(logged.status == 0, "\(logged.stderr)")
        return database
    }

    @Test("requests and consultations take --as-of: later consultations, answers and commitments are not there yet")
    func requestsAndConsultations() async throws {
        let database = try await load()
        let early = try await rows(["requests", "--as-of", "2023-03-20"], database: database)
        #expect(early.map { $0["requestId"]?.stringValue } == ["r1"])
        #expect(early.first?["answers"] == .array([]))
        #expect(early.first?["commitmentIds"] == .array([]))
        #expect(early.first?["unanswered"] == .bool(true))
        let answered = try await rows(["requests", "--as-of", "2024-02-01"], database: database)
        #expect(answered.first?["commitmentIds"] == .array([.string("k1")]))
        #expect(answered.first?["unanswered"] == .bool(false))
        let unanswered = try await rows(["requests", "--unanswered", "--as-of", "2023-12-31"], database: database)
        #expect(unanswered.map { $0["requestId"]?.stringValue } == ["r1"])

        let consultations = try await rows(["consultations", "--as-of", "2023-03-20"], database: database)
        #expect(consultations.map { $0["consultationId"]?.stringValue } == ["early"])
        let all = try await rows(["consultations", "--as-of", "2026-10-01"], database: database)
        #expect(all.map { $0["consultationId"]?.stringValue } == ["early", "late"])
    }

    @Test("a commitment named by an answer responds to that request, in both views")
    func answerLinksBothWays() async throws {
        let database = try await load()
        let before = try await rows(["commitments", "--as-of", "2023-12-31"], database: database)
        #expect(before.first?["respondsToRequestIds"] == .array([]))
        let after = try await rows(["commitments", "--as-of", "2024-02-01"], database: database)
        #expect(after.first?["respondsToRequestIds"] == .array([.string("r1")]))
        let requests = try await rows(["requests", "--as-of", "2024-02-01"], database: database)
        #expect(requests.first?["commitmentIds"] == .array([.string("k1")]))
    }

    @Test("under --recorded-as-of before the answer was recorded, the commitment responds to nothing")
    func answerLinksRecordedAsOf() async throws {
        let database = try await TestDatabase.create()
        let lines = Self.history.split(separator: "\n")
        let first = try await ConsultProcess.run(
            ["log", "--file", "-"], environment: ["CONSULT_DATABASE_URL": database.url],
            stdin: Data(lines.dropLast().joined(separator: "\n").utf8))
        #expect(first.status == 0, "\(first.stderr)")
        try await Task.sleep(for: .milliseconds(50))
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let between = formatter.string(from: Date())
        try await Task.sleep(for: .milliseconds(50))
        let answer = try await ConsultProcess.run(
            ["log", "--file", "-"], environment: ["CONSULT_DATABASE_URL": database.url],
            stdin: Data(String(lines.last ?? "").utf8))
        #expect(answer.status == 0, "\(answer.stderr)")
        let then = try await rows(
            ["commitments", "--as-of", "2024-02-01", "--recorded-as-of", between], database: database)
        #expect(then.first?["respondsToRequestIds"] == .array([]), "\(between)")
        let now = try await rows(["commitments", "--as-of", "2024-02-01"], database: database)
        #expect(now.first?["respondsToRequestIds"] == .array([.string("r1")]))

        // requests take --recorded-as-of too: before the answer was recorded, r1 had none.
        let requestsThen = try await rows(
            ["requests", "--as-of", "2024-02-01", "--recorded-as-of", between], database: database)
        let r1Then = requestsThen.first { $0["requestId"]?.stringValue == "r1" }
        #expect(r1Then?["answers"] == .array([]))
        #expect(r1Then?["commitmentIds"] == .array([]))
        #expect(r1Then?["unanswered"] == .bool(true))
        #expect(requestsThen.map { $0["requestId"]?.stringValue } == ["r1"])  // r2's consultation is later
        let requestsNow = try await rows(
            ["requests", "--as-of", "2024-02-01", "--recorded-as-of", "2999-01-01T00:00:00Z"], database: database)
        let current = try await rows(["requests", "--as-of", "2024-02-01"], database: database)
        #expect(requestsNow == current)
        #expect(requestsNow.first?["commitmentIds"] == .array([.string("k1")]))
    }

    func stakeholder(_ id: String, asOf date: String, database: TestDatabase) async throws -> JSONObject {
        let outcome = try await ConsultProcess.run(
            ["stakeholders", "--as-of", date, "--format", "json"], environment: ["CONSULT_DATABASE_URL": database.url])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let rows = try JSONValue.parse(outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines)).arrayValue ?? []
        return rows.compactMap(\.objectValue).first { $0["stakeholderId"]?.stringValue == id } ?? JSONObject()
    }

    @Test("stakeholders: statements and requests made at a consultation after the date are not counted")
    func stakeholderCounts() async throws {
        let database = try await load()
        let before = try await stakeholder("a", asOf: "2023-03-20", database: database)
        #expect(before["statements"] == .number("1"))
        #expect(before["requests"] == .number("1"))
        let after = try await stakeholder("a", asOf: "2026-10-01", database: database)
        #expect(after["statements"] == .number("2"))
        #expect(after["requests"] == .number("2"))
        let first = try await stakeholder("a", asOf: "2023-01-09", database: database)
        #expect(first["statements"] == .number("0"))
        #expect(first["requests"] == .number("0"))
    }
}
