import Foundation
import Logging
import TestSupport
import Testing

@testable import EmbeddedPostgres

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite("Embedded cluster with a real PostgreSQL")
struct EmbeddedClusterTests {
    @Test func firstStartCreatesStartsAndIsPrivate() async throws {
        try await withCluster { cluster, _ in
            #expect(try await cluster.status() == .notCreated)
            let target = try await cluster.start()
            #expect(target == cluster.connectionTarget)
            #expect(target.port == 5432 && target.user == "consult" && target.database == "consult")

            guard case .running(let pid) = try await cluster.status() else {
                Issue.record("status is not running after start")
                return
            }
            #expect(pid > 0)
            #expect(modeAndOwner(cluster.folder)?.mode == 0o700)
            #expect(FileManager.default.fileExists(atPath: target.socketDirectory + "/.s.PGSQL.5432"))
            #expect(try await query("select current_database()", target) == "consult")

            // No TCP: the setting is written and in force.
            let configuration = try String(
                contentsOfFile: cluster.layout.dataDirectory + "/postgresql.conf",
                encoding: .utf8)
            #expect(configuration.contains("listen_addresses = ''"))
            #expect(try await query("show listen_addresses", target) == "")

            if runningAsRoot {
                let serverUID = try #require(serverUserID)
                #expect(ownerOfProcess(pid) == serverUID)
                #expect(modeAndOwner(cluster.layout.dataDirectory + "/postmaster.pid")?.owner == serverUID)
                #expect(cluster.layout.clusterRoot.hasPrefix("/var/lib/consult/"))
                #expect(
                    modeAndOwner(cluster.layout.clusterRoot).map { ($0.mode, $0.owner) } ?? (0, 0)
                        == (0o700, serverUID))
                #expect(target.socketDirectory.hasPrefix(cluster.layout.clusterRoot))
                let location = try String(contentsOfFile: cluster.folder + "/cluster-location", encoding: .utf8)
                #expect(location == cluster.layout.clusterRoot + "\n")
            } else {
                #expect(target.socketDirectory == cluster.folder + "/run")
            }
        }
    }

    @Test func startIsIdempotent() async throws {
        try await withCluster { cluster, _ in
            let first = try await cluster.start()
            let firstStatus = try await cluster.status()
            let second = try await cluster.start()
            #expect(first == second)
            #expect(try await cluster.status() == firstStatus)
        }
    }

    @Test func stopThenStartAgain() async throws {
        try await withCluster { cluster, _ in
            let target = try await cluster.start()
            _ = try await query("create table kept (id int); insert into kept values (7)", target)
            try await cluster.stop()
            #expect(try await cluster.status() == .stopped)
            try await cluster.stop()
            #expect(!FileManager.default.fileExists(atPath: target.socketDirectory + "/.s.PGSQL.5432"))
            try await cluster.start()
            guard case .running = try await cluster.status() else {
                Issue.record("status is not running after the second start")
                return
            }
            #expect(try await query("select id from kept", target) == "7")
        }
    }

    @Test func stopStatusAndDestroyBeforeCreationAreHarmless() async throws {
        try await withCluster { cluster, _ in
            #expect(try await cluster.status() == .notCreated)
            try await cluster.stop()
            try await cluster.destroy()
            #expect(try await cluster.status() == .notCreated)
        }
    }

    @Test func destroyRemovesTheCluster() async throws {
        try await withCluster { cluster, _ in
            try await cluster.start()
            try await cluster.destroy()
            #expect(try await cluster.status() == .notCreated)
            #expect(!FileManager.default.fileExists(atPath: cluster.layout.dataDirectory))
            if runningAsRoot {
                #expect(!FileManager.default.fileExists(atPath: cluster.layout.clusterRoot))
            }
        }
    }

    @Test func destroyBlockingStopsTheServerAndRemovesTheCluster() async throws {
        try await withCluster { cluster, _ in
            try await cluster.start()
            guard case .running(let pid) = try await cluster.status() else {
                Issue.record("status is not running after start")
                return
            }
            try cluster.destroyBlocking()
            #expect(try await cluster.status() == .notCreated)
            #expect(!FileManager.default.fileExists(atPath: cluster.layout.dataDirectory))
            if runningAsRoot {
                #expect(!FileManager.default.fileExists(atPath: cluster.layout.clusterRoot))
            }
            // The postmaster removes postmaster.pid just before it exits.
            for _ in 0..<100 where isAlive(pid) {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(!isAlive(pid), "the server still runs after destroyBlocking()")
        }
    }

    @Test func concurrentStartsFromTasksShareOneCluster() async throws {
        try await withCluster { cluster, _ in
            let results = await withTaskGroup(
                of: Result<EmbeddedConnectionTarget, EmbeddedPostgresError>.self
            ) { group in
                for _ in 0..<3 {
                    // Separate values and tasks: each opens its own descriptor on the lock file.
                    let copy = EmbeddedCluster(folder: cluster.folder, logger: quietLogger)
                    group.addTask {
                        do throws(EmbeddedPostgresError) {
                            return .success(try await copy.start())
                        } catch {
                            return .failure(error)
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            let targets = try results.map { try $0.get() }
            #expect(targets.count == 3)
            #expect(Set(targets.map(\.url)).count == 1)
            guard case .running(let pid) = try await cluster.status() else {
                Issue.record("status is not running after concurrent starts")
                return
            }
            #expect(cluster.postmasterPid() == pid)
            #expect(try await query("select count(*) from pg_database where datname = 'consult'", targets[0]) == "1")
        }
    }

    @Test func startWaitsForALockHeldByAnotherProcess() async throws {
        try await withCluster { cluster, _ in
            try cluster.ensureFolder()
            let holder = Process()
            holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
            holder.arguments = [cluster.layout.lockFile, "sleep", "1.5"]
            try holder.run()
            defer { holder.waitUntilExit() }
            try waitUntilLocked(cluster.layout.lockFile)

            let began = Date()
            try await cluster.start()
            #expect(Date().timeIntervalSince(began) >= 1.0)
            #expect(!holder.isRunning)
        }
    }

    @Test func startRecoversAfterTheServerWasKilled() async throws {
        try await withCluster { cluster, _ in
            try await cluster.start()
            guard case .running(let pid) = try await cluster.status() else {
                Issue.record("status is not running after start")
                return
            }
            #expect(kill(pid_t(pid), SIGKILL) == 0)
            for _ in 0..<100 where FileManager.default.fileExists(atPath: "/proc/\(pid)") {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(try await cluster.status() == .stopped)
            let target = try await cluster.start()
            guard case .running(let newPid) = try await cluster.status() else {
                Issue.record("status is not running after restart")
                return
            }
            #expect(newPid != pid)
            #expect(try await query("select 1", target) == "1")
        }
    }

    @Test func failedInitdbLeavesNoPartialCluster() async throws {
        let binFolder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: binFolder) }
        // The server user must be able to run the fake programs.
        chmod(binFolder, 0o755)
        let initdb = "#!/bin/sh\nmkdir -p \"$2\" && echo half > \"$2/half-written\"\necho boom >&2\nexit 1\n"
        for (name, script) in [("initdb", initdb), ("pg_ctl", "#!/bin/sh\nexit 1\n"), ("postgres", "#!/bin/sh\n")] {
            let path = binFolder + "/" + name
            try script.write(toFile: path, atomically: true, encoding: .utf8)
            chmod(path, 0o755)
        }
        let temporary = try makeTemporaryFolder()
        let cluster = EmbeddedCluster(
            folder: temporary + "/consult", logger: quietLogger,
            environment: ProcessInfo.processInfo.environment, privileged: runningAsRoot,
            binaries: ServerBinaries(directory: binFolder)
        )
        defer { cluster.destroyInBackground(thenRemoving: temporary) }
        let error = await #expect(throws: EmbeddedPostgresError.self) { try await cluster.start() }
        #expect(error?.kind == .initFailed)
        #expect(error?.message.contains("boom") == true)
        #expect(!FileManager.default.fileExists(atPath: cluster.layout.stagingDirectory))
        #expect(!FileManager.default.fileExists(atPath: cluster.layout.dataDirectory))
        #expect(try await cluster.status() == .notCreated)
    }

    @Test func socketPathTooLongIsRefusedBeforeTouchingAnything() async throws {
        let temporary = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        let folder = temporary + "/" + String(repeating: "long-folder-name/", count: 6) + "consult"
        let cluster = EmbeddedCluster(
            folder: folder, logger: quietLogger,
            environment: ProcessInfo.processInfo.environment, privileged: false
        )
        let error = await #expect(throws: EmbeddedPostgresError.self) { try await cluster.start() }
        #expect(error?.kind == .pathTooLong)
        #expect(error?.message.contains("107") == true)
        #expect(!FileManager.default.fileExists(atPath: folder))
    }

    @Test func missingServerUserIsReported() async throws {
        let temporary = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        var environment = ProcessInfo.processInfo.environment
        environment["CONSULT_SERVER_USER"] = "no-such-consult-user"
        let cluster = EmbeddedCluster(
            folder: temporary + "/consult", logger: quietLogger,
            environment: environment, privileged: true,
            binaries: ServerBinaries(directory: "/usr/lib/postgresql/15/bin")
        )
        let error = await #expect(throws: EmbeddedPostgresError.self) { try await cluster.start() }
        #expect(error?.kind == .serverUserMissing)
        #expect(error?.message.contains("no-such-consult-user") == true)
        #expect(error?.message.contains("CONSULT_SERVER_USER") == true)
    }
}

/// Whether `pid` runs (a zombie waiting for its parent to reap it does not).
private func isAlive(_ pid: Int) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return false }
    return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first != "Z"
}

/// Polls until some other process holds an exclusive flock on `path` (at most about five seconds).
private func waitUntilLocked(_ path: String) throws {
    for _ in 0..<100 {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw EmbeddedPostgresError(.io, "open \(path): \(systemError())") }
        let free = flock(fd, LOCK_EX | LOCK_NB) == 0
        close(fd)
        if !free { return }
        usleep(50_000)
    }
    Issue.record("the flock helper never took the lock")
}
