import ConsultDomain
import Foundation
import TestSupport
import Testing

/// `consult` run as a real process against a database of the test's own.
@Suite("consult command line")
struct CLITests {
    static let registration = #"""
        {"type":"StakeholderRegistered","id":"1b7e0a52-8c59-4c0e-9d59-5c1a7a0e0001","data":{"stakeholderId":"msit","name":"과학기술정보통신부","kind":"organization","sector":"government"},"metadata":{"recordedBy":"tests"}}
        {"type":"StakeholderRegistered","data":{"stakeholderId":"startup-alliance","name":"스타트업얼라이언스","kind":"organization","sector":"association"}}
        {"type":"RecordCorrected","data":{"correctsEventId":"1b7e0a52-8c59-4c0e-9d59-5c1a7a0e0001","reason":"공식 약칭으로 정정","changes":{"name":"과기정통부"}}}

        """#

    func consult(_ arguments: String..., database: TestDatabase, stdin: String? = nil) async throws
        -> ConsultProcess.Outcome
    {
        try await ConsultProcess.run(
            arguments, environment: ["CONSULT_DATABASE_URL": database.url], stdin: stdin.map { Data($0.utf8) })
    }

    @Test("log, history and status on a real store")
    func logHistoryStatus() async throws {
        let database = try await TestDatabase.create(migrated: false)
        let logged = try await consult("log", "--file", "-", database: database, stdin: Self.registration)
        #expect(logged.status == 0, "\(logged.stderr)")
        #expect(logged.stdout.contains("Recorded 3 events"))
        // Logging it again: the first line has an id (a no-op), the second has none, so it would
        // register startup-alliance a second time, which is refused, and nothing is written.
        let again = try await consult("log", "--file", "-", database: database, stdin: Self.registration)
        #expect(again.status == 65)
        #expect(again.stderr.contains("line 2: data.stakeholderId"))
        #expect(again.stderr.contains("already recorded"))

        let history = try await consult("history", "msit", "--format", "json", database: database)
        #expect(history.status == 0)
        #expect(history.stdout.contains(#""type":"StakeholderRegistered""#))
        #expect(history.stdout.contains(#""type":"RecordCorrected""#))
        let table = try await consult("history", "msit", database: database)
        #expect(table.stdout.contains("과학기술정보통신부"))
        // The id a correction or retraction takes is shown whole, even on a narrow terminal.
        let narrow = try await ConsultProcess.run(
            ["history", "msit"], environment: ["CONSULT_DATABASE_URL": database.url, "COLUMNS": "60"])
        #expect(narrow.stdout.split(separator: "\n").first?.contains(" ID ") == true)
        #expect(narrow.stdout.contains("1b7e0a52-8c59-4c0e-9d59-5c1a7a0e0001"))

        let status = try await consult("status", "--format", "json", database: database)
        #expect(status.status == 0)
        #expect(status.stdout.contains(#""eventCount":3"#))

        // A dry run (or a refused or rolled-back batch) takes positions that are never reused: the
        // next log says which positions hold no event instead of leaving a puzzling jump.
        let two =
            #"{"type":"StakeholderRegistered","data":{"stakeholderId":"a1","name":"A","kind":"person","sector":"other"}}"#
            + "\n"
            + #"{"type":"StakeholderRegistered","data":{"stakeholderId":"a2","name":"B","kind":"person","sector":"other"}}"#
        let dry = try await consult("log", "--file", "-", "--dry-run", database: database, stdin: two)
        #expect(dry.status == 0, "\(dry.stderr)")
        let after = try await consult("log", "--file", "-", database: database, stdin: two)
        #expect(after.status == 0, "\(after.stderr)")
        #expect(after.stdout.contains("(positions 6–7; positions 4–5 hold no event"), "\(after.stdout)")

        // verify compares the views over the whole log, even when no read has brought them up to
        // date since the last events were logged, and says so.
        let more =
            #"{"type":"StakeholderRegistered","data":{"stakeholderId":"kaist","name":"KAIST","kind":"organization","sector":"academia"}}"#
        #expect(try await consult("log", "--file", "-", database: database, stdin: more).status == 0)
        let verify = try await consult("verify", database: database)
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(verify.stdout.contains("log: 6 events checked"))
        #expect(
            verify.stdout.contains(
                "view stakeholders: compared with a fresh replay of 6 events (every event of the log)"))
    }

    @Test("export, log into an empty store, export again: the same bytes but where and when each was recorded")
    func exportRoundTrip() async throws {
        let first = try await TestDatabase.create()
        let logged = try await consult("log", "--file", "-", database: first, stdin: Self.registration)
        #expect(logged.status == 0)
        let exported = try await consult("export", database: first)
        #expect(exported.status == 0)
        // Three events in two streams, then the two streams' heads and the end line.
        #expect(exported.stdout.split(separator: "\n").count == 6)

        let second = try await TestDatabase.create()
        let imported = try await consult("log", "--file", "-", database: second, stdin: exported.stdout)
        #expect(imported.status == 0, "\(imported.stderr)")
        let reexported = try await consult("export", database: second)
        // The second store recorded the events at other times, so their hashes there differ; the
        // rest of each line, stream and version included, is the same.
        func withoutTimeAndHash(_ export: String) throws -> [String] {
            try export.split(separator: "\n").filter { $0.contains(#""recorded":"#) }.map { line in
                var object = try #require(try JSONValue.parse(Array(line.utf8)).objectValue)
                var recorded = try #require(object["recorded"]?.objectValue)
                recorded["recordedAt"] = nil
                recorded["hash"] = nil
                object["recorded"] = .object(recorded)
                return JSONValue.object(object).serialized()
            }
        }
        #expect(try withoutTimeAndHash(reexported.stdout) == withoutTimeAndHash(exported.stdout))
        #expect(reexported.stdout != exported.stdout)
        // Logging the export again changes nothing.
        let repeated = try await consult("log", "--file", "-", database: second, stdin: exported.stdout)
        #expect(repeated.stdout.contains("Recorded no new events"))
        #expect(try await consult("export", database: second).stdout == reexported.stdout)
    }

    @Test("two `consult migrate` at once both succeed and apply the schema once")
    func concurrentMigrate() async throws {
        let database = try await TestDatabase.create(migrated: false)
        async let one = consult("migrate", database: database)
        async let two = consult("migrate", database: database)
        let outcomes = try await [one, two]
        #expect(outcomes.map(\.status) == [0, 0], "\(outcomes.map(\.stderr))")
        let connection = try await database.connect()
        let rows = try await connection.query("SELECT count(*), count(DISTINCT version) FROM consult_migrations")
        #expect(try rows[0].decode(Int.self, column: 0) == rows[0].decode(Int.self, column: 1))
    }

    @Test("exit 65: invalid input writes nothing and names the line and field")
    func invalidInput() async throws {
        let database = try await TestDatabase.create()
        let cases: [(input: String, mentions: String)] = [
            (#"{"type":"StakeholderRegistered","data":{"stakeholderId":"a","name":"A"}"#, "not valid JSON"),
            (#"{"type":"Nope","data":{}}"#, "type"),
            (#"{"type":"StakeholderRegistered","data":[]}"#, "data"),
            (#"{"type":"StakeholderRegistered","data":{"stakeholderId":"Bad Id"}}"#, "data.stakeholderId"),
            (#"{"type":"StakeholderRegistered","data":{"stakeholderId":"a"},"id":"nope"}"#, "id"),
            (#"{"type":"StakeholderRegistered","data":{"stakeholderId":"a"},"expectedVersion":-1}"#, "expectedVersion"),
            (#"{"type":"StakeholderRegistered","data":{"stakeholderId":"a"},"metadata":3}"#, "metadata"),
            (#"{"type":"StakeholderRegistered","data":{"stakeholderId":"a"},"extra":1}"#, "extra"),
            (#"{"type":"StakeholderRegistered","data":{"stakeholderId":"a","name":"\u0000"}}"#, "U+0000"),
            ("[1,2]", "object"),
        ]
        for (input, mention) in cases {
            let valid =
                #"{"type":"StakeholderRegistered","data":{"stakeholderId":"ok","name":"OK","kind":"person","sector":"other"}}"#
            let outcome = try await consult(
                "log", "--file", "-", database: database, stdin: valid + "\n" + input + "\n")
            #expect(outcome.status == 65, "\(input)")
            #expect(outcome.stderr.contains("line 2"), "\(input): \(outcome.stderr)")
            #expect(outcome.stderr.contains(mention), "\(input): \(outcome.stderr)")
        }
        var invalidUTF8 = Data(#"{"type":"StakeholderRegistered","data":{"stakeholderId":"a","name":""#.utf8)
        invalidUTF8.append(contentsOf: [0xFF, 0xFE])
        invalidUTF8.append(contentsOf: Data("\"}}\n".utf8))
        let binary = try await ConsultProcess.run(
            ["log", "--file", "-"], environment: ["CONSULT_DATABASE_URL": database.url], stdin: invalidUTF8)
        #expect(binary.status == 65)
        #expect(binary.stderr.contains("UTF-8"))

        let long =
            #"{"type":"StakeholderRegistered","data":{"stakeholderId":"a","name":""#
            + String(repeating: "가", count: 400_000) + "\"}}\n"
        let tooLong = try await consult("log", "--file", "-", database: database, stdin: long)
        #expect(tooLong.status == 65)
        #expect(tooLong.stderr.contains("1 MiB"))

        let missing = try await consult("log", "--file", "/nonexistent/events.jsonl", database: database)
        #expect(missing.status == 65)

        let status = try await consult("status", "--format", "json", database: database)
        #expect(status.stdout.contains(#""eventCount":0"#))
    }

    @Test("exit 65: the same event id with other content")
    func reusedID() async throws {
        let database = try await TestDatabase.create()
        let line =
            #"{"type":"StakeholderRegistered","id":"1b7e0a52-8c59-4c0e-9d59-5c1a7a0e0009","data":{"stakeholderId":"x","name":"X","kind":"person","sector":"other"}}"#
        #expect(try await consult("log", "--file", "-", database: database, stdin: line).status == 0)
        let changed = line.replacingOccurrences(of: #""name":"X""#, with: #""name":"Y""#)
        let outcome = try await consult("log", "--file", "-", database: database, stdin: changed)
        #expect(outcome.status == 65)
        #expect(outcome.stderr.contains("Line 1"))
    }

    @Test("exit 75: a stale expected version conflicts and writes nothing")
    func conflict() async throws {
        let database = try await TestDatabase.create()
        let first =
            #"{"type":"StakeholderRegistered","data":{"stakeholderId":"x","name":"X","kind":"person","sector":"other"},"expectedVersion":0}"#
        #expect(try await consult("log", "--file", "-", database: database, stdin: first).status == 0)
        let other =
            #"{"type":"StakeholderRegistered","data":{"stakeholderId":"y","name":"Y","kind":"person","sector":"other"}}"#
        let stale =
            #"{"type":"StakeholderChanged","data":{"stakeholderId":"x","on":"2024-01-01","title":"장관"},"expectedVersion":0}"#
        let outcome = try await consult("log", "--file", "-", database: database, stdin: other + "\n" + stale)
        #expect(outcome.status == 75)
        #expect(outcome.stderr.contains("Line 2"))
        let status = try await consult("status", "--format", "json", database: database)
        #expect(status.stdout.contains(#""eventCount":1"#))
    }

    @Test("exit 64 for usage errors, 1 for an unknown record")
    func usageAndNotFound() async throws {
        let database = try await TestDatabase.create()
        #expect(try await consult("history", "Not A Slug", database: database).status == 64)
        #expect(try await consult("log", database: database).status == 64)
        #expect(try await consult("frobnicate", database: database).status == 64)
        #expect(try await consult("status", "--format", "xml", database: database).status == 64)
        let unknown = try await consult("history", "nobody", database: database)
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("nobody"))
        #expect(try await consult("--help", database: database).status == 0)

        // A mistyped command or kind is named, with the nearest one (before, `log stakholder`
        // asked for --file, and `commitment` was an "unexpected argument").
        let kind = try await consult("log", "stakholder", "--name", "x", database: database)
        #expect(kind.status == 64)
        #expect(kind.stderr.contains(#"consult log has no kind of event "stakholder". Did you mean stakeholder?"#))
        let bare = try await consult("log", database: database)
        #expect(bare.stderr.contains("consult log needs --file PATH"), "\(bare.stderr)")
        #expect(bare.stderr.contains("stakeholder, change, consultation"))
        let command = try await consult("commitment", "--outstanding", database: database)
        #expect(command.status == 64)
        #expect(command.stderr.contains(#"consult has no command "commitment". Did you mean commitments?"#))
        let db = try await consult("db", "strat", database: database)
        #expect(db.stderr.contains("Did you mean start?"))

        // Input that is not what was meant says what it is, and how to fix it.
        let folder = FileManager.default.temporaryDirectory.path
        let directory = try await consult("log", "--file", folder, database: database)
        #expect(directory.status == 65)
        #expect(directory.stderr.contains("\(folder) is a directory; --file takes a JSONL file"))
        let bom = try await consult(
            "log", "--file", "-", database: database, stdin: "\u{FEFF}" + Self.registration)
        #expect(bom.status == 65)
        #expect(bom.stderr.contains("byte order mark") && bom.stderr.contains("sed -i"), "\(bom.stderr)")
        let notURL = try await ConsultProcess.run(["--database-url", "me:secret@db", "status"])
        #expect(notURL.status == 64)
        #expect(notURL.stderr.contains("is not a PostgreSQL URL"))
        #expect(!notURL.stderr.contains("secret"))
    }

    @Test("exit 69 when the database is unavailable, and the password is never shown")
    func unavailable() async throws {
        let url = "postgresql://someone:hunter2secret@/consult?host=/nonexistent-socket-dir&port=5432"
        let outcome = try await ConsultProcess.run(["status"], environment: ["CONSULT_DATABASE_URL": url])
        #expect(outcome.status == 69)
        #expect(!outcome.stderr.contains("hunter2secret"))
        #expect(!outcome.stdout.contains("hunter2secret"))
        let flag = try await ConsultProcess.run(["status", "--database-url", url])
        #expect(flag.status == 69)
        #expect(!flag.stderr.contains("hunter2secret"))
    }

    @Test("options every command takes may come before the subcommand; --version prints the version")
    func leadingOptions() async throws {
        let database = try await TestDatabase.create()
        // Only the flag says where the store is: no CONSULT_DATABASE_URL in the environment.
        let status = try await ConsultProcess.run(["--database-url", database.url, "status", "--format", "json"])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains(#""eventCount":0"#))
        let both = try await ConsultProcess.run(["--database-url=\(database.url)", "--format", "csv", "status"])
        #expect(both.status == 0, "\(both.stderr)")
        #expect(both.stdout.hasPrefix("eventCount,lastPosition"))
        // A subcommand of a subcommand, and the default one of `log`.
        let logged = try await ConsultProcess.run(
            ["--database-url", database.url, "log", "--file", "-"], stdin: Data(Self.registration.utf8))
        #expect(logged.status == 0, "\(logged.stderr)")
        #expect(logged.stdout.contains("Recorded 3 events"))
        let stakeholder = try await ConsultProcess.run(
            [
                "--database-url", database.url, "log", "stakeholder", "--stakeholder-id", "kaist", "--name", "KAIST",
                "--kind", "organization", "--sector", "academia",
            ])
        #expect(stakeholder.status == 0, "\(stakeholder.stderr)")
        // After the subcommand, the later value wins, as with any option given twice.
        let later = try await ConsultProcess.run(
            ["--format", "csv", "stakeholders", "--database-url", database.url, "--format", "json"])
        #expect(later.status == 0, "\(later.stderr)")
        #expect(later.stdout.hasPrefix("[{"))
        // A command that takes no --format says so, as it would after the subcommand.
        let migrate = try await ConsultProcess.run(["--format", "json", "--database-url", database.url, "migrate"])
        #expect(migrate.status == 64)
        #expect(migrate.stderr.contains("--format"))

        // Help needs no store, and an option without its value says so.
        let help = try await ConsultProcess.run(["--database-url", database.url, "log", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.hasPrefix("OVERVIEW: Append events"))
        let dangling = try await ConsultProcess.run(["--database-url"])
        #expect(dangling.status == 64)
        #expect(dangling.stderr.contains("Missing value for '--database-url'"))

        let version = try await ConsultProcess.run(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
    }
}
