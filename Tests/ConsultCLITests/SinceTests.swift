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

    /// The event lines of an export (its closing lines, heads and end, left out: without them a
    /// file is logged as an export written before they existed).
    static func eventLines(_ text: String) -> [String] {
        text.split(separator: "\n").filter { $0.contains(#""recorded":"#) }.map(String.init)
    }

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
        return (database, position, time, eventLines(earlier.stdout))
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
        // The day's start in UTC is shown, as the RECORDED column shows times.
        #expect(none.stdout == "No events were recorded since \(tomorrow) (\(tomorrow)T00:00:00.000000Z).\n")
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
        #expect(quiet.stdout.hasPrefix("No events of kakao were recorded since \(time) ("), "\(quiet.stdout)")
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

    @Test("export --since POSITION or TIME writes the events after it; a copy holding the earlier export takes it")
    func exportContinues() async throws {
        let (database, position, time, earlier) = try await Self.loaded()
        let whole = Self.eventLines(try await Self.consult(["export"], database: database).stdout)
        let byPosition = try await Self.consult(["export", "--since", String(position)], database: database)
        #expect(byPosition.status == 0, "\(byPosition.stderr)")
        let byTime = try await Self.consult(["export", "--since", time], database: database)
        #expect(byTime.stdout == byPosition.stdout)
        let since = Self.eventLines(byPosition.stdout)
        #expect(since.count == whole.count - earlier.count)
        // The same lines as the whole export's tail, the first of a continued stream saying what
        // it follows.
        #expect(since.contains { $0.contains(#""follows":{"id":"#) })
        let unfollowed = try since.map { line -> String in
            var object = try Self.object(line)
            var recorded = try #require(object["recorded"]?.objectValue)
            recorded["follows"] = nil
            object["recorded"] = .object(recorded)
            return JSONValue.object(object).serialized()
        }
        #expect(unfollowed == Array(whole.suffix(since.count)))

        // A copy made from the earlier export takes the rest; the whole log then matches.
        let copy = try await TestDatabase.create()
        #expect(try await Self.logLines(earlier, into: copy).status == 0)
        let continued = try await Self.logLines(since, into: copy)
        #expect(continued.status == 0, "\(continued.stderr)")
        #expect(continued.stdout.contains("The export's hash chains check out: \(since.count) events"))
        #expect(continued.stdout.contains("Recorded \(since.count) events"))
        let copied = Self.eventLines(try await Self.consult(["export"], database: copy).stdout)
        #expect(try copied.map { try Self.object($0)["id"] } == whole.map { try Self.object($0)["id"] })
        #expect(try await Self.consult(["verify"], database: copy).status == 0)
        let again = try await Self.logLines(since, into: copy)
        #expect(again.stdout.contains("Recorded no new events"), "\(again.stdout)")

        // After the last position there is nothing.
        let after = try await Self.consult(["export", "--since", "1000000"], database: database)
        #expect(after.status == 0)
        #expect(Self.eventLines(after.stdout).isEmpty)
        #expect(after.stdout.hasPrefix(#"{"end":{"events":0,"streams":0,"#), "\(after.stdout)")
    }

    @Test("a since-export is refused by a store without the events it follows, and when its start was cut")
    func exportRefused() async throws {
        // Cut after batch 1, so that some stream gets several events after the cut.
        let database = try await TestDatabase.create()
        let position = try Self.lastPosition(try await Self.logBatch(1, into: database).stdout)
        let earlier = Self.eventLines(try await Self.consult(["export"], database: database).stdout)
        _ = try await Self.logBatch(2, into: database)
        _ = try await Self.logBatch(3, into: database)
        let since = Self.eventLines(
            try await Self.consult(["export", "--since", String(position)], database: database).stdout)

        let empty = try await TestDatabase.create()
        let refused = try await Self.logLines(since, into: empty)
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("which this store does not hold"), "\(refused.stderr)")
        #expect(refused.stderr.contains("nothing was written"))
        let connection = try await empty.connect()
        #expect(try await connection.query("SELECT count(*) FROM events")[0].decode(Int.self, column: 0) == 0)
        await connection.close()

        let copy = try await TestDatabase.create()
        #expect(try await Self.logLines(earlier, into: copy).status == 0)
        let streams = try since.map {
            try #require(try Self.object($0)["recorded"]?.objectValue?["stream"]?.stringValue)
        }
        // The line that says what its stream follows removed: the next one of that stream has no
        // predecessor.
        let first = try #require(
            since.indices.first { index in
                since[index].contains(#""follows":"#) && streams.filter { $0 == streams[index] }.count > 1
            })
        let cut = try await Self.logLines(since.enumerated().filter { $0.offset != first }.map(\.element), into: copy)
        #expect(cut.status == 65)
        #expect(cut.stderr.contains("lines were removed or moved"), "\(cut.stderr)")
        // What it follows changed: its hash no longer chains.
        var changed = since
        var object = try Self.object(since[first])
        var recorded = try #require(object["recorded"]?.objectValue)
        var follows = try #require(recorded["follows"]?.objectValue)
        follows["hash"] = .string(String(repeating: "ab", count: 32))
        recorded["follows"] = .object(follows)
        object["recorded"] = .object(recorded)
        changed[first] = JSONValue.object(object).serialized()
        let tampered = try await Self.logLines(changed, into: copy)
        #expect(tampered.status == 65)
        #expect(tampered.stderr.contains("does not match its hash"), "\(tampered.stderr)")
        #expect(Self.eventLines(try await Self.consult(["export"], database: copy).stdout).count == earlier.count)
    }

    @Test("export --since takes a position or a time, nothing else (exit 64, nothing written)")
    func exportUsage() async throws {
        let database = try await TestDatabase.create()
        for value in ["last-week", "-3", "12abc"] {
            let outcome = try await Self.consult(["export", "--since=\(value)"], database: database)
            #expect(outcome.status == 64, "\(value): \(outcome.stderr)")
            #expect(outcome.stdout.isEmpty)
            #expect(outcome.stderr.contains("--since takes a log position"), "\(outcome.stderr)")
            #expect(Self.lines(outcome.stderr).count == 1, "\(outcome.stderr)")
        }
    }
}
