import ConsultDomain
import Foundation
import TestSupport
import Testing

/// Lists people can page through: `--limit N` on every list read command, in every format.
@Suite("lists: --limit")
struct ListOutputTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let sample = root.appendingPathComponent("examples/sample-dataset.jsonl").path
    static let fixtures = root.appendingPathComponent("Tests/ConsultCLITests/Fixtures")

    /// A database holding `files`, logged in order.
    func store(_ files: [String]) async throws -> TestDatabase {
        let database = try await TestDatabase.create()
        for file in files {
            let logged = try await ConsultProcess.run(
                ["log", "--file", file], environment: ["CONSULT_DATABASE_URL": database.url])
            #expect(logged.status == 0, "\(logged.stderr)")
        }
        return database
    }

    func consult(_ arguments: [String], _ database: TestDatabase) async throws -> ConsultProcess.Outcome {
        try await ConsultProcess.run(
            arguments, environment: ["CONSULT_DATABASE_URL": database.url, "TZ": "Asia/Seoul", "COLUMNS": "1000"])
    }

    /// The lines of `text` with each run of spaces made one.
    static func collapsed(_ text: String) -> [String] {
        text.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
    }

    /// Each list command (with arguments that give it several rows) and what the notice calls its rows.
    static let sampleLists: [(arguments: [String], noun: String)] = [
        (["stakeholders", "--as-of", "2025-01-01"], "stakeholders"),
        (["consultations", "--as-of", "2025-01-01"], "consultations"),
        (["requests", "--as-of", "2025-01-01"], "requests"),
        (["commitments", "--as-of", "2025-01-01"], "commitments"),
        (["search", "AI"], "matches"),
        (["history", "ai-strategy-dialogue-3"], "events"),
    ]

    @Test("--limit N keeps the first N rows in table, JSON and CSV; only a table says what it left out, on stderr")
    func limitEveryFormat() async throws {
        let sample = try await store([Self.sample])
        let fixture = try await store(
            (1...3).map { Self.fixtures.appendingPathComponent("views-batch\($0).jsonl").path })
        let lists =
            Self.sampleLists.map { ($0.arguments, $0.noun, sample) }
            + [(["follow-ups", "--all", "--as-of", "2024-09-01"], "follow-ups", fixture)]
        for (arguments, noun, database) in lists {
            let name = arguments.joined(separator: " ")
            let json = try await consult(arguments + ["--format", "json"], database)
            #expect(json.status == 0, "\(name): \(json.stderr)")
            let every = try #require(try JSONValue.parse(json.stdout).arrayValue, "\(name)")
            #expect(every.count >= 2, "\(name) has rows to cut")

            let firstJSON = try await consult(arguments + ["--format", "json", "--limit", "1"], database)
            #expect(firstJSON.status == 0, "\(name): \(firstJSON.stderr)")
            #expect(try JSONValue.parse(firstJSON.stdout).arrayValue == Array(every.prefix(1)), "\(name)")
            #expect(firstJSON.stderr == "", "\(name): JSON gets no notice")

            let csv = try await consult(arguments + ["--format", "csv"], database)
            let firstCSV = try await consult(arguments + ["--format", "csv", "--limit", "1"], database)
            #expect(firstCSV.status == 0, "\(name): \(firstCSV.stderr)")
            // The header and the first record: every record of these lists is one line.
            let lines = csv.stdout.components(separatedBy: "\r\n")
            #expect(firstCSV.stdout == lines.prefix(2).joined(separator: "\r\n") + "\r\n", "\(name)")
            #expect(firstCSV.stderr == "", "\(name): CSV gets no notice")

            let table = try await consult(arguments + ["--limit", "1"], database)
            #expect(table.status == 0, "\(name): \(table.stderr)")
            #expect(
                table.stderr == "Showing 1 of \(every.count) \(noun); --limit raises or removes the cut.\n", "\(name)")
            let whole = try await consult(arguments, database)
            // Without a caption (search, history) the header is the first line; with one, the second.
            // Columns are as wide as the rows shown need, so lines compare with spaces collapsed.
            let header = arguments[0] == "search" || arguments[0] == "history" ? 1 : 2
            #expect(
                Self.collapsed(table.stdout) == Array(Self.collapsed(whole.stdout).prefix(header + 1)), "\(name)")

            // A limit the rows do not reach cuts nothing and says nothing.
            let all = try await consult(arguments + ["--limit", String(every.count)], database)
            #expect(all.stdout == whole.stdout, "\(name)")
            #expect(all.stderr == "", "\(name)")
        }

        // An event the history shows is marked retracted even when the retraction is cut off.
        let retracted = try await consult(["history", "c-retracted", "--limit", "1"], fixture)
        #expect(retracted.status == 0, "\(retracted.stderr)")
        #expect(retracted.stdout.contains("CommitmentMade"))
        #expect(retracted.stdout.contains("[retracted] 잘못 기록된 약속"), "\(retracted.stdout)")
        #expect(!retracted.stdout.contains("RecordRetracted"))
        #expect(retracted.stderr == "Showing 1 of 2 events; --limit raises or removes the cut.\n")
    }

    @Test("--limit 0, negative or not a number: exit 64, one sentence, nothing read")
    func limitRefused() async throws {
        // An address where no server listens: a command that got past validation would fail with 69.
        let nowhere = ["CONSULT_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/nothing?connect_timeout=2"]
        let commands = [
            ["commitments"], ["requests"], ["follow-ups"], ["stakeholders"], ["consultations"], ["search", "AI"],
            ["history", "msit"],
        ]
        for command in commands {
            for (limit, sentence) in [
                (["--limit", "0"], "leave it out to show every row"),
                (["--limit", "-3"], "leave it out to show every row"),
                (["--limit=-3"], "leave it out to show every row"),
                (["--limit", "ten"], "\"ten\" is not a number"),
                (["--limit", "2.5"], "\"2.5\" is not a number"),
            ] {
                let outcome = try await ConsultProcess.run(command + limit, environment: nowhere)
                let name = (command + limit).joined(separator: " ")
                #expect(outcome.status == 64, "\(name): \(outcome.stderr)")
                #expect(outcome.stderr.contains("--limit takes a number of rows, 1 or more; \(sentence)."), "\(name)")
                #expect(outcome.stdout == "", "\(name)")
            }
        }
    }
}
