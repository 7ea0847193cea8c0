import ConsultDomain
import EmbeddedPostgres
import Foundation
import Postgres
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// PostgreSQL stopped under running commands, workers killed, writers racing: nothing committed
/// is lost, nothing half-done is visible, and the commands say what happened.
///
/// Each test stops its own private server (never the cluster the other tests share).
@Suite("Faults: the server stopped or killed under running commands")
struct FaultTests {
    enum Shutdown: String, CaseIterable, Sendable {
        /// SIGINT to the postmaster: sessions are ended, then a clean shutdown.
        case fast
        /// SIGQUIT to the postmaster: everything stops at once; crash recovery on the next start.
        case immediate
    }

    @Test(
        "log --file of a large batch: exit 69 with one sentence; afterwards all or none of it",
        arguments: Shutdown.allCases)
    func logFileInterrupted(_ shutdown: Shutdown) async throws {
        let server = try await PrivateServer.start()
        defer { server.destroy() }
        let events = 30_000
        let file = try await LoadFile.generate(events, prefix: "fault")
        defer { try? FileManager.default.removeItem(at: file) }

        // The stop is aimed at the COPY of the batch; if it lands just after the commit instead
        // (the batch is then whole, exit 0), try again in a new database, up to five times.
        var interrupted = false
        for attempt in 1...5 where !interrupted {
            let database = "attempt\(attempt)"
            try await server.createDatabase(database)
            let environment = ["CONSULT_DATABASE_URL": server.url(database: database)]
            #expect(try await ConsultProcess.run(["migrate"], environment: environment).status == 0)
            let child = try ConsultChild.launch(["log", "--file", file.path], environment: environment)
            let caught = try await server.waitForWriting(of: child, database: database)
            try await server.stop(shutdown)
            try await child.waitForExit(timeout: 60)
            try await server.restart()
            let count = try await server.eventCount(database: database)
            if child.terminationStatus == 0 {
                // The stop came after the commit: the batch is whole.
                #expect(count == events, "exit 0, yet the log holds \(count) of \(events) events")
                continue
            }
            if !caught {
                // The stop came before the batch was being written (a loaded machine): all or none.
                #expect(
                    count == 0 || count == events,
                    "exit \(child.terminationStatus), the log holds \(count) of \(events) events: \(child.stderr())")
                continue
            }
            interrupted = true
            #expect(child.terminationStatus == 69, "\(child.stderr())")
            Self.expectOneSentence(child.stderr())
            #expect(count == 0 || count == events, "the log holds \(count) of the batch's \(events) events")
            let verify = try await ConsultProcess.run(["verify"], environment: environment)
            #expect(verify.status == 0, "\(verify.stderr)")
            // And the batch can simply be logged again.
            let again = try await ConsultProcess.run(["log", "--file", file.path], environment: environment)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(try await server.eventCount(database: database) == events)
        }
        #expect(interrupted, "the server was never stopped while the batch was being copied")
    }

    @Test("replay: exit 69; afterwards the views are whole and verify passes", arguments: Shutdown.allCases)
    func replayInterrupted(_ shutdown: Shutdown) async throws {
        let server = try await PrivateServer.start()
        defer { server.destroy() }
        let environment = ["CONSULT_DATABASE_URL": server.url]
        let file = try await LoadFile.generate(20_000, prefix: "replay")
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(try await ConsultProcess.run(["log", "--file", file.path], environment: environment).status == 0)
        #expect(try await ConsultProcess.run(["project"], environment: environment).status == 0)
        let before = try await ConsultProcess.run(["commitments", "--format", "json"], environment: environment)

        let child = try ConsultChild.launch(["replay"], environment: environment)
        // Stopped while the rebuilt tables are being written.
        try await server.waitForTransaction(of: child, running: #"%\_\_replay%"#)
        try await server.stop(shutdown)
        try await child.waitForExit(timeout: 60)
        #expect(child.terminationStatus == 69, "\(child.stderr())")
        Self.expectOneSentence(child.stderr())

        try await server.restart()
        let verify = try await ConsultProcess.run(["verify"], environment: environment)
        #expect(verify.status == 0, "\(verify.stderr)")
        let after = try await ConsultProcess.run(["commitments", "--format", "json"], environment: environment)
        #expect(after.stdout == before.stdout)
        let replay = try await ConsultProcess.run(["replay"], environment: environment)
        #expect(replay.status == 0, "\(replay.stderr)")
    }

    @Test("a following worker reconnects by itself after fast and immediate shutdowns and applies what came meanwhile")
    func followerReconnects() async throws {
        let server = try await PrivateServer.start()
        defer { server.destroy() }
        let environment = ["CONSULT_DATABASE_URL": server.url]
        let file = try await LoadFile.generate(3_000, prefix: "follow")
        defer { try? FileManager.default.removeItem(at: file) }
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
        let parts = stride(from: 0, to: lines.count, by: 1_000).map {
            lines[$0..<min($0 + 1_000, lines.count)].joined(separator: "\n") + "\n"
        }
        func log(_ part: String) async throws {
            let logged = try await ConsultProcess.run(
                ["log", "--file", "-"], environment: environment, stdin: Data(part.utf8))
            #expect(logged.status == 0, "\(logged.stderr)")
        }
        try await log(parts[0])
        let worker = try ConsultChild.launch(["project", "--follow", "--batch-size", "200"], environment: environment)
        try await server.waitUntilApplied(1_000, worker: worker)

        for (shutdown, part) in zip([Shutdown.fast, .immediate], parts.dropFirst()) {
            try await server.stop(shutdown)
            try await Task.sleep(for: .seconds(1.5))
            #expect(worker.isRunning, "the worker exited when the server stopped: \(worker.stderr())")
            try await server.restart()
            try await log(part)
            let expected = try await server.eventCount()
            try await server.waitUntilApplied(expected, worker: worker)
        }
        worker.kill(SIGTERM)
        try await worker.waitForExit(timeout: 30)
        #expect(worker.terminationStatus == 0, "\(worker.stderr())")
        #expect(worker.stderr().contains("reconnected"), "\(worker.stderr())")
        let verify = try await ConsultProcess.run(["verify"], environment: environment)
        #expect(verify.status == 0, "\(verify.stderr)")
    }

    @Test("replay killed with SIGKILL again and again, at any point of its swap: readers always see a whole view")
    func replayKilled() async throws {
        let server = try await PrivateServer.start()
        defer { server.destroy() }
        let environment = ["CONSULT_DATABASE_URL": server.url]
        let file = try await LoadFile.generate(5_000, prefix: "swap")
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(try await ConsultProcess.run(["log", "--file", file.path], environment: environment).status == 0)
        #expect(try await ConsultProcess.run(["project"], environment: environment).status == 0)
        let reader = try await Connection.connect(.url(server.url), logger: TestDatabase.logger)
        let expected: Int64 = try await reader.query("SELECT count(*) FROM view_commitments")[0].decode(column: 0)
        #expect(expected > 0)

        // A reader counting the view all along; every answer must be the whole view.
        let reading = Task {
            var answers = 0
            while !Task.isCancelled {
                let count: Int64 = try await reader.query("SELECT count(*) FROM view_commitments")[0].decode(column: 0)
                #expect(count == expected)
                answers += 1
            }
            return answers
        }
        var killedInTransaction = 0
        for round in 0..<12 {
            let child = try ConsultChild.launch(["replay"], environment: environment)
            // Spread the kills from start-up to the end of the swap (a replay of 5,000 events
            // takes about 1–3 s in a debug build).
            try await Task.sleep(for: .milliseconds(200 + round * 250 + Int.random(in: 0...200)))
            if try await server.hasOpenTransaction() { killedInTransaction += 1 }
            child.kill(SIGKILL)
            try await child.waitForExit(timeout: 10)
        }
        reading.cancel()
        let answers = try await reading.value
        print(
            "replay kills: 12 kills, \(killedInTransaction) inside a transaction; the reader answered \(answers) times")
        #expect(answers > 0)
        await reader.close()
        let verify = try await ConsultProcess.run(["verify"], environment: environment)
        #expect(verify.status == 0, "\(verify.stderr)")
    }

    @Test("the embedded cluster's server killed: the next command restarts it and nothing committed is lost")
    func embeddedServerKilled() async throws {
        let home = try PrivateServer.temporaryFolder()
        let environment = ["XDG_DATA_HOME": home]
        let cluster = EmbeddedCluster(folder: home + "/consult", logger: TestDatabase.logger)
        defer { cluster.destroyInBackground(thenRemoving: home) }
        let demo = try await ConsultProcess.run(["demo"], environment: environment)
        #expect(demo.status == 0, "\(demo.stderr)")
        let before = try await ConsultProcess.run(["export"], environment: environment)
        for _ in 0..<2 {
            guard case .running(let pid) = try await cluster.status() else {
                Issue.record("the embedded server is not running")
                return
            }
            #expect(kill(pid_t(pid), SIGKILL) == 0)
            for _ in 0..<200 where FileManager.default.fileExists(atPath: "/proc/\(pid)") {
                try await Task.sleep(for: .milliseconds(50))
            }
            let after = try await ConsultProcess.run(["export"], environment: environment)
            #expect(after.status == 0, "\(after.stderr)")
            #expect(after.stdout == before.stdout)
        }
        let verify = try await ConsultProcess.run(["verify"], environment: environment)
        #expect(verify.status == 0, "\(verify.stderr)")
    }

    /// The first line of stderr is one sentence: it starts with "consult: " and ends with a period.
    static func expectOneSentence(_ stderr: String) {
        let first = stderr.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first.hasPrefix("consult: ") && first.hasSuffix("."), "\(stderr)")
        #expect(first.contains("database"), "\(stderr)")
    }
}

/// A PostgreSQL server of the test's own (an embedded cluster in a temporary folder), reached by
/// URL like any server, which the test can stop and start.
final class PrivateServer: Sendable {
    let cluster: EmbeddedCluster
    let folder: String

    private init(cluster: EmbeddedCluster, folder: String) {
        self.cluster = cluster
        self.folder = folder
    }

    static func temporaryFolder() throws -> String {
        var template = Array("/tmp/cf-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        return String(cString: made)
    }

    static func start() async throws -> PrivateServer {
        let folder = try temporaryFolder()
        let cluster = EmbeddedCluster(folder: folder + "/consult", logger: TestDatabase.logger)
        try await cluster.start()
        return PrivateServer(cluster: cluster, folder: folder)
    }

    var url: String { cluster.connectionTarget.url }

    /// The URL of another database on this server.
    func url(database: String) -> String {
        url.replacingOccurrences(of: "@/\(cluster.connectionTarget.database)?", with: "@/\(database)?")
    }

    /// A connection to the server's database, as the tests' own (not named `consult`).
    func connect() async throws -> Connection {
        try await Connection.connect(.url(url), applicationName: "consult-tests", logger: TestDatabase.logger)
    }

    func createDatabase(_ name: String) async throws {
        let connection = try await Connection.connect(
            .url(url), applicationName: "consult-tests", logger: TestDatabase.logger)
        try await connection.execute(unsafeScript: "CREATE DATABASE \(name)")
        await connection.close()
    }

    /// For `defer` blocks (which cannot await): stops the server and removes its files on a
    /// thread of their own (see `BlockingWork`).
    func destroy() {
        cluster.destroyInBackground(thenRemoving: folder)
    }

    /// Signals the postmaster and waits until it has exited.
    func stop(_ shutdown: FaultTests.Shutdown) async throws {
        guard case .running(let pid) = try await cluster.status() else { return }
        _ = kill(pid_t(pid), shutdown == .fast ? SIGINT : SIGQUIT)
        for _ in 0..<600 where FileManager.default.fileExists(atPath: "/proc/\(pid)") {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(!FileManager.default.fileExists(atPath: "/proc/\(pid)"), "the server did not stop")
    }

    func restart() async throws {
        try await cluster.start()
    }

    /// One query on a connection of its own (not named `consult`, so it is not taken for one).
    private func value<Value: PostgresDecodable & Sendable>(
        _ query: PostgresQuery, as: Value.Type, database: String? = nil
    ) async throws -> Value {
        let connection = try await Connection.connect(
            .url(database.map(url(database:)) ?? url), applicationName: "consult-tests", logger: TestDatabase.logger)
        do {
            let value = try await connection.query(query)[0].decode(Value.self, column: 0)
            await connection.close()
            return value
        } catch {
            await connection.close()
            throw error
        }
    }

    func eventCount(database: String? = nil) async throws -> Int {
        guard try await value("SELECT to_regclass('events') IS NOT NULL", as: Bool.self, database: database) else {
            return 0
        }
        return try await value("SELECT count(*) FROM events", as: Int.self, database: database)
    }

    /// Whether a `consult` session has a transaction open, running a statement LIKE `statement`.
    func hasOpenTransaction(running statement: String = "%") async throws -> Bool {
        try await value(
            """
            SELECT count(*) > 0 FROM pg_stat_activity
            WHERE application_name = 'consult' AND xact_start IS NOT NULL AND query LIKE \(statement)
            """, as: Bool.self)
    }

    /// Waits until `child` has a transaction open running a statement LIKE `statement` (it is
    /// writing), or fails after 60 s.
    func waitForTransaction(of child: ConsultChild, running statement: String) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while try await !hasOpenTransaction(running: statement) {
            try #require(child.isRunning, "consult finished before the server could be stopped: \(child.stderr())")
            try #require(ContinuousClock.now < deadline, "consult opened no transaction in 60 s")
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Waits until a `consult` session's transaction has written (it has a transaction id: from
    /// the first row it stores until it commits), polling on one connection. False when `child`
    /// ended first (it wrote and committed between two looks), or after 60 s.
    func waitForWriting(of child: ConsultChild, database: String) async throws -> Bool {
        let connection = try await Connection.connect(
            .url(url(database: database)), applicationName: "consult-tests", logger: TestDatabase.logger)
        let deadline = ContinuousClock.now + .seconds(60)
        var writing = false
        while !writing, child.isRunning, ContinuousClock.now < deadline {
            writing = try await connection.query(
                """
                SELECT count(*) > 0 FROM pg_stat_activity
                WHERE application_name = 'consult' AND backend_xid IS NOT NULL
                """)[0].decode(column: 0)
            if !writing { try await Task.sleep(for: .milliseconds(2)) }
        }
        await connection.close()
        return writing
    }

    /// Waits until every view has applied `events` events, or fails after 60 s.
    func waitUntilApplied(_ events: Int, worker: ConsultChild) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            let applied = try? await value(
                "SELECT coalesce(min(events_applied), 0) FROM projection_checkpoints", as: Int.self)
            if let applied, applied >= events { return }
            try #require(worker.isRunning, "the worker exited: \(worker.stderr())")
            try #require(
                ContinuousClock.now < deadline,
                "the views applied \(applied ?? -1) of \(events) events in 60 s: \(worker.stderr())")
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}

/// Eight writers appending with expected versions to the same few streams, for 30 seconds.
@Suite("Writers racing on the same streams")
struct ConflictStormTests {
    static let writers = 8
    static let streams = ["s1", "s2", "s3"]
    static let duration: Duration = .seconds(30)

    @Test("8 writers, 3 streams, 30 s: each reported write is in the log once, each conflict exited 75")
    func storm() async throws {
        let database = try await TestDatabase.create()
        let environment = ["CONSULT_DATABASE_URL": database.url]
        let setup = Self.streams.map {
            #"{"type":"StakeholderRegistered","data":{"stakeholderId":"\#($0)","name":"이해관계자 \#($0)","kind":"organization","sector":"association"}}"#
        }.joined(separator: "\n")
        let registered = try await ConsultProcess.run(
            ["log", "--file", "-"], environment: environment, stdin: Data(setup.utf8))
        try #require(registered.status == 0, "\(registered.stderr)")

        let deadline = ContinuousClock.now + Self.duration
        let outcomes = try await withThrowingTaskGroup(of: [(UUID, Int32, String)].self) { group in
            for writer in 0..<Self.writers {
                group.addTask {
                    let connection = try await database.connect()
                    var outcomes: [(UUID, Int32, String)] = []
                    var round = 0
                    while ContinuousClock.now < deadline {
                        let stakeholder = Self.streams[(writer + round) % Self.streams.count]
                        round += 1
                        let version: Int = try await connection.query(
                            """
                            SELECT coalesce(max(stream_version), 0) FROM events
                            WHERE stream_id = \("stakeholder-" + stakeholder)
                            """)[0].decode(column: 0)
                        let id = UUID()
                        let line =
                            #"{"type":"StakeholderChanged","id":"\#(id.uuidString.lowercased())","expectedVersion":\#(version),"#
                            + #""data":{"stakeholderId":"\#(stakeholder)","on":"2024-01-01","title":"작성자 \#(writer)"}}"#
                        let logged = try await ConsultProcess.run(
                            ["log", "--file", "-"], environment: environment, stdin: Data(line.utf8))
                        outcomes.append((id, logged.status, logged.stderr))
                    }
                    await connection.close()
                    return outcomes
                }
            }
            var all: [(UUID, Int32, String)] = []
            for try await outcomes in group { all += outcomes }
            return all
        }

        let stored = Set(outcomes.filter { $0.1 == 0 }.map(\.0))
        let conflicts = outcomes.filter { $0.1 == 75 }
        let others = outcomes.filter { $0.1 != 0 && $0.1 != 75 }
        #expect(others.isEmpty, "\(others.prefix(3).map { "exit \($0.1): \($0.2)" })")
        // A lost race is safe to retry; a stale expected version says how to log again.
        #expect(
            conflicts.allSatisfy {
                $0.2.contains("safe to retry") || $0.2.contains("then log again with --expected-version")
            })
        let connection = try await database.connect()
        let logged = try await connection.query("SELECT event_id FROM events WHERE type = 'StakeholderChanged'")
            .map { try $0.decode(UUID.self, column: 0) }
        #expect(logged.count == Set(logged).count, "an event is in the log twice")
        #expect(Set(logged) == stored, "the log and the writers' reports differ")
        let verify = try await ConsultProcess.run(["verify"], environment: environment)
        #expect(verify.status == 0, "\(verify.stderr)")
        print(
            "conflict storm: \(outcomes.count) attempts, \(stored.count) stored, \(conflicts.count) conflicts (exit 75)"
        )
        await connection.close()
    }
}
