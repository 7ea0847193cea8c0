import ConsultDomain
import Foundation
import Postgres
import TestSupport
import Testing

/// `project`, `replay`, `verify` and `status`, and reading while the log is held back.
@Suite("projection commands")
struct ProjectionCommandTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let tools = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("tools")

    func consult(_ arguments: [String], database: TestDatabase, environment: [String: String] = [:]) async throws
        -> ConsultProcess.Outcome
    {
        try await ConsultProcess.run(
            arguments, environment: ["CONSULT_DATABASE_URL": database.url].merging(environment) { $1 })
    }

    func loadFixtures(_ database: TestDatabase) async throws {
        for batch in 1...3 {
            let path = Self.fixtures.appendingPathComponent("views-batch\(batch).jsonl").path
            let logged = try await consult(["log", "--file", path], database: database)
            #expect(logged.status == 0, "\(logged.stderr)")
        }
    }

    @Test("verify names the first row that differs from a fresh replay; replay repairs it")
    func verifyAndReplay() async throws {
        let database = try await TestDatabase.create()
        try await loadFixtures(database)
        let projected = try await consult(["project"], database: database)
        #expect(projected.status == 0, "\(projected.stderr)")
        let clean = try await consult(["verify"], database: database)
        #expect(clean.status == 0, "\(clean.stderr)")
        #expect(clean.stdout.contains("ok:"))

        let connection = try await database.connect()
        try await connection.query("UPDATE view_commitments SET status = 'fulfilled' WHERE commitment_id = 'c-fund'")
        let tampered = try await consult(["verify"], database: database)
        #expect(tampered.status == 1)
        #expect(tampered.stderr.contains("commitments view differs from a fresh replay"))
        #expect(tampered.stderr.contains("view_commitments"))
        #expect(tampered.stderr.contains("c-fund"))
        #expect(
            tampered.stderr.contains(#"a row only in the view: {"stream_id":"commitment-c-fund""#), "\(tampered.stderr)"
        )
        #expect(tampered.stderr.contains(#""status":"fulfilled""#), "\(tampered.stderr)")

        // A row missing from the view: named as the fresh replay has it.
        try await connection.query("DELETE FROM view_commitments WHERE commitment_id = 'c-fund'")
        let missing = try await consult(["verify"], database: database)
        #expect(missing.status == 1)
        #expect(
            missing.stderr.contains(#"a row only in the fresh replay: {"stream_id":"commitment-c-fund""#),
            "\(missing.stderr)")
        #expect(missing.stderr.contains(#""status":"open""#), "\(missing.stderr)")

        let replayed = try await consult(["replay", "commitments"], database: database)
        #expect(replayed.status == 0, "\(replayed.stderr)")
        #expect(replayed.stdout.contains("Rebuilt commitments from 35 events"))
        #expect(try await consult(["verify"], database: database).status == 0)
        let status = try await connection.query(
            "SELECT status FROM view_commitments WHERE commitment_id = 'c-fund'")[0].decode(String.self, column: 0)
        #expect(status == "open")

        let unknown = try await consult(["replay", "nonsense"], database: database)
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("No view is called nonsense"))
        await connection.close()
    }

    @Test("an insert past the application cannot skip a version, and verify finds a misplaced event")
    func verifyLog() async throws {
        let database = try await TestDatabase.create()
        try await loadFixtures(database)
        let connection = try await database.connect()
        // Someone writing to the table directly, past the application: versions 1 then 3 is refused
        // by the chain trigger, which has no version 2 to chain to.
        let gap = await #expect(throws: PostgresError.self) {
            try await connection.query(
                """
                INSERT INTO events (epoch, stream_id, stream_version, type, event_id, data)
                VALUES (consult_log_epoch(), 'stakeholder-kim', 3, 'StakeholderChanged', \(UUID()),
                        '{"stakeholderId":"kim","on":"2024-01-01","title":"회장"}')
                """)
        }
        #expect(gap?.message.contains("has no version 2 to chain version 3 to") == true)
        #expect(try await consult(["verify"], database: database).status == 0)
        // An event filed under another record's stream, at that stream's next version.
        try await connection.query(
            """
            INSERT INTO events (epoch, stream_id, stream_version, type, event_id, data)
            SELECT consult_log_epoch(), 'stakeholder-lee', max(stream_version) + 1, 'StakeholderChanged', \(UUID()),
                   '{"stakeholderId":"kim","on":"2024-01-02","title":"회장"}'
            FROM events WHERE stream_id = 'stakeholder-lee'
            """)
        let misplaced = try await consult(["verify"], database: database)
        #expect(misplaced.status == 1)
        #expect(misplaced.stderr.contains("is in stream stakeholder-lee, which is not the one its data names"))
        await connection.close()
    }

    @Test("status shows each view's checkpoint and lag")
    func status() async throws {
        let database = try await TestDatabase.create()
        try await loadFixtures(database)
        let before = try await consult(["status", "--format", "json"], database: database)
        let views = try JSONValue.parse(before.stdout).arrayValue?.first?.objectValue?["views"]?.arrayValue ?? []
        #expect(views.count == 7)
        #expect(views.allSatisfy { $0.objectValue?["lag"] == .number("35") })
        #expect(try await consult(["project", "--only", "commitments"], database: database).status == 0)
        let after = try await consult(["status", "--format", "json"], database: database)
        let lags = Dictionary(
            uniqueKeysWithValues: (try JSONValue.parse(after.stdout).arrayValue?.first?.objectValue?["views"]?
                .arrayValue
                ?? []).compactMap { view -> (String, String)? in
                    guard let name = view.objectValue?["name"]?.stringValue,
                        let lag = view.objectValue?["lag"]
                    else { return nil }
                    return (name, lag.serialized())
                })
        #expect(lags["commitments"] == "0")
        #expect(lags["search"] == "35")
        let table = try await consult(["status"], database: database)
        #expect(table.stdout.contains("commitments"))
        #expect(table.stdout.contains("up to date"))
    }

    /// A replay of every view applies the history and search views of each batch on a connection
    /// of their own while the others are applied (`ProjectionRunner.runSplitBatch`).
    @Test("a replay of every view in many small batches, split over two connections, equals the views it replaces")
    func splitReplay() async throws {
        let database = try await TestDatabase.create()
        let file = try await LoadFile.generate(3_000, prefix: "split")
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(try await consult(["log", "--file", file.path], database: database).status == 0)
        #expect(try await consult(["project"], database: database).status == 0)
        let reads = [
            ["commitments", "--format", "json"], ["requests", "--format", "json"],
            ["consultations", "--format", "json"], ["stakeholders", "--format", "json"],
            ["follow-ups", "--all", "--format", "json"], ["search", "a", "--format", "json"],
            ["commitments", "--as-of", "2024-01-01", "--format", "json"],
        ]
        var before: [String] = []
        for read in reads { before.append(try await consult(read, database: database).stdout) }
        for (read, text) in zip(reads, before) {
            #expect(try JSONValue.parse(text).arrayValue?.isEmpty == false, "\(read) lists nothing")
        }
        let replayed = try await consult(["replay", "--batch-size", "150"], database: database)
        #expect(replayed.status == 0, "\(replayed.stderr)")
        #expect(replayed.stdout.contains("from 3000 events"), "\(replayed.stdout)")
        for (read, expected) in zip(reads, before) {
            #expect(try await consult(read, database: database).stdout == expected, "\(read)")
        }
        let verified = try await consult(["verify"], database: database)
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
    }

    @Test("readers see the old view until a replay swaps the rebuilt one in")
    func replayKeepsReaders() async throws {
        let database = try await TestDatabase.create()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("load-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: file) }
        let generated = try await SpawnedProcess.run(
            Self.tools.appendingPathComponent("generate-load").path, ["6000", "--prefix", "r"], output: file.path)
        try #require(generated.status == 0, "\(generated.stderr)")
        #expect(try await consult(["log", "--file", file.path], database: database).status == 0)
        #expect(try await consult(["project"], database: database).status == 0)
        let connection = try await database.connect()
        let expected = try await connection.query("SELECT count(*) FROM view_commitments")[0].decode(
            Int64.self, column: 0)
        #expect(expected > 0)

        let replay = Task { try await consult(["replay", "commitments", "--batch-size", "200"], database: database) }
        var reads = 0
        var wrong: [Int64] = []
        while true {
            let count = try await connection.query("SELECT count(*) FROM view_commitments")[0].decode(
                Int64.self, column: 0)
            reads += 1
            if count != expected { wrong.append(count) }
            if reads > 5,
                try await connection.query(
                    "SELECT count(*) FROM projection_checkpoints WHERE name = 'commitments#replay'")[0].decode(
                        Int64.self, column: 0) == 0
            {
                break
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        let outcome = try await replay.value
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(wrong.isEmpty, "a reader saw \(wrong.prefix(5)) rows instead of \(expected)")
        #expect(try await consult(["verify", "commitments"], database: database).status == 0)
        await connection.close()
    }

    @Test("a read waits for a transaction holding the log back, then says so and answers")
    func heldBack() async throws {
        // A cluster of its own: the transaction it holds open, which would hold back other tests' reads.
        try await TestDatabase.onPrivateServer { try await heldBackOn($0) }
    }

    func heldBackOn(_ database: TestDatabase) async throws {
        let holder = try await database.connect()
        // An open transaction with an id: every event committed after it is held back.
        try await holder.execute(unsafeScript: "BEGIN")
        try await holder.query("SELECT pg_current_xact_id()")
        try await loadFixtures(database)
        let read = try await consult(
            ["commitments", "--as-of", "2024-09-01"], database: database, environment: ["CONSULT_READ_WAIT": "1"])
        #expect(read.status == 0)
        #expect(read.stderr.contains("not in this answer yet"))
        #expect(read.stderr.contains("holds the log back"))
        try await holder.execute(unsafeScript: "ROLLBACK")
        let after = try await consult(["commitments", "--as-of", "2024-09-01", "--format", "json"], database: database)
        #expect(after.stderr.isEmpty)
        #expect(try JSONValue.parse(after.stdout).arrayValue?.count == 6)
        await holder.close()
    }
}
