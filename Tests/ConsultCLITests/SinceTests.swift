import ConsultDomain
import Foundation
import TestSupport
import Testing

/// "What changed since": `history --since TIME` (one record, or every record) and
/// `export --since POSITION|TIME`, whose file continues an earlier export.
@Suite("what changed since")
struct SinceTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func consult(
        _ arguments: [String], database: TestDatabase, environment: [String: String] = [:], stdin: Data? = nil
    ) async throws -> ConsultProcess.Outcome {
        try await ConsultProcess.run(
            arguments, environment: environment.merging(["CONSULT_DATABASE_URL": database.url]) { $1 }, stdin: stdin)
    }

    static func logBatch(_ batch: Int, into database: TestDatabase) async throws -> ConsultProcess.Outcome {
        let path = fixtures.appendingPathComponent("views-batch\(batch).jsonl").path
        let logged = try await consult(["log", "--file", path], database: database)
        #expect(logged.status == 0, "\(logged.stderr)")
        return logged
    }

    static func logLines(_ lines: [String], into database: TestDatabase) async throws -> ConsultProcess.Outcome {
        try await consult(
            ["log", "--file", "-"], database: database, stdin: Data((lines.joined(separator: "\n") + "\n").utf8))
    }

    static func lines(_ text: String) -> [String] { text.split(separator: "\n").map(String.init) }

    static func jsonArray(_ text: String) throws -> [JSONObject] {
        try (JSONValue.parse(Array(text.utf8)).arrayValue ?? []).compactMap(\.objectValue)
    }

    static func object(_ line: String) throws -> JSONObject {
        try #require(try JSONValue.parse(Array(line.utf8)).objectValue)
    }

    /// Now, as RFC 3339 in UTC with microseconds.
    static func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }

    /// The last position `consult log` printed ("Recorded 8 events (positions 21–28).").
    static func lastPosition(_ output: String) throws -> Int {
        let match = try #require(output.firstMatch(of: /positions? (\d+)(?:–(\d+))?/))
        return try #require(Int(match.2 ?? match.1))
    }

    /// A store with batches 1 and 2, its export then, the time between, and batch 3 logged after.
    static func loaded() async throws -> (database: TestDatabase, position: Int, time: String, earlier: [String]) {
        let database = try await TestDatabase.create()
        _ = try await logBatch(1, into: database)
        let second = try await logBatch(2, into: database)
        let position = try lastPosition(second.stdout)
        let earlier = try await consult(["export"], database: database)
        #expect(earlier.status == 0, "\(earlier.stderr)")
        let time = now()
        _ = try await logBatch(3, into: database)
        return (database, position, time, lines(earlier.stdout))
    }

    @Test("history --since TIME lists what every record got since then, in log order, described as history does")
    func historyOfEveryRecord() async throws {
        let (database, _, time, _) = try await Self.loaded()
        let batch3 = try String(contentsOf: Self.fixtures.appendingPathComponent("views-batch3.jsonl"), encoding: .utf8)
        let expectedTypes = try Self.lines(batch3).map { try Self.object($0)["type"]?.stringValue ?? "" }

        let json = try await Self.consult(["history", "--since", time, "--format", "json"], database: database)
        #expect(json.status == 0, "\(json.stderr)")
        let events = try Self.jsonArray(json.stdout)
        #expect(events.map { $0["type"]?.stringValue ?? "" } == expectedTypes)
        #expect(events.allSatisfy { $0["streamId"]?.stringValue?.isEmpty == false })
        let positions = events.compactMap { $0["position"]?.int64Value }
        #expect(positions == positions.sorted())

        let table = try await Self.consult(["history", "--since", time], database: database)
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.hasPrefix("Events recorded since \(time) ("), "\(table.stdout)")
        #expect(table.stdout.contains("STREAM"))
        // A correction in the window names the event it corrects, though that one is older.
        #expect(table.stdout.contains("corrects CommitmentMade at position "), "\(table.stdout)")

        let csv = try await Self.consult(["history", "--since", time, "--format", "csv"], database: database)
        #expect(csv.stdout.split(whereSeparator: \.isNewline).count == expectedTypes.count + 1)
        #expect(csv.stdout.hasPrefix("position,recordedAt,streamId,"))

        // A date is the start of that day (here in UTC): today holds everything, tomorrow nothing.
        let utc = ["TZ": "UTC"]
        let today = String(Self.now().prefix(10))
        let all = try await Self.consult(
            ["history", "--since", today, "--format", "json"], database: database, environment: utc)
        #expect(try Self.jsonArray(all.stdout).count == 35)
        let tomorrow = CalendarDate(dayNumber: try #require(CalendarDate(today)).dayNumber + 1).description
        let none = try await Self.consult(["history", "--since", tomorrow], database: database, environment: utc)
        #expect(none.status == 0)
        #expect(none.stdout == "No events were recorded since \(tomorrow).\n")
    }

    @Test("history ID --since TIME shows that record's later events only; nothing new is said, not an error")
    func historyOfOneRecord() async throws {
        let (database, _, time, _) = try await Self.loaded()
        let full = try Self.jsonArray(
            try await Self.consult(["history", "c-fund", "--format", "json"], database: database).stdout)
        let since = try await Self.consult(
            ["history", "c-fund", "--since", time, "--format", "json"], database: database)
        #expect(since.status == 0, "\(since.stderr)")
        let recent = try Self.jsonArray(since.stdout)
        #expect(recent.map { $0["type"]?.stringValue } == ["RecordCorrected"])
        #expect(full.count > recent.count)

        let quiet = try await Self.consult(["history", "kakao", "--since", time], database: database)
        #expect(quiet.status == 0, "\(quiet.stderr)")
        #expect(quiet.stdout == "No events of kakao were recorded since \(time).\n")
        let quietJSON = try await Self.consult(
            ["history", "kakao", "--since", time, "--format", "json"], database: database)
        #expect(quietJSON.stdout == "[]\n")

        let missing = try await Self.consult(["history", "no-such-thing", "--since", time], database: database)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("No record, statement or event has the id no-such-thing."))
    }

    @Test("history without an id needs --since; --since takes a time or a date, nothing else")
    func historyUsage() async throws {
        let database = try await TestDatabase.create()
        let bare = try await Self.consult(["history"], database: database)
        #expect(bare.status == 64)
        #expect(bare.stderr.contains("Missing expected argument '<id>'"), "\(bare.stderr)")
        let bad = try await Self.consult(["history", "--since", "last week"], database: database)
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("--since takes an RFC 3339 time"), "\(bad.stderr)")
        #expect(bad.stdout.isEmpty)
    }
}
