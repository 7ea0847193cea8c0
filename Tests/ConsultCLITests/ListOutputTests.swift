import ConsultDomain
import Foundation
import TestSupport
import Testing

/// Lists people can page through: `--limit N` on every list read command, in every format; a
/// table taller than the terminal through a pager (a terminal is `script`'s pseudo-terminal); CSV
/// that Excel opens with Korean intact (`--bom`).
@Suite("lists: --limit, the pager, CSV for Excel")
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
            + [
                // The sample dataset holds one commitment; the fixtures several.
                (["commitments", "--as-of", "2024-09-01"], "commitments", fixture),
                (["follow-ups", "--all", "--as-of", "2024-09-01"], "follow-ups", fixture),
            ]
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
                // What is echoed cannot move the cursor or break the line.
                (["--limit", "7\u{1B}[2J\n"], #""7\u{1b}[2J\u{a}" is not a number"#),
            ] {
                let outcome = try await ConsultProcess.run(command + limit, environment: nowhere)
                let name = (command + limit).joined(separator: " ")
                #expect(outcome.status == 64, "\(name): \(outcome.stderr)")
                #expect(outcome.stderr.contains("--limit takes a number of rows, 1 or more; \(sentence)."), "\(name)")
                #expect(outcome.stdout == "", "\(name)")
            }
        }
    }

    /// A database with `count` stakeholders, `s-0001`…: a table far taller than a terminal, and
    /// more than a pipe holds, so that a pager quitting early makes consult's write fail.
    func manyStakeholders(_ count: Int) async throws -> TestDatabase {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("many-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: file) }
        let lines = (1...count).map { index in
            let id = String(format: "s-%04d", index)
            return #"{"type":"StakeholderRegistered","data":{"stakeholderId":"\#(id)","name":"이해관계자 \#(id)","#
                + #""kind":"person","sector":"academia","title":"한국 인공지능 정책 연구자"}}"#
        }
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        return try await store([file.path])
    }

    /// Runs `consult arguments…` on a pseudo-terminal with `environment` over a clean one (nil
    /// removes a variable), after the shell commands `before` if any; returns the exit status and
    /// what the terminal showed.
    func onTerminal(
        _ arguments: [String], environment overrides: [String: String?], before: String = ""
    ) async throws -> (status: Int32?, shown: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("consult-tty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let command = before + ([ConsultProcess.executable.path] + arguments).map { "'\($0)'" }.joined(separator: " ")
        var environment = ConsultProcess.cleanEnvironment()
        for key in ["CONSULT_PAGER", "PAGER", "LESS", "LINES", "COLUMNS"] { environment[key] = nil }
        for (key, value) in overrides { environment[key] = value }
        let out = folder.appendingPathComponent("out").path
        let child = try SpawnedProcess.spawn(
            "/usr/bin/script", ["-qec", command, "/dev/null"], environment: environment, input: nil, output: out,
            error: folder.appendingPathComponent("err").path)
        try await child.wait()
        return (child.terminationStatus, try String(contentsOfFile: out, encoding: .utf8))
    }

    /// A pager that says it started, with its arguments, then shows the first N lines and quits.
    /// Run as `/bin/sh SCRIPT N`: executing the file itself fails now and then with ETXTBSY, when a
    /// process another test spawned meanwhile inherited the descriptor it was written through.
    func pagerScript() throws -> URL {
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("pager-\(UUID().uuidString).sh")
        try "#!/bin/sh\necho \"PAGER-STARTED $*\"\nexec head -n \"$1\"\n".write(
            to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        return script
    }

    @Test("a table taller than the terminal goes through the pager, which may quit early; --no-pager prints it")
    func pagerOnATerminal() async throws {
        let database = try await manyStakeholders(1000)
        let pager = try pagerScript()
        defer { try? FileManager.default.removeItem(at: pager) }
        let list = ["stakeholders", "--as-of", "2025-01-01"]
        let terminal: [String: String?] = ["CONSULT_DATABASE_URL": database.url, "LINES": "20", "COLUMNS": "200"]

        // The pager shows three lines and quits while consult still writes: no SIGPIPE, exit 0.
        let paged = try await onTerminal(
            list, environment: terminal.merging(["CONSULT_PAGER": "/bin/sh \(pager.path) 3"]) { $1 })
        #expect(paged.status == 0, "\(paged.shown)")
        #expect(paged.shown.contains("PAGER-STARTED 3"), "\(paged.shown)")
        #expect(paged.shown.contains("STAKEHOLDER"))
        #expect(!paged.shown.contains("s-0500") && !paged.shown.contains("s-1000"))
        // $PAGER when $CONSULT_PAGER is not set.
        let byPager = try await onTerminal(
            list, environment: terminal.merging(["PAGER": "/bin/sh \(pager.path) 3"]) { $1 })
        #expect(byPager.status == 0)
        #expect(byPager.shown.contains("PAGER-STARTED 3"), "\(byPager.shown)")
        // The window's own height when LINES is not set.
        let sized = try await onTerminal(
            list, environment: terminal.merging(["LINES": nil, "CONSULT_PAGER": "/bin/sh \(pager.path) 3"]) { $1 },
            before: "stty rows 20 cols 200 && ")
        #expect(sized.status == 0)
        #expect(sized.shown.contains("PAGER-STARTED 3"), "\(sized.shown)")

        // Printed directly, every row: --no-pager, an empty CONSULT_PAGER, JSON and CSV, a table
        // that fits (--limit 5: seven lines and the notice).
        let direct: [([String], [String: String?])] = [
            (list + ["--no-pager"], ["CONSULT_PAGER": "/bin/sh \(pager.path) 3"]),
            (list, ["CONSULT_PAGER": "", "PAGER": "/bin/sh \(pager.path) 3"]),
            (list + ["--format", "json"], ["CONSULT_PAGER": "/bin/sh \(pager.path) 3"]),
            (list + ["--format", "csv"], ["CONSULT_PAGER": "/bin/sh \(pager.path) 3"]),
        ]
        for (arguments, environment) in direct {
            let shown = try await onTerminal(arguments, environment: terminal.merging(environment) { $1 })
            let name = arguments.joined(separator: " ")
            #expect(shown.status == 0, "\(name): \(shown.shown)")
            #expect(!shown.shown.contains("PAGER-STARTED"), "\(name)")
            #expect(shown.shown.contains("s-1000"), "\(name)")
        }
        let short = try await onTerminal(
            list + ["--limit", "5"], environment: terminal.merging(["CONSULT_PAGER": "/bin/sh \(pager.path) 3"]) { $1 })
        #expect(short.status == 0)
        #expect(!short.shown.contains("PAGER-STARTED"), "\(short.shown)")
        #expect(short.shown.contains("s-0005"))
        #expect(short.shown.contains("Showing 5 of 1000 stakeholders; --limit raises or removes the cut."))

        // A pager that cannot be started: the table is printed, with a word when one was named;
        // without less on PATH, silently.
        let missing = try await onTerminal(
            list, environment: terminal.merging(["CONSULT_PAGER": "no-such-pager-here -x"]) { $1 })
        #expect(missing.status == 0)
        #expect(missing.shown.contains("s-1000"))
        #expect(missing.shown.contains(#"could not start the pager "no-such-pager-here"; printing directly."#))
        let noLess = try await onTerminal(
            list,
            environment: terminal.merging(["PATH": pager.deletingLastPathComponent().path + "/no-such-dir"]) { $1 })
        #expect(noLess.status == 0, "\(noLess.shown)")
        #expect(noLess.shown.contains("s-1000"))
        #expect(!noLess.shown.contains("could not start"))

        // Not a terminal: never paged, whatever LINES says.
        let piped = try await ConsultProcess.run(
            list,
            environment: [
                "CONSULT_DATABASE_URL": database.url, "LINES": "20", "CONSULT_PAGER": "/bin/sh \(pager.path) 3",
            ])
        #expect(piped.status == 0)
        #expect(!piped.stdout.contains("PAGER-STARTED"))
        #expect(piped.stdout.contains("s-1000"))
    }

    /// The bytes `consult arguments…` writes to stdout, its stderr and exit status.
    func rawOutput(_ arguments: [String], environment: [String: String]) async throws -> (
        status: Int32?, stdout: Data, stderr: String
    ) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("consult-raw-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("out")
        let err = folder.appendingPathComponent("err")
        let child = try SpawnedProcess.spawn(
            ConsultProcess.executable.path, arguments,
            environment: ConsultProcess.cleanEnvironment().merging(environment) { $1 }, input: nil, output: out.path,
            error: err.path)
        try await child.wait()
        return (child.terminationStatus, try Data(contentsOf: out), try String(contentsOf: err, encoding: .utf8))
    }

    @Test("--bom: CSV starts with a UTF-8 byte-order mark, then the same bytes as without it")
    func byteOrderMark() async throws {
        let database = try await store([Self.sample])
        let environment = ["CONSULT_DATABASE_URL": database.url, "TZ": "Asia/Seoul"]
        let mark = Data([0xEF, 0xBB, 0xBF])
        for arguments in [
            ["stakeholders", "--as-of", "2025-01-01", "--format", "csv"],
            ["commitments", "--as-of", "2025-01-01", "--format", "csv", "--limit", "2"],
            ["search", "인공지능", "--format", "csv"], ["history", "msit", "--format", "csv"],
            ["status", "--format", "csv"], ["--format", "csv", "consultations", "--as-of", "2025-01-01"],
        ] {
            let name = arguments.joined(separator: " ")
            let plain = try await rawOutput(arguments, environment: environment)
            let marked = try await rawOutput(arguments + ["--bom"], environment: environment)
            #expect(plain.status == 0 && marked.status == 0, "\(name): \(marked.stderr)")
            #expect(!plain.stdout.starts(with: mark), "\(name)")
            #expect(marked.stdout.starts(with: mark), "\(name)")
            if arguments[0] != "status" {
                // status counts events and views at the moment; the lists are the same each time.
                #expect(marked.stdout.dropFirst(3) == plain.stdout, "\(name)")
            }
            let text = try #require(String(data: marked.stdout.dropFirst(3), encoding: .utf8), "\(name)")
            // RFC 4180 line ends: every line ends CRLF.
            #expect(text.hasSuffix("\r\n"), "\(name)")
            #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "\(name)")
            // Korean text, the reason for the mark, comes through (status has none).
            let hangul = text.unicodeScalars.contains { (0xAC00...0xD7A3).contains($0.value) }
            #expect(hangul || arguments[0] == "status", "\(name)")
        }
    }

    @Test("--bom without --format csv: exit 64, one sentence, nothing read")
    func byteOrderMarkRefused() async throws {
        let nowhere = ["CONSULT_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/nothing?connect_timeout=2"]
        for arguments in [
            ["stakeholders", "--bom"], ["commitments", "--format", "json", "--bom"],
            ["history", "msit", "--bom", "--format", "table"], ["status", "--bom"],
        ] {
            let outcome = try await ConsultProcess.run(arguments, environment: nowhere)
            let name = arguments.joined(separator: " ")
            #expect(outcome.status == 64, "\(name): \(outcome.stderr)")
            #expect(outcome.stderr.contains("--bom goes with --format csv only"), "\(name): \(outcome.stderr)")
            #expect(outcome.stdout == "", "\(name)")
        }
    }
}

/// `commitments --limit N` on a question the current rows answer alone is ordered and cut by the
/// view (`ReadModel.firstCommitments`): it must give exactly the first N rows of the whole list,
/// and count them all, whatever the filter and date.
@Suite("lists: commitments cut by the view")
struct CommitmentsCutTests {
    /// Two organizations, a consultation over four months, and 40 commitments with dues, no due,
    /// equal due-bys, ids that sort differently by bytes than by a locale, and progress; one
    /// progress dated 2026-03-01, after some questions' dates, so those are folded instead. Two
    /// answers name commitments of the first screen (`respondsToRequestIds`), one of them dated
    /// after the earlier date asked about.
    static func lines() -> [String] {
        var lines = [
            #"{"type":"StakeholderRegistered","data":{"stakeholderId":"msit","name":"과학기술정보통신부","kind":"organization","sector":"government"}}"#,
            #"{"type":"StakeholderRegistered","data":{"stakeholderId":"nia","name":"한국지능정보사회진흥원","kind":"organization","sector":"public_institution"}}"#,
            #"{"type":"ConsultationHeld","data":{"consultationId":"notice","kind":"public_comment","title":"입법예고","startsOn":"2025-01-01","endsOn":"2025-04-30","organizerIds":["msit"],"participants":[],"sources":[{"publisher":"P"}]}}"#,
        ]
        let ids = ["a-b", "a.b", "a_b", "ab", "a0", "b", "z", "m-1", "m.1", "m1"]
        for index in 0..<40 {
            let id = "\(ids[index % ids.count])-\(index / ids.count)"
            let owner = index % 3 == 0 ? "nia" : "msit"
            let due = index % 5 == 0 ? "" : #","due":"\#(2025 + index % 3)-\#(String(format: "%02d", 1 + index % 4))""#
            let on = String(format: "2025-%02d-%02d", 1 + index % 4, 1 + index % 28)
            lines.append(
                #"{"type":"CommitmentMade","data":{"commitmentId":"\#(id)","consultationId":"notice","madeById":"msit","ownerId":"\#(owner)","summary":"약속 \#(index)","topics":["t\#(index % 2)"]\#(due),"on":"\#(on)"}}"#
            )
            if index % 4 == 1 {
                let status = ["in_progress", "fulfilled", "stalled", "broken"][index / 4 % 4]
                let date = index == 9 ? "2026-03-01" : "2025-06-01"
                lines.append(
                    #"{"type":"CommitmentProgressed","data":{"commitmentId":"\#(id)","on":"\#(date)","status":"\#(status)","note":"n","evidence":[{"publisher":"P"}]}}"#
                )
            }
        }
        for (request, made, answered, commitments) in [
            ("r1", "2025-02-01", "2025-03-01", #""a_b-1","z-3","a-b-0""#),
            ("r2", "2025-02-02", "2026-06-01", #""a0-2","a_b-1""#),
        ] {
            lines.append(
                #"{"type":"RequestMade","data":{"consultationId":"notice","requestId":"\#(request)","requesterId":"nia","addressedToIds":["msit"],"summary":"요청","topics":[],"on":"\#(made)"}}"#
            )
            lines.append(
                #"{"type":"RequestAnswered","data":{"requestId":"\#(request)","on":"\#(answered)","answeredById":"msit","outcome":"accepted","reason":"r","commitmentIds":[\#(commitments)]}}"#
            )
        }
        return lines
    }

    @Test("the first N rows of the whole list, and the count of all, for every filter and date")
    func cutEqualsPrefix() async throws {
        let database = try await TestDatabase.create()
        let logged = try await ConsultProcess.run(
            ["log", "--file", "-"], environment: ["CONSULT_DATABASE_URL": database.url],
            stdin: Data((Self.lines().joined(separator: "\n") + "\n").utf8))
        #expect(logged.status == 0, "\(logged.stderr)")
        func consult(_ arguments: [String]) async throws -> ConsultProcess.Outcome {
            try await ConsultProcess.run(
                arguments, environment: ["CONSULT_DATABASE_URL": database.url, "COLUMNS": "1000"])
        }
        for date in ["2025-07-01", "2027-01-01"] {
            for filter in [
                [], ["--outstanding"], ["--overdue"], ["--owner", "nia"], ["--status", "in_progress"],
                ["--topic", "t1"],
            ] {
                let arguments = ["commitments", "--as-of", date] + filter
                let every =
                    try JSONValue.parse(try await consult(arguments + ["--format", "json"]).stdout).arrayValue
                    ?? []
                #expect(!every.isEmpty || filter == ["--status", "in_progress"], "\(arguments)")
                let linked = every.filter { $0.objectValue?["respondsToRequestIds"]?.arrayValue?.isEmpty == false }
                #expect(filter != [] || linked.count == (date == "2025-07-01" ? 3 : 4), "\(arguments): \(linked)")
                for limit in [1, 7, 1000] {
                    let cut = try await consult(arguments + ["--format", "json", "--limit", String(limit)])
                    #expect(
                        try JSONValue.parse(cut.stdout).arrayValue == Array(every.prefix(limit)),
                        "\(arguments) --limit \(limit)")
                    let table = try await consult(arguments + ["--limit", String(limit)])
                    let notice =
                        limit < every.count
                        ? "Showing \(limit) of \(every.count) commitments; --limit raises or removes the cut.\n" : ""
                    #expect(table.stderr == notice, "\(arguments) --limit \(limit)")
                }
            }
        }
    }
}
