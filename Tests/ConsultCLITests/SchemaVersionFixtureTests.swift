import EventStore
import Foundation
import TestSupport
import Testing

@testable import ConsultDomain

/// A log written before `ConsultationHeld` moved to schema version 2 (Fixtures/schema-v1: its
/// export, and what the store answered from it then) loads, replays, verifies and answers every
/// read as before; a log holding both versions answers as one holding version 2 of the same facts.
@Suite("Schema versions: a version-1 log read by this version")
struct SchemaVersionFixtureTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/schema-v1")
    static let export = folder.appendingPathComponent("export.jsonl")

    /// Each answer recorded in the fixture: its file, and the command that gave it.
    static let reads: [(file: String, arguments: [String])] = [
        ("commitments", ["commitments", "--as-of", "2026-12-02"]),
        ("commitments-outstanding", ["commitments", "--outstanding", "--as-of", "2026-12-02"]),
        ("commitments-2023-06-30", ["commitments", "--as-of", "2023-06-30"]),
        ("commitments-2024-02-15", ["commitments", "--as-of", "2024-02-15"]),
        ("commitments-msit", ["commitments", "--owner", "msit", "--as-of", "2025-01-01"]),
        ("requests", ["requests", "--as-of", "2025-01-01"]),
        ("requests-unanswered", ["requests", "--unanswered", "--as-of", "2025-01-01"]),
        ("follow-ups-2024-02-01", ["follow-ups", "--as-of", "2024-02-01"]),
        ("stakeholders", ["stakeholders", "--as-of", "2025-01-01"]),
        ("consultations", ["consultations", "--as-of", "2025-01-01"]),
        ("consultations-2023-05-10", ["consultations", "--as-of", "2023-05-10"]),
        ("search-forum", ["search", "토론회"]),
        ("search-gpu", ["search", "GPU"]),
    ]

    static func consult(_ arguments: [String], _ database: TestDatabase) async throws -> ConsultProcess.Outcome {
        try await ConsultProcess.run(arguments, environment: ["CONSULT_DATABASE_URL": database.url])
    }

    static func rows(_ text: String) throws -> [JSONObject] {
        try #require(try JSONValue.parse(text).arrayValue).compactMap(\.objectValue)
    }

    /// Every answer the fixture recorded, given again: the same rows in the same order, each with
    /// every key and value it had (keys added since, such as `startsOn`, may follow).
    static func expectAnswersAsBefore(_ database: TestDatabase, sourceLocation: SourceLocation = #_sourceLocation)
        async throws
    {
        for (file, arguments) in reads {
            let expected = try rows(
                String(contentsOf: folder.appendingPathComponent(file + ".json"), encoding: .utf8))
            let outcome = try await consult(arguments + ["--format", "json"], database)
            #expect(outcome.status == 0, "\(file): \(outcome.stderr)", sourceLocation: sourceLocation)
            let actual = try rows(outcome.stdout)
            #expect(actual.count == expected.count, "\(file)", sourceLocation: sourceLocation)
            for (old, new) in zip(expected, actual) {
                for (key, value) in old where new[key] != value {
                    Issue.record(
                        "\(file): \(key) was \(value.serialized()), is \(new[key]?.serialized() ?? "missing")",
                        sourceLocation: sourceLocation)
                }
            }
        }
    }

    @Test(
        "the version-1 export logs (stored as version 2), answers as before, replays, verifies, and logs again as a no-op"
    )
    func logsAndAnswersAsBefore() async throws {
        let database = try await TestDatabase.create()
        let logged = try await Self.consult(["log", "--file", Self.export.path], database)
        #expect(logged.status == 0, "\(logged.stderr)")
        try await Self.expectAnswersAsBefore(database)

        // Stored upcast: version 2, with startsOn, the correction's date as it was written.
        let exported = try await Self.consult(["export"], database)
        let held = try exported.stdout.split(separator: "\n").map {
            try #require(try JSONValue.parse(String($0)).objectValue)
        }
        .filter { $0["type"]?.stringValue == "ConsultationHeld" }
        #expect(held.count == 9)
        for event in held {
            #expect(event["recorded"]?.objectValue?["schemaVersion"] == .number("2"))
            #expect(event["data"]?.objectValue?["startsOn"] != nil && event["data"]?.objectValue?["date"] == nil)
        }
        // The consultation whose day was corrected (date 2023-05-10 → 2023-05-11 in version 1's words).
        let consultations = try Self.rows(
            try await Self.consult(["consultations", "--format", "json"], database).stdout)
        let forum = try #require(consultations.first { $0["consultationId"]?.stringValue == "fixture-forum-2023" })
        #expect(forum["startsOn"] == .string("2023-05-11") && forum["date"] == .string("2023-05-11"))
        #expect(forum["endsOn"] == .null)

        let replayed = try await Self.consult(["replay"], database)
        #expect(replayed.status == 0, "\(replayed.stderr)")
        try await Self.expectAnswersAsBefore(database)
        let verified = try await Self.consult(["verify"], database)
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")

        let again = try await Self.consult(["log", "--file", Self.export.path], database)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("Recorded no new events"), "\(again.stdout)")
    }

    /// The fixture's events appended as an older store kept them: each in the schema version and
    /// with the data its export line says.
    static func appendAsStored(_ lines: [String], to database: TestDatabase) async throws {
        let store = try await database.store()
        var batch: [ProposedEvent] = []
        for line in lines {
            let object = try #require(try JSONValue.parse(line).objectValue)
            let recorded = try #require(object["recorded"]?.objectValue)
            batch.append(
                ProposedEvent(
                    id: try #require(object["id"]?.stringValue.flatMap(UUID.init(uuidString:))),
                    type: try #require(object["type"]?.stringValue),
                    schemaVersion: Int(try #require(recorded["schemaVersion"]?.int64Value)),
                    stream: .stream(try #require(recorded["stream"]?.stringValue)),
                    data: try #require(object["data"]).serialized(),
                    metadata: (object["metadata"] ?? .object(JSONObject())).serialized()))
        }
        _ = try await store.append(batch)
    }

    @Test("a log holding version-1 events, or both versions, answers as one holding version 2 of the same facts")
    func mixedLogs() async throws {
        let lines = try String(contentsOf: Self.export, encoding: .utf8).split(separator: "\n").map(String.init)
        // Version 1 as an older store kept it: every ConsultationHeld at version 1.
        let old = try await TestDatabase.create()
        try await Self.appendAsStored(lines, to: old)
        // Both: the first half as stored then, the rest logged now as plain input in version 1's
        // shape (without the export's placements), upcast to version 2.
        let mixed = try await TestDatabase.create()
        let half = lines.count / 2
        try await Self.appendAsStored(Array(lines[..<half]), to: mixed)
        let plain = try lines[half...].map { line in
            var object = try #require(try JSONValue.parse(line).objectValue)
            object["recorded"] = nil
            return JSONValue.object(object).serialized()
        }
        let rest = try await ConsultProcess.run(
            ["log", "--file", "-"], environment: ["CONSULT_DATABASE_URL": mixed.url],
            stdin: Data((plain.joined(separator: "\n") + "\n").utf8))
        #expect(rest.status == 0, "\(rest.stderr)")
        // Version 2 only.
        let current = try await TestDatabase.create()
        #expect(try await Self.consult(["log", "--file", Self.export.path], current).status == 0)

        for database in [old, mixed] {
            try await Self.expectAnswersAsBefore(database)
            for (_, arguments) in Self.reads {
                let here = try await Self.consult(arguments + ["--format", "json"], database)
                let there = try await Self.consult(arguments + ["--format", "json"], current)
                #expect(here.stdout == there.stdout, "\(arguments)")
            }
            let verified = try await Self.consult(["verify"], database)
            #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
            // Logging the version-1 lines again is a no-op, whether they are stored as version 1 or 2.
            let again = try await Self.consult(["log", "--file", Self.export.path], database)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(again.stdout.contains("Recorded no new events"), "\(again.stdout)")
        }
        let stored = try await Self.consult(["history", "fixture-forum-2023", "--format", "json"], old)
        #expect(stored.stdout.contains(#""schemaVersion":1"#), "history shows events as stored")

        // The same events written in the current shape (startsOn) over those stored as version 1:
        // the same events once upcast, so a no-op too; changed content is still refused.
        let held = try lines.map { try #require(try JSONValue.parse($0).objectValue) }
            .filter { $0["type"]?.stringValue == "ConsultationHeld" }
            .map { line -> JSONObject in
                var object = line
                object["recorded"] = nil
                var data = try #require(object["data"]?.objectValue)
                data = JSONObject(data.members.map { ($0.key == "date" ? "startsOn" : $0.key, $0.value) })
                object["data"] = .object(data)
                return object
            }
        let currentShape = held.map { JSONValue.object($0).serialized() }.joined(separator: "\n") + "\n"
        let relogged = try await ConsultProcess.run(
            ["log", "--file", "-"], environment: ["CONSULT_DATABASE_URL": old.url], stdin: Data(currentShape.utf8))
        #expect(relogged.status == 0, "\(relogged.stderr)")
        #expect(relogged.stdout.contains("Recorded no new events"), "\(relogged.stdout)")
        var changed = held[0]
        var data = try #require(changed["data"]?.objectValue)
        data["title"] = .string("다른 제목")
        changed["data"] = .object(data)
        let refused = try await ConsultProcess.run(
            ["log", "--file", "-"], environment: ["CONSULT_DATABASE_URL": old.url],
            stdin: Data((JSONValue.object(changed).serialized() + "\n").utf8))
        #expect(refused.status == 65, "\(refused.stdout)\(refused.stderr)")
    }
}

/// A consultation over several days (version 2): logged by flags, its events dated within it,
/// and the as-of rules reading each event's own date.
@Suite("Schema versions: a comment period")
struct CommentPeriodTests {
    static func consult(_ arguments: [String], _ database: TestDatabase) async throws -> ConsultProcess.Outcome {
        try await ConsultProcess.run(arguments, environment: ["CONSULT_DATABASE_URL": database.url])
    }

    @Test("a 40-day notice: --starts-on/--ends-on, commenters, requests dated within it, counted by their own dates")
    func commentPeriod() async throws {
        let database = try await TestDatabase.create()
        for arguments in [
            [
                "stakeholder", "--stakeholder-id", "msit", "--name", "과학기술정보통신부", "--kind", "organization",
                "--sector", "government",
            ],
            [
                "stakeholder", "--stakeholder-id", "alliance", "--name", "스타트업얼라이언스", "--kind", "organization",
                "--sector", "association",
            ],
            [
                "consultation", "--consultation-id", "decree-notice", "--kind", "public_comment", "--title",
                "AI 기본법 시행령 입법예고", "--starts-on", "2025-09-08", "--ends-on", "2025-10-17", "--organizer-id", "msit",
                "--participant", "alliance:commenter", "--source", "publisher=국민참여입법센터",
            ],
            [
                "request", "--consultation-id", "decree-notice", "--request-id", "gpu", "--requester-id", "alliance",
                "--addressed-to-id", "msit", "--summary", "GPU 지원 요건 완화", "--on", "2025-10-01",
            ],
            [
                "commitment", "--consultation-id", "decree-notice", "--commitment-id", "revise", "--made-by-id", "msit",
                "--owner-id", "msit", "--summary", "의견을 반영해 요건을 고친다", "--on", "2025-10-15", "--due", "2025-12",
            ],
        ] {
            let logged = try await Self.consult(["log"] + arguments, database)
            #expect(logged.status == 0, "\(arguments[0]): \(logged.stderr)")
        }
        // Outside the days: refused with the days named, nothing written.
        let outside = try await Self.consult(
            [
                "log", "statement", "--consultation-id", "decree-notice", "--statement-id", "late",
                "--speaker-id", "alliance", "--summary", "기한 후 의견", "--on", "2025-10-18",
            ], database)
        #expect(outside.status == 65)
        #expect(outside.stderr.contains("2025-10-18 is not within the consultation's days (2025-09-08 to 2025-10-17)"))
        let both = try await Self.consult(
            [
                "log", "consultation", "--consultation-id", "x", "--kind", "forum", "--title", "t", "--date",
                "2025-01-01", "--ends-on", "2025-01-02", "--source", "publisher=p",
            ], database)
        #expect(both.status == 64)

        func row(_ asOf: String) async throws -> JSONObject? {
            let outcome = try await Self.consult(["consultations", "--as-of", asOf, "--format", "json"], database)
            return try JSONValue.parse(outcome.stdout).arrayValue?.first?.objectValue
        }
        #expect(try await row("2025-09-07") == nil)
        let early = try #require(try await row("2025-09-20"))
        #expect(early["startsOn"] == .string("2025-09-08") && early["endsOn"] == .string("2025-10-17"))
        #expect(early["date"] == .string("2025-09-08"))
        #expect(early["requests"] == .number("0") && early["commitments"] == .number("0"))
        let late = try #require(try await row("2025-10-20"))
        #expect(late["requests"] == .number("1") && late["commitments"] == .number("1"))

        let commitments = try await Self.consult(
            ["commitments", "--as-of", "2025-10-20", "--format", "json"], database)
        #expect(commitments.stdout.contains(#""madeOn":"2025-10-15""#), "\(commitments.stdout)")
        let before = try await Self.consult(["commitments", "--as-of", "2025-10-14", "--format", "json"], database)
        #expect(before.stdout == "[]\n")
        let requests = try await Self.consult(["requests", "--as-of", "2025-09-30", "--format", "json"], database)
        #expect(requests.stdout == "[]\n")
        let table = try await Self.consult(["consultations", "--as-of", "2025-10-20"], database)
        #expect(table.stdout.contains("2025-09-08–2025-10-17  decree-notice"), "\(table.stdout)")
        // The days cannot be corrected so as to leave the dated request or commitment outside them.
        let shortened = try await Self.consult(
            [
                "log", "correction", "--record", "decree-notice", "--record-version", "1", "--reason", "마감 정정",
                "--change", "ends-on=2025-09-30",
            ], database)
        #expect(shortened.status == 65)
        #expect(
            shortened.stderr.contains("leaves the request gpu (on 2025-10-01) outside the consultation's days"),
            "\(shortened.stderr)")
        #expect(shortened.stderr.contains("leaves the commitment revise (on 2025-10-15)"), "\(shortened.stderr)")
        let verified = try await Self.consult(["verify"], database)
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
    }
}

/// The version-1 fixture restored exactly (`consult restore` keeps each event's version, data and
/// recording time): its events stay at version 1, are read upcast, and every answer, including
/// those about what was known when, is the one the older version gave.
@Suite("Schema versions: a version-1 log restored")
struct SchemaVersionRestoreTests {
    /// The fixture was exported before exports closed with heads and an end line; this adds them
    /// as `consult export` writes them now, from the lines' own placements.
    static func closed(_ lines: [String]) throws -> [String] {
        var heads: [String: (version: Int, hash: String)] = [:]
        var digest = ExportSeal.Digest()
        for line in lines {
            let recorded = try #require(try JSONValue.parse(line).objectValue?["recorded"]?.objectValue)
            let hash = try #require(recorded["hash"]?.stringValue)
            heads[try #require(recorded["stream"]?.stringValue)] = (
                Int(try #require(recorded["version"]?.int64Value)), hash
            )
            digest.add(try #require(ExportClosingLine.hexBytes(hash)))
        }
        let sorted = heads.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        let headLines = sorted.map { stream in
            let head = heads[stream]!
            return #"{"head":{"stream":"\#(stream)","version":\#(head.version),"hash":"\#(head.hash)"}}"#
        }
        let end = digest.finalize().map { String(format: "%02x", $0) }.joined()
        return lines + headLines
            + [#"{"end":{"events":\#(lines.count),"streams":\#(heads.count),"digest":"\#(end)"}}"#]
    }

    @Test(
        "restored, the version-1 log keeps its versions, answers as before, also as recorded then, and exports as it was"
    )
    func restoredAnswersAsBefore() async throws {
        let lines = try String(contentsOf: SchemaVersionFixtureTests.export, encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let file = try Self.closed(lines).joined(separator: "\n") + "\n"
        let database = try await TestDatabase.create()
        let restored = try await ConsultProcess.run(
            ["restore", "-"], environment: ["CONSULT_DATABASE_URL": database.url], stdin: Data(file.utf8))
        #expect(restored.status == 0, "\(restored.stderr)")
        let exported = try await SchemaVersionFixtureTests.consult(["export"], database)
        #expect(exported.stdout == file, "the restored store exports the file again, version-1 events as stored")
        #expect(exported.stdout.contains(#""schemaVersion":1"#) && !exported.stdout.contains(#""schemaVersion":2"#))

        try await SchemaVersionFixtureTests.expectAnswersAsBefore(database)
        // Answers that depend on recording times, as the older version gave them.
        for (name, arguments) in [
            (
                "restored-commitments-recorded-before-extra",
                ["commitments", "--recorded-as-of", "2026-12-02T00:52:37Z", "--as-of", "2025-01-01"]
            ),
            (
                "restored-consultations-recorded-before-extra",
                ["consultations", "--recorded-as-of", "2026-12-02T00:52:37Z", "--as-of", "2025-01-01"]
            ),
        ] {
            let expected = try SchemaVersionFixtureTests.rows(
                String(
                    contentsOf: SchemaVersionFixtureTests.folder.appendingPathComponent(name + ".json"),
                    encoding: .utf8))
            let actual = try SchemaVersionFixtureTests.rows(
                try await SchemaVersionFixtureTests.consult(arguments + ["--format", "json"], database).stdout)
            #expect(actual.count == expected.count, "\(name)")
            for (old, new) in zip(expected, actual) {
                for (key, value) in old where new[key] != value {
                    Issue.record("\(name): \(key) was \(value.serialized()), is \(new[key]?.serialized() ?? "missing")")
                }
            }
        }
        // History shows events as stored: the same JSON, byte for byte.
        for record in ["fixture-gpu-vouchers", "fixture-forum-2023"] {
            let expected = try String(
                contentsOf: SchemaVersionFixtureTests.folder.appendingPathComponent("restored-history-\(record).json"),
                encoding: .utf8)
            let history = try await SchemaVersionFixtureTests.consult(
                ["history", record, "--format", "json"], database)
            #expect(history.stdout == expected, "\(record)")
        }
        let verified = try await SchemaVersionFixtureTests.consult(["verify"], database)
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        // Logging the fixture into its restored copy records nothing.
        let again = try await SchemaVersionFixtureTests.consult(
            ["log", "--file", SchemaVersionFixtureTests.export.path], database)
        #expect(again.stdout.contains("Recorded no new events"), "\(again.stdout)\(again.stderr)")
    }
}
