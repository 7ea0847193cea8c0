import Foundation
import Logging
import Testing

@testable import EmbeddedPostgres

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite("Embedded cluster with a real PostgreSQL")
struct EmbeddedClusterTests {
    @Test func firstStartCreatesStartsAndIsPrivate() throws {
        try withCluster { cluster, _ in
            #expect(try cluster.status() == .notCreated)
            let target = try cluster.start()
            #expect(target == cluster.connectionTarget)
            #expect(target.port == 5432 && target.user == "consult" && target.database == "consult")

            guard case .running(let pid) = try cluster.status() else {
                Issue.record("status is not running after start")
                return
            }
            #expect(pid > 0)
            #expect(modeAndOwner(cluster.folder)?.mode == 0o700)
            #expect(FileManager.default.fileExists(atPath: target.socketDirectory + "/.s.PGSQL.5432"))
            #expect(try query("select current_database()", target) == "consult")

            // No TCP: the setting is written and in force.
            let configuration = try String(
                contentsOfFile: cluster.layout.dataDirectory + "/postgresql.conf",
                encoding: .utf8)
            #expect(configuration.contains("listen_addresses = ''"))
            #expect(try query("show listen_addresses", target) == "")

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

    @Test func startIsIdempotent() throws {
        try withCluster { cluster, _ in
            let first = try cluster.start()
            let firstStatus = try cluster.status()
            let second = try cluster.start()
            #expect(first == second)
            #expect(try cluster.status() == firstStatus)
        }
    }

    @Test func stopThenStartAgain() throws {
        try withCluster { cluster, _ in
            let target = try cluster.start()
            _ = try query("create table kept (id int); insert into kept values (7)", target)
            try cluster.stop()
            #expect(try cluster.status() == .stopped)
            try cluster.stop()
            #expect(!FileManager.default.fileExists(atPath: target.socketDirectory + "/.s.PGSQL.5432"))
            try cluster.start()
            guard case .running = try cluster.status() else {
                Issue.record("status is not running after the second start")
                return
            }
            #expect(try query("select id from kept", target) == "7")
        }
    }

    @Test func stopStatusAndDestroyBeforeCreationAreHarmless() throws {
        try withCluster { cluster, _ in
            #expect(try cluster.status() == .notCreated)
            try cluster.stop()
            try cluster.destroy()
            #expect(try cluster.status() == .notCreated)
        }
    }

    @Test func destroyRemovesTheCluster() throws {
        try withCluster { cluster, _ in
            try cluster.start()
            try cluster.destroy()
            #expect(try cluster.status() == .notCreated)
            #expect(!FileManager.default.fileExists(atPath: cluster.layout.dataDirectory))
            if runningAsRoot {
                #expect(!FileManager.default.fileExists(atPath: cluster.layout.clusterRoot))
            }
        }
    }

    @Test func concurrentStartsFromThreadsShareOneCluster() throws {
        try withCluster { cluster, _ in
            let results = Collected<Result<EmbeddedConnectionTarget, EmbeddedPostgresError>>()
            let done = DispatchGroup()
            for _ in 0..<3 {
                done.enter()
                // Separate values and threads: each opens its own descriptor on the lock file.
                let copy = EmbeddedCluster(folder: cluster.folder, logger: quietLogger)
                Thread.detachNewThread {
                    results.append(Result { () throws(EmbeddedPostgresError) in try copy.start() })
                    done.leave()
                }
            }
            done.wait()
            let targets = try results.all.map { try $0.get() }
            #expect(targets.count == 3)
            #expect(Set(targets.map(\.url)).count == 1)
            guard case .running(let pid) = try cluster.status() else {
                Issue.record("status is not running after concurrent starts")
                return
            }
            #expect(cluster.postmasterPid() == pid)
            #expect(try query("select count(*) from pg_database where datname = 'consult'", targets[0]) == "1")
        }
    }

    @Test func startWaitsForALockHeldByAnotherProcess() throws {
        try withCluster { cluster, _ in
            try cluster.ensureFolder()
            let holder = Process()
            holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
            holder.arguments = [cluster.layout.lockFile, "sleep", "1.5"]
            try holder.run()
            defer { holder.waitUntilExit() }
            try waitUntilLocked(cluster.layout.lockFile)

            let began = Date()
            try cluster.start()
            #expect(Date().timeIntervalSince(began) >= 1.0)
            #expect(!holder.isRunning)
        }
    }

    @Test func startRecoversAfterTheServerWasKilled() throws {
        try withCluster { cluster, _ in
            try cluster.start()
            guard case .running(let pid) = try cluster.status() else {
                Issue.record("status is not running after start")
                return
            }
            #expect(kill(pid_t(pid), SIGKILL) == 0)
            for _ in 0..<100 where FileManager.default.fileExists(atPath: "/proc/\(pid)") {
                usleep(50_000)
            }
            #expect(try cluster.status() == .stopped)
            let target = try cluster.start()
            guard case .running(let newPid) = try cluster.status() else {
                Issue.record("status is not running after restart")
                return
            }
            #expect(newPid != pid)
            #expect(try query("select 1", target) == "1")
        }
    }

    @Test func failedInitdbLeavesNoPartialCluster() throws {
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
        defer {
            try? cluster.destroy()
            try? FileManager.default.removeItem(atPath: temporary)
        }
        let error = #expect(throws: EmbeddedPostgresError.self) { try cluster.start() }
        #expect(error?.kind == .initFailed)
        #expect(error?.message.contains("boom") == true)
        #expect(!FileManager.default.fileExists(atPath: cluster.layout.stagingDirectory))
        #expect(!FileManager.default.fileExists(atPath: cluster.layout.dataDirectory))
        #expect(try cluster.status() == .notCreated)
    }

    @Test func socketPathTooLongIsRefusedBeforeTouchingAnything() throws {
        let temporary = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        let folder = temporary + "/" + String(repeating: "long-folder-name/", count: 6) + "consult"
        let cluster = EmbeddedCluster(
            folder: folder, logger: quietLogger,
            environment: ProcessInfo.processInfo.environment, privileged: false
        )
        let error = #expect(throws: EmbeddedPostgresError.self) { try cluster.start() }
        #expect(error?.kind == .pathTooLong)
        #expect(error?.message.contains("107") == true)
        #expect(!FileManager.default.fileExists(atPath: folder))
    }

    @Test func missingServerUserIsReported() throws {
        let temporary = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        var environment = ProcessInfo.processInfo.environment
        environment["CONSULT_SERVER_USER"] = "no-such-consult-user"
        let cluster = EmbeddedCluster(
            folder: temporary + "/consult", logger: quietLogger,
            environment: environment, privileged: true,
            binaries: ServerBinaries(directory: "/usr/lib/postgresql/15/bin")
        )
        let error = #expect(throws: EmbeddedPostgresError.self) { try cluster.start() }
        #expect(error?.kind == .serverUserMissing)
        #expect(error?.message.contains("no-such-consult-user") == true)
        #expect(error?.message.contains("CONSULT_SERVER_USER") == true)
    }
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
