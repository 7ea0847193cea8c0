import Foundation
import Postgres
import Projections
import TestSupport
import Testing

/// `consult project` killed with SIGKILL again and again while it catches up with a large log.
///
/// A batch applies events to every view and moves the views' checkpoints in one transaction, so
/// however often a worker dies, each view must end with every event applied exactly once.
///
/// Takes 48–64 s in a debug build on 2 cores (measured four times, alone and next to
/// ProjectionWorkersTests): 10–18 s logging the 50,000 events, the rest killing, restarting,
/// finishing and verifying.
@Suite("consult project killed mid-catch-up")
struct ProjectionKillTests {
    static let events = 50_000
    static let batchSize = 500
    static let kills = 20

    @Test("SIGKILL 20 times during catch-up, restarting each time: every event applied once, verify is clean")
    func killAndRestart() async throws {
        let started = ContinuousClock.now
        // A server of its own: logging 50,000 events is one long transaction, and every batch of
        // the catch-up another, and a snapshot's xmin is cluster-wide, so on the shared cluster
        // they would hold back the gap-safe reads of every other test running meanwhile.
        let server = try await PrivateServer.start()
        defer { server.destroy() }
        let environment = ["CONSULT_DATABASE_URL": server.url]
        try #require(try await ConsultProcess.run(["migrate"], environment: environment).status == 0)
        let file = try await LoadFile.generate(Self.events, prefix: "kill")
        defer { try? FileManager.default.removeItem(at: file) }
        let logged = try await ConsultProcess.run(["log", "--file", file.path], environment: environment)
        try #require(logged.status == 0, "\(logged.stderr)")
        let loggedAt = ContinuousClock.now

        let connection = try await server.connect()
        let total = try await connection.query("SELECT count(*) FROM events")[0].decode(Int64.self, column: 0)
        try #require(total == Int64(Self.events))

        var killedMidCatchUp = 0
        var killedInTransaction = 0
        var appliedAtKills: [Int64] = []
        var previous: Int64 = 0
        for kill in 1...Self.kills {
            let worker = try ConsultChild.launch(
                ["project", "--batch-size", String(Self.batchSize)], environment: environment)
            if kill <= 2 {
                // The first two land at fixed, short delays: during start-up or the first batches.
                try await Task.sleep(for: .milliseconds(kill == 1 ? 30 : 400))
            } else {
                // The others once the checkpoint passes 1/20 … 18/20 of the log (and has moved
                // since the restart), then after a random delay so they land anywhere in a batch.
                let threshold = max(total * Int64(kill - 2) / Int64(Self.kills), previous + 1)
                let deadline = ContinuousClock.now + .seconds(60)
                while try await Self.commitmentsApplied(connection) < threshold, worker.isRunning {
                    try #require(ContinuousClock.now < deadline, "the worker made no progress in 60 s")
                    try await Task.sleep(for: .milliseconds(5))
                }
                // A batch of 500 takes about 0.2–0.4 s in a debug build: some kills land after one
                // more commit, most inside the next batch's transaction.
                try await Task.sleep(for: .milliseconds(Int.random(in: 0...300)))
            }
            try #require(
                worker.isRunning,
                """
                the worker finished before kill \(kill) (exit \(worker.terminationStatus); events applied at the \
                kills before: \(appliedAtKills)): \(worker.stderr())
                """)
            // Informational: was the worker inside a transaction (applying a batch) when killed?
            let open = try await connection.query(
                """
                SELECT count(*) FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL
                """)
            if try open[0].decode(Int64.self, column: 0) > 0 { killedInTransaction += 1 }
            worker.kill(SIGKILL)
            try await worker.waitForExit(timeout: 10)
            #expect(worker.terminatedBySignal)

            let applied = try await Self.commitmentsApplied(connection)
            appliedAtKills.append(applied)
            if applied > 0 && applied < total { killedMidCatchUp += 1 }
            #expect(applied >= previous, "kill \(kill): the checkpoint moved back from \(previous) to \(applied)")
            previous = applied
            try await Self.expectConsistentCheckpoints(connection, kill: kill)
        }
        print(
            "project kills: events applied at each kill: \(appliedAtKills); "
                + "\(killedInTransaction) kills came while the worker had a transaction open")
        #expect(killedMidCatchUp >= 15, "only \(killedMidCatchUp) kills landed mid-catch-up: \(appliedAtKills)")

        // Let a worker finish. A killed worker's session may still hold its transaction (and so
        // the gap-safe read) for a moment, so run it again until every event is applied.
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            let finished = try await ConsultProcess.run(["project"], environment: environment)
            try #require(finished.status == 0, "\(finished.stderr)")
            if try await Self.commitmentsApplied(connection) == total { break }
            try #require(ContinuousClock.now < deadline, "the views did not catch up within 60 s")
            try await Task.sleep(for: .milliseconds(200))
        }
        let verified = try await ConsultProcess.run(["verify"], environment: environment)
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        #expect(verified.stdout.contains("ok"), "\(verified.stdout)")
        let applied = try await Self.eventsApplied(connection)
        #expect(applied.count == Views.all.count)
        for view in Views.all {
            #expect(applied[view.name] == total, "\(view.name) applied \(applied[view.name] ?? -1) of \(total) events")
        }
        try await Self.expectConsistentCheckpoints(connection, kill: nil)
        print(
            "project kills: logging took \(loggedAt - started), \(Self.kills) kills and the final run "
                + "\(ContinuousClock.now - loggedAt)")
        await connection.close()
    }

    /// The commitments view's `events_applied`, 0 before its checkpoint exists.
    static func commitmentsApplied(_ connection: Connection) async throws -> Int64 {
        let rows = try await connection.query(
            "SELECT events_applied FROM projection_checkpoints WHERE name = 'commitments'")
        return try rows.first?.decode(Int64.self, column: 0) ?? 0
    }

    /// Each view's `events_applied`.
    static func eventsApplied(_ connection: Connection) async throws -> [String: Int64] {
        let rows = try await connection.query(
            """
            SELECT name, events_applied FROM projection_checkpoints
            WHERE name = ANY(\(Views.all.map(\.name))::text[])
            """)
        var applied: [String: Int64] = [:]
        for row in rows { applied[try row.decode(String.self, column: 0)] = try row.decode(Int64.self, column: 1) }
        return applied
    }

    /// Every view's `events_applied` is the number of events up to its checkpoint (nothing applied
    /// twice, nothing skipped), and all views stand at the same checkpoint (they move together).
    static func expectConsistentCheckpoints(_ connection: Connection, kill: Int?) async throws {
        let rows = try await connection.query(
            """
            SELECT c.name, c.events_applied, c.epoch::text || '/' || c.tx_id::text || '/' || c.position::text,
                   (SELECT count(*) FROM events e WHERE (e.epoch, e.tx_id, e.position) <= (c.epoch, c.tx_id, c.position))
            FROM projection_checkpoints c WHERE c.name = ANY(\(Views.all.map(\.name))::text[])
            """)
        var checkpoints: Set<String> = []
        for row in rows {
            let name = try row.decode(String.self, column: 0)
            let applied = try row.decode(Int64.self, column: 1)
            let upToCheckpoint = try row.decode(Int64.self, column: 3)
            checkpoints.insert(try row.decode(String.self, column: 2))
            let when = kill.map { "after kill \($0)" } ?? "at the end"
            #expect(
                applied == upToCheckpoint,
                "\(when): \(name) counts \(applied) events applied; \(upToCheckpoint) are up to its checkpoint")
        }
        #expect(checkpoints.count <= 1, "\(kill.map { "after kill \($0)" } ?? "at the end"): views at \(checkpoints)")
    }
}

/// A file written by `tools/generate-load`.
enum LoadFile {
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    /// `tools/generate-load count --prefix prefix`, written to a temporary file; waited for
    /// without holding a thread (see `BlockingWork`).
    static func generate(_ count: Int, prefix: String) async throws -> URL {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "consult-load-\(prefix)-\(UUID().uuidString).jsonl")
        let generated = try await SpawnedProcess.run(
            "/usr/bin/env",
            [
                "python3", repositoryRoot.appendingPathComponent("tools/generate-load").path, String(count), "--prefix",
                prefix,
            ],
            output: file.path)
        guard generated.status == 0 else {
            throw CocoaError(
                .fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "generate-load failed: \(generated.stderr)"])
        }
        return file
    }
}

/// The real `consult`, started without waiting for it (so a test can signal it), its output in
/// files rather than pipes, as `ConsultProcess` does.
final class ConsultChild: Sendable {
    let child: SpawnedProcess
    let folder: URL

    private init(child: SpawnedProcess, folder: URL) {
        self.child = child
        self.folder = folder
    }

    deinit {
        if child.isRunning { Foundation.kill(child.pid, SIGTERM) }
        try? FileManager.default.removeItem(at: folder)
    }

    static func launch(_ arguments: [String], environment: [String: String]) throws -> ConsultChild {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("consult-child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let child = try SpawnedProcess.spawn(
            ConsultProcess.executable.path, arguments,
            environment: ConsultProcess.cleanEnvironment().merging(environment) { $1 }, input: nil,
            output: folder.appendingPathComponent("stdout").path, error: folder.appendingPathComponent("stderr").path)
        return ConsultChild(child: child, folder: folder)
    }

    var isRunning: Bool { child.isRunning }
    var pid: Int32 { child.pid }
    /// The exit code (128 + the signal when one ended it); -1 while it runs.
    var terminationStatus: Int32 { child.terminationStatus ?? -1 }
    var terminatedBySignal: Bool { child.terminatedBySignal }

    func kill(_ signal: Int32) {
        _ = Foundation.kill(pid, signal)
    }

    /// Waits until the process has exited; throws after `timeout` seconds.
    func waitForExit(timeout: Double) async throws {
        let deadline = ContinuousClock.now + .seconds(timeout)
        while child.isRunning {
            guard ContinuousClock.now < deadline else {
                throw CocoaError(
                    .executableLoad, userInfo: [NSLocalizedDescriptionKey: "consult did not exit in \(timeout) s"])
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    func stderr() -> String {
        (try? String(contentsOf: folder.appendingPathComponent("stderr"), encoding: .utf8)) ?? ""
    }
}
