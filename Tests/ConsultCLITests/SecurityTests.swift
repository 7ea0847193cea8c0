import EmbeddedPostgres
import Foundation
import TestSupport
import Testing

@Suite("Security: parameterized SQL, and no password in any output")
struct SecurityTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources")

    /// Every text spliced into SQL outside the Postgres module, by the expression spliced. Each is
    /// built by the program from constants (view table names and suffixes, column lists, event
    /// types), never from input. A new one fails this test until it is reviewed and listed here.
    static let splicedExpressions: Set<String> = [
        "named(suffix)", "names", "types",  // ViewTable: its own name and column definitions
        "table", "Self.followUps.named(suffix)",  // view tables by their fixed names
        // verify: view tables, and their key columns (joined, ordered by, tested for NULL)
        "table.named(live)", "table.named(fresh)", "join", "order", "present",
        "table.named(live.suffix)", "table.named(target.suffix)", "table.named(suffix)",  // replay's swap
        // The log's fixed column lists, and the views' (made by their schemas from constants).
        "Self.columns", "columns", "PostgresEventStore.columns",
        // A single append's hash column and its expression, or nothing: constants.
        // Whether the role may insert hashes, and the columns that depend on it: constants.
        "hashColumn", "hashValue", "previousColumn", "headColumn", "headHashColumn",
    ]

    /// Files allowed to run SQL text that is not a parameterized query, and how many times.
    static let rawStatements: [String: Int] = [
        // The migration runner: the migrations' own SQL, and the table that records them.
        "EventStore/Migrations/Migrator.swift": 2,
        // View tables' DDL, from the views' fixed definitions.
        "Projections/ProjectionRunner.swift": 1,
        // COPY into the log: the statement is a constant; the rows go through COPY's data stream.
        "EventStore/PostgresEventStore+Append.swift": 1,
        // COPY of a restore into the log: a constant statement, the rows through the data stream.
        "EventStore/PostgresEventStore+Restore.swift": 1,
        // COPY into a view table: its fixed name and columns; the rows go through the data stream.
        "Projections/ViewTable.swift": 1,
    ]

    @Test("SQL is built only from parameters, except in reviewed places that splice program constants")
    func parameterizedSQL() throws {
        let enumerator = FileManager.default.enumerator(at: Self.sources, includingPropertiesForKeys: nil)
        var spliced: [String: [String]] = [:]
        var raw: [String: Int] = [:]
        var files = 0
        while let url = enumerator?.nextObject() as? URL {
            guard url.pathExtension == "swift" else { continue }
            let path = url.path.replacingOccurrences(of: Self.sources.path + "/", with: "")
            // The Postgres module is the mechanism itself (parameters, COPY, LISTEN with a
            // checked identifier, BEGIN/COMMIT); it has no input to splice.
            if path.hasPrefix("Postgres/") || path.hasPrefix("CLibPQ/") { continue }
            files += 1
            let text = try String(contentsOf: url, encoding: .utf8)
            spliced[path] = Self.splicedExpressions(in: text)
            let rawUses =
                text.matches(of: #/unsafeSQL:/#).count + text.matches(of: #/unsafeScript:/#).count
                + text.matches(of: #/\.copyIn\(/#).count
            if rawUses > 0 { raw[path] = rawUses }
            #expect(!text.contains("PQexec"), "\(path) calls libpq directly")
        }
        #expect(files > 50)
        for (path, expressions) in spliced {
            for expression in expressions {
                #expect(Self.splicedExpressions.contains(expression), "\(path) splices \(expression) into SQL")
            }
        }
        #expect(raw == Self.rawStatements, "raw SQL outside the reviewed places: \(raw)")
    }

    @Test("a password in the URL or the environment never appears in output, even at trace level")
    func passwordNeverShown() async throws {
        let database = try await TestDatabase.create()
        let secret = "hunter2-\(UUID().uuidString.prefix(8))"
        // A real server that refuses: a role that does not exist, on a database that does not.
        let refused = database.url
            .replacingOccurrences(
                of: #"^postgresql://[^@]*@/[^?]*"#, with: "postgresql://nobody:\(secret)@/nowhere",
                options: .regularExpression)
        #expect(refused.contains(secret))
        let attempts: [([String], [String: String])] = [
            (["status"], ["CONSULT_DATABASE_URL": refused]),
            (["status", "--database-url", refused], [:]),
            (["commitments"], ["DATABASE_URL": refused]),
            (["log", "--file", "-"], ["CONSULT_DATABASE_URL": refused]),
            (["project"], ["CONSULT_DATABASE_URL": refused]),
            (["verify"], ["CONSULT_DATABASE_URL": refused, "PGPASSWORD": secret]),
        ]
        for (arguments, environment) in attempts {
            let outcome = try await ConsultProcess.run(
                arguments, environment: environment.merging(["CONSULT_LOG_LEVEL": "trace"]) { $1 },
                stdin: Data(
                    #"{"type":"StakeholderRegistered","data":{"stakeholderId":"x","name":"X","kind":"organization","sector":"association"}}"#
                        .utf8))
            #expect(outcome.status == 69, "\(arguments): \(outcome.stderr)")
            #expect(outcome.stderr.contains("nobody") || outcome.stderr.contains("nowhere"), "\(outcome.stderr)")
            #expect(!outcome.stderr.contains(secret) && !outcome.stdout.contains(secret), "\(arguments)")
        }
    }

    @Test("no password reaches the arguments of the server programs consult starts, nor its trace log")
    func spawnedArguments() async throws {
        let secret = "hunter2-\(UUID().uuidString.prefix(8))"
        let folder = try PrivateServer.temporaryFolder()
        let home = folder + "/home"
        let cluster = EmbeddedCluster(folder: home + "/consult", logger: TestDatabase.logger)
        defer { cluster.destroyInBackground(thenRemoving: folder) }
        let wrappers = folder + "/bin"
        let calls = folder + "/calls.log"
        try FileManager.default.createDirectory(atPath: wrappers, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: calls, contents: nil)
        chmod(folder, 0o755)
        chmod(wrappers, 0o755)
        chmod(calls, 0o666)
        // Wrappers that record their arguments, then run the real program.
        let real = try await ServerBinaries.locate(environment: ProcessInfo.processInfo.environment).directory
        for program in ServerBinaries.requiredPrograms {
            let path = wrappers + "/" + program
            try "#!/bin/sh\necho \"\(program) $*\" >> \(calls)\nexec \(real)/\(program) \"$@\"\n".write(
                toFile: path, atomically: true, encoding: .utf8)
            chmod(path, 0o755)
        }
        let environment = [
            "XDG_DATA_HOME": home, "PATH": wrappers + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? ""),
            "PGPASSWORD": secret, "CONSULT_LOG_LEVEL": "trace",
        ]
        let status = try await ConsultProcess.run(["status"], environment: environment)
        #expect(status.status == 0, "\(status.stderr)")
        let stop = try await ConsultProcess.run(["db", "stop"], environment: environment)
        #expect(stop.status == 0, "\(stop.stderr)")
        let recorded = try String(contentsOfFile: calls, encoding: .utf8)
        #expect(recorded.contains("initdb") && recorded.contains("pg_ctl"), "the wrappers were not used: \(recorded)")
        #expect(status.stderr.contains("Running"), "no trace of the programs started")
        for text in [recorded, status.stdout, status.stderr, stop.stdout, stop.stderr] {
            #expect(!text.contains(secret))
        }
    }

    /// The expressions in `\(unescaped: …)`, up to the parenthesis that closes each.
    static func splicedExpressions(in text: String) -> [String] {
        var found: [String] = []
        var rest = text[...]
        while let start = rest.range(of: "\\(unescaped: ") {
            var depth = 1
            var end = start.upperBound
            while end < rest.endIndex {
                if rest[end] == "(" { depth += 1 }
                if rest[end] == ")" { depth -= 1 }
                if depth == 0 { break }
                end = rest.index(after: end)
            }
            found.append(String(rest[start.upperBound..<end]))
            rest = rest[end...]
        }
        return found
    }
}
