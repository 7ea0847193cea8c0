import Foundation
import TestSupport
import Testing

/// Hostile and broken input through the real `consult log --file`, against a real store: each
/// case gets its documented exit code, a message naming the line and field, and the log is
/// unchanged when the input is refused.
@Suite("Hostile input to consult log")
struct HostileInputTests {
    /// A valid first line, so that the problem is on line 2.
    static let valid = Data(
        (#"{"type":"StakeholderRegistered","data":{"stakeholderId":"msit","name":"과학기술정보통신부","#
            + #""kind":"organization","sector":"government"}}"# + "\n").utf8)
    static let consultation =
        #"{"type":"ConsultationHeld","data":{"consultationId":"forum-1","kind":"forum","title":"AI 토론회","#
        + #""date":"2023-02-21","organizerIds":[],"participants":[],"sources":[{"publisher":"아이뉴스24"}]}}"#

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var input: Data
        /// Texts stderr must contain (line and field).
        var mentions: [String]
        var testDescription: String { name }

        init(_ name: String, _ input: Data, _ mentions: [String]) {
            self.name = name
            self.input = input
            self.mentions = mentions
        }

        init(_ name: String, line2: String, _ mentions: [String]) {
            self.init(name, HostileInputTests.valid + Data((line2 + "\n").utf8), mentions)
        }
    }

    static let refused: [Case] = [
        Case(
            "invalid UTF-8", valid + Data([0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x3A, 0x31, 0x7D, 0x0A]), ["line 2", "UTF-8"]),
        Case("a byte-order mark", Data([0xEF, 0xBB, 0xBF]) + valid, ["line 1", "byte order mark"]),
        Case(
            "a line of 1 MiB + 1 byte", valid + Data(repeating: 0x20, count: (1 << 20) + 1) + Data("\n".utf8),
            ["line 2", "1 MiB"]),
        Case("deeply nested JSON", line2: String(repeating: "[", count: 100_000), ["line 2", "nested"]),
        Case(
            "a number where a string belongs",
            line2:
                #"{"type":"StakeholderRegistered","data":{"stakeholderId":"a","name":5,"kind":"person","sector":"other"}}"#,
            ["line 2", "data.name"]),
        Case(
            "duplicate keys",
            line2: #"{"type":"StakeholderRegistered","type":"StakeholderRegistered","data":{}}"#,
            ["line 2", "duplicate key"]),
        Case(
            "a NUL byte",
            valid + Data(#"{"type":"StakeholderRegistered","data":{"name":"a"#.utf8) + Data([0])
                + Data(#""}}"#.utf8) + Data("\n".utf8), ["line 2", "control character"]),
        Case(
            "an escaped NUL",
            line2:
                #"{"type":"StakeholderRegistered","data":{"stakeholderId":"a","name":"\u0000","kind":"person","sector":"other"}}"#,
            ["line 2", "data.name", "U+0000"]),
        Case(
            "2^64 as a version",
            line2:
                #"{"type":"StakeholderRegistered","expectedVersion":18446744073709551616,"data":{"stakeholderId":"a"}}"#,
            ["line 2", "expectedVersion"]),
        Case(
            "2023-02-29",
            line2: consultation.replacingOccurrences(of: "2023-02-21", with: "2023-02-29"),
            ["line 2", "data.date", "2023-02-29"]),
        Case(
            "a reference to an id defined later in the batch",
            valid
                + Data(
                    (#"{"type":"StatementRecorded","data":{"consultationId":"forum-1","statementId":"s1","#
                        + #""speakerId":"msit","summary":"데이터 공유가 필요하다","topics":["data"]}}"# + "\n" + consultation
                        + "\n")
                        .utf8),
            ["line 2", "data.consultationId", "forum-1"]),
        Case(
            "a correction that would make its target invalid",
            valid
                + Data(
                    (consultation.replacingOccurrences(
                        of: "{\"type\"", with: "{\"id\":\"4b6f3a52-9c1d-4e2a-8f00-000000000001\",\"type\"")
                        + "\n"
                        + #"{"type":"RecordCorrected","data":{"correctsEventId":"4b6f3a52-9c1d-4e2a-8f00-000000000001","#
                        + #""reason":"날짜 정정","changes":{"date":"2023-02-30"}}}"# + "\n").utf8),
            ["line 3", "data.changes.date"]),
        Case(
            "an unknown field in data",
            line2:
                #"{"type":"StakeholderRegistered","data":{"stakeholderId":"a","name":"A","kind":"person","sector":"other","x":1}}"#,
            ["line 2", "data.x"]),
    ]

    @Test("refused input: exit 65, line and field named, nothing written", arguments: refused)
    func refusedInput(_ hostile: Case) async throws {
        let database = try await TestDatabase.create()
        let environment = ["CONSULT_DATABASE_URL": database.url]
        let before = try await eventCount(environment)
        let outcome = try await ConsultProcess.run(
            ["log", "--file", "-"], environment: environment, stdin: hostile.input)
        #expect(outcome.status == 65, "\(outcome.stderr)")
        for mention in hostile.mentions {
            #expect(outcome.stderr.contains(mention), "stderr should mention \(mention): \(outcome.stderr)")
        }
        #expect(try await eventCount(environment) == before)
    }

    @Test("accepted oddities: CRLF line ends, an empty file, a file of blank lines")
    func acceptedInput() async throws {
        let database = try await TestDatabase.create()
        let environment = ["CONSULT_DATABASE_URL": database.url]
        let empty = try await ConsultProcess.run(["log", "--file", "-"], environment: environment, stdin: Data())
        #expect(empty.status == 0)
        let blank = try await ConsultProcess.run(
            ["log", "--file", "-"], environment: environment, stdin: Data("\n\n  \n\r\n".utf8))
        #expect(blank.status == 0)
        #expect(try await eventCount(environment) == 0)
        let crlf =
            (String(decoding: Self.valid, as: UTF8.self).replacingOccurrences(of: "\n", with: "\r\n")
                + Self.consultation + "\r\n")
        let logged = try await ConsultProcess.run(
            ["log", "--file", "-"], environment: environment, stdin: Data(crlf.utf8))
        #expect(logged.status == 0, "\(logged.stderr)")
        #expect(try await eventCount(environment) == 2)
    }

    private func eventCount(_ environment: [String: String]) async throws -> Int {
        let status = try await ConsultProcess.run(["status", "--format", "json"], environment: environment)
        let text = status.stdout
        guard let range = text.range(of: #""eventCount":"#) else { return -1 }
        return Int(text[range.upperBound...].prefix { $0.isNumber }) ?? -1
    }
}
