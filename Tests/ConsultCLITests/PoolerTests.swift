import ConsultDomain
import EmbeddedPostgres
import Foundation
import Postgres
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Every command through PgBouncer (Debian's, 1.18) in front of a cluster of the test's own, in
/// transaction pooling mode (each transaction may run on another server session) and in session
/// pooling mode.
@Suite("Behind PgBouncer")
struct PoolerTests {
    @Test(
        "every command through PgBouncer: the same answers as a direct connection; workers apply each event once",
        arguments: [PgBouncer.Mode.transaction, .session])
    func everyCommand(_ mode: PgBouncer.Mode) async throws {
        let server = try await TestServer.startPrivate()
        let target = try #require(server.cluster?.connectionTarget)
        let bouncer = try await PgBouncer.start(in: target, mode: mode)
        defer { bouncer.stop() }
        let direct = ["CONSULT_DATABASE_URL": target.url]
        // Transaction mode is found out (PgBouncer listens on another port than the server);
        // session mode is declared, so that named prepared statements go through the pooler.
        var pooled = ["CONSULT_DATABASE_URL": bouncer.url(database: "consult")]
        if mode == .session { pooled["CONSULT_POOLER"] = "session" }
        func consult(_ arguments: [String], _ environment: [String: String], stdin: String? = nil) async throws
            -> ConsultProcess.Outcome
        {
            try await ConsultProcess.run(arguments, environment: environment, stdin: stdin.map { Data($0.utf8) })
        }
        func expectSuccess(_ outcome: ConsultProcess.Outcome, _ what: String) {
            #expect(outcome.status == 0, "\(what) through the \(mode) pooler: \(outcome.stderr)")
        }

        expectSuccess(try await consult(["migrate"], pooled), "migrate")
        let sample = LoadFile.repositoryRoot.appendingPathComponent("examples/sample-dataset.jsonl").path
        expectSuccess(try await consult(["log", "--file", sample], pooled), "log --file")
        expectSuccess(
            try await consult(
                [
                    "log", "stakeholder", "--stakeholder-id", "pooled-startup", "--name", "풀러 스타트업", "--kind",
                    "organization", "--sector", "startup",
                ], pooled), "log stakeholder")

        // Each read answers the same through the pooler as directly.
        for read in [
            ["commitments", "--outstanding"], ["commitments", "--as-of", "2024-06-30"], ["requests"],
            ["follow-ups", "--all"], ["stakeholders"], ["consultations"], ["search", "AI"], ["history", "msit"],
        ] {
            let through = try await consult(read + ["--format", "json"], pooled)
            let straight = try await consult(read + ["--format", "json"], direct)
            expectSuccess(through, read.joined(separator: " "))
            #expect(through.stdout == straight.stdout, "\(read.joined(separator: " ")) differs through the pooler")
            // The sample dataset has no follow-ups; every other read has rows.
            if read[0] != "follow-ups" {
                #expect(through.stdout.hasPrefix("[{"), "\(read.joined(separator: " ")): \(through.stdout.prefix(200))")
            }
        }

        // A follower and three writers, all through the pooler: every event applied once.
        let worker = try ConsultChild.launch(["project", "--follow", "--batch-size", "100"], environment: pooled)
        // A second follower listens on a direct connection (only where LISTEN cannot go through).
        let listening =
            mode == .transaction
            ? try ConsultChild.launch(
                ["project", "--follow", "--batch-size", "100", "--listen-url", target.url], environment: pooled)
            : nil
        var files: [URL] = []
        for index in 0..<3 { files.append(try await LoadFile.generate(300, prefix: "pool-\(mode)-\(index)")) }
        defer { for file in files { try? FileManager.default.removeItem(at: file) } }
        try await withThrowingTaskGroup(of: ConsultProcess.Outcome.self) { group in
            let environment = pooled
            for file in files {
                group.addTask { try await ConsultProcess.run(["log", "--file", file.path], environment: environment) }
            }
            for try await outcome in group { expectSuccess(outcome, "a concurrent log --file") }
        }
        let eventCount = try await Self.eventCount(target)
        let deadline = ContinuousClock.now + .seconds(90)
        while try await Self.leastApplied(target) < eventCount {
            try #require(worker.isRunning, "the worker exited: \(worker.stderr())")
            try #require(ContinuousClock.now < deadline, "the follower did not catch up in 90 s: \(worker.stderr())")
            try await Task.sleep(for: .milliseconds(100))
        }
        worker.kill(SIGTERM)
        try await worker.waitForExit(timeout: 30)
        #expect(worker.terminationStatus == 0, "\(worker.stderr())")
        if let listening {
            #expect(listening.isRunning, "\(listening.stderr())")
            listening.kill(SIGTERM)
            try await listening.waitForExit(timeout: 30)
            #expect(listening.terminationStatus == 0, "\(listening.stderr())")
            #expect(!listening.stderr().contains("transaction pooler"), "\(listening.stderr())")
            // A listen URL through the same pooler cannot carry LISTEN either: refused, with a sentence.
            let refused = try await consult(
                ["project", "--follow", "--listen-url", bouncer.url(database: "consult")], pooled)
            #expect(refused.status == 64, "\(refused.stderr)")
            #expect(refused.stderr.contains("must be a direct connection"), "\(refused.stderr)")
        }
        // LISTEN cannot work through a transaction pooler, and the worker says so, once.
        let pollingNotes = worker.stderr().components(separatedBy: "transaction pooler").count - 1
        #expect(pollingNotes == (mode == .transaction ? 1 : 0), "\(worker.stderr())")
        #expect(try await Self.applied(target).allSatisfy { $0 == eventCount })

        expectSuccess(try await consult(["replay"], pooled), "replay")
        let verify = try await consult(["verify"], pooled)
        expectSuccess(verify, "verify")
        #expect(verify.stdout.contains("ok"), "\(verify.stdout)")
        let export = try await consult(["export"], pooled)
        expectSuccess(export, "export")
        #expect(export.stdout.split(separator: "\n").filter { $0.contains(#""recorded":"#) }.count == eventCount)
        #expect(export.stdout == (try await consult(["export"], direct)).stdout)

        // A stale expected version is the same conflict through the pooler: exit 75, nothing written.
        let stale =
            #"{"type":"StakeholderChanged","data":{"stakeholderId":"pooled-startup","on":"2024-01-01","title":"x"},"#
            + #""expectedVersion":0}"#
        let conflict = try await consult(["log", "--file", "-"], pooled, stdin: stale)
        #expect(conflict.status == 75, "\(conflict.stderr)")
        #expect(conflict.stderr.contains("version 1"), "\(conflict.stderr)")
        #expect(try await Self.eventCount(target) == eventCount)
        await server.destroy()
    }

    @Test("named statements through a transaction pooler taken for none: one clear error, never a wrong answer")
    func sessionLost() async throws {
        let server = try await TestServer.startPrivate()
        let target = try #require(server.cluster?.connectionTarget)
        let bouncer = try await PgBouncer.start(in: target, mode: .transaction)
        defer { bouncer.stop() }
        // One server session for every client: the statements one command prepares are still
        // there, under the same names, when the next command comes.
        let environment = ["CONSULT_DATABASE_URL": bouncer.url(database: "single"), "CONSULT_POOLER": "none"]
        #expect(try await ConsultProcess.run(["migrate"], environment: environment).status == 0)
        var failures: [ConsultProcess.Outcome] = []
        for _ in 0..<3 {
            let read = try await ConsultProcess.run(["commitments", "--format", "json"], environment: environment)
            if read.status == 0 {
                #expect(read.stdout == "[]\n", "a wrong answer: \(read.stdout.prefix(200))")
            } else {
                failures.append(read)
            }
        }
        let failure = try #require(failures.first, "three commands shared one server session without a failure")
        #expect(failure.status == 69, "\(failure.stderr)")
        #expect(
            failure.stderr.hasPrefix("consult: The database session changed between statements"), "\(failure.stderr)")
        #expect(failure.stderr.contains("CONSULT_POOLER=transaction"))
        // Declared, the same pooler works.
        var declared = environment
        declared["CONSULT_POOLER"] = "transaction"
        for _ in 0..<3 {
            let read = try await ConsultProcess.run(["commitments", "--format", "json"], environment: declared)
            #expect(read.status == 0, "\(read.stderr)")
        }
        await server.destroy()
    }

    /// Each view's events applied, read directly.
    static func applied(_ target: EmbeddedConnectionTarget) async throws -> [Int] {
        let connection = try await Connection.connect(.url(target.url), logger: TestDatabase.logger)
        defer { Task { await connection.close() } }
        return try await connection.query(
            "SELECT events_applied FROM projection_checkpoints WHERE name NOT LIKE '%#%' ORDER BY name"
        ).map { try $0.decode(Int.self, column: 0) }
    }

    static func leastApplied(_ target: EmbeddedConnectionTarget) async throws -> Int {
        try await applied(target).min() ?? 0
    }

    static func eventCount(_ target: EmbeddedConnectionTarget) async throws -> Int {
        let connection = try await Connection.connect(.url(target.url), logger: TestDatabase.logger)
        defer { Task { await connection.close() } }
        return try await connection.query("SELECT count(*) FROM events")[0].decode(Int.self, column: 0)
    }
}

/// PgBouncer in front of an embedded cluster, listening on a Unix socket in a folder of its own.
final class PgBouncer: Sendable {
    enum Mode: String, Sendable, CustomStringConvertible {
        case transaction, session
        var description: String { rawValue }
    }

    let folder: String
    let port: Int
    let process: SpawnedProcess

    private init(folder: String, port: Int, process: SpawnedProcess) {
        self.folder = folder
        self.port = port
        self.process = process
    }

    /// A URL for `database` through the pooler: `consult` (pool of 10) or `single` (one server
    /// session for every client), both the cluster's `consult` database.
    func url(database: String) -> String {
        let host = folder.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? folder
        return "postgresql://consult@/\(database)?host=\(host)&port=\(port)"
    }

    static func executable() throws -> String {
        for candidate in ["/usr/sbin/pgbouncer", "/usr/bin/pgbouncer", "/usr/local/bin/pgbouncer"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        throw CocoaError(
            .executableLoad,
            userInfo: [
                NSLocalizedDescriptionKey:
                    "pgbouncer is not installed (tools/test installs it: apt-get install pgbouncer)"
            ])
    }

    static func start(in target: EmbeddedConnectionTarget, mode: Mode) async throws -> PgBouncer {
        let executable = try executable()
        let folder = try PrivateServer.temporaryFolder()
        let port = Int.random(in: 20_000...29_999)
        let server = "host=\(target.socketDirectory) port=\(target.port) dbname=\(target.database)"
        let configuration = """
            [databases]
            consult = \(server)
            single = \(server) pool_size=1
            [pgbouncer]
            listen_addr =
            listen_port = \(port)
            unix_socket_dir = \(folder)
            auth_type = trust
            auth_file = \(folder)/users.txt
            pool_mode = \(mode.rawValue)
            default_pool_size = 10
            max_client_conn = 200
            logfile = \(folder)/pgbouncer.log
            pidfile = \(folder)/pgbouncer.pid

            """
        try configuration.write(toFile: folder + "/pgbouncer.ini", atomically: true, encoding: .utf8)
        try "\"\(target.user)\" \"\"\n".write(toFile: folder + "/users.txt", atomically: true, encoding: .utf8)
        // PgBouncer refuses to run as root; it runs as the user that owns the server's socket folder.
        var arguments = [folder + "/pgbouncer.ini"]
        var owner = stat()
        if getuid() == 0, stat(target.socketDirectory, &owner) == 0, owner.st_uid != 0,
            let user = getpwuid(owner.st_uid)
        {
            arguments = ["-u", String(cString: user.pointee.pw_name)] + arguments
            for file in ["", "/pgbouncer.ini", "/users.txt"] { chown(folder + file, owner.st_uid, owner.st_gid) }
        }
        let process = try SpawnedProcess.spawn(
            executable, arguments, environment: [:], input: nil, output: folder + "/stdout",
            error: folder + "/stderr")
        let bouncer = PgBouncer(folder: folder, port: port, process: process)
        let deadline = ContinuousClock.now + .seconds(30)
        while !FileManager.default.fileExists(atPath: "\(folder)/.s.PGSQL.\(port)") {
            guard process.isRunning, ContinuousClock.now < deadline else {
                let log = (try? String(contentsOfFile: folder + "/pgbouncer.log", encoding: .utf8)) ?? ""
                let stderr = (try? String(contentsOfFile: folder + "/stderr", encoding: .utf8)) ?? ""
                bouncer.stop()
                throw CocoaError(
                    .executableLoad, userInfo: [NSLocalizedDescriptionKey: "pgbouncer did not start: \(stderr) \(log)"])
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return bouncer
    }

    /// For `defer` blocks: stops PgBouncer and removes its folder on a thread of their own (see
    /// `BlockingWork`).
    func stop() {
        process.stopInBackground(SIGINT, patience: 4, thenRemoving: folder)
    }
}
