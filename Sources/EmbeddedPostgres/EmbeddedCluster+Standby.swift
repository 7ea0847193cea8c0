import Foundation

extension EmbeddedCluster {
    /// Creates this cluster as a hot standby of `primary`, which must be running: a base backup
    /// over the primary's socket with streaming replication configured (`pg_basebackup -R`), then
    /// this cluster's own socket settings, so that `start()` starts it in recovery beside the
    /// primary. For trying `consult serve --read-url` on one machine, and for its tests.
    public func createStandby(of primary: EmbeddedCluster) async throws(EmbeddedPostgresError) {
        try checkSocketPathLength()
        let context = try await makeContext()
        try ensureFolder()
        try await FileLock(path: layout.lockFile).withExclusiveLock { () async throws(EmbeddedPostgresError) in
            guard !isCreated else {
                throw EmbeddedPostgresError(
                    .initFailed, "\(layout.dataDirectory) holds a cluster already; a standby needs an empty folder.")
            }
            if layout.privileged {
                let base = (layout.clusterRoot as NSString).deletingLastPathComponent
                try makeDirectory(base, mode: 0o755, owner: nil)
                try makeDirectory(layout.clusterRoot, mode: 0o700, owner: context.serverUser)
            }
            if FileManager.default.fileExists(atPath: layout.stagingDirectory) { try remove(layout.stagingDirectory) }
            let backup = (context.binaries.directory as NSString).appendingPathComponent("pg_basebackup")
            let result = try await context.runner.run(
                backup,
                [
                    "-D", layout.stagingDirectory, "-h", primary.layout.socketDirectory,
                    "-p", String(ClusterLayout.port), "-U", Self.databaseName, "-R", "-X", "stream", "-c", "fast",
                ],
                as: context.serverUser, in: layout.clusterRoot, failureKind: .initFailed)
            guard result.succeeded else {
                try? remove(layout.stagingDirectory)
                throw EmbeddedPostgresError(
                    .initFailed, "pg_basebackup failed (\(result.statusText)).\n\(result.diagnostics)")
            }
            // The primary's socket settings came with the backup; this cluster's, appended, win.
            try appendSettings(to: (layout.stagingDirectory as NSString).appendingPathComponent("postgresql.conf"))
            do {
                try FileManager.default.moveItem(atPath: layout.stagingDirectory, toPath: layout.dataDirectory)
                if layout.privileged {
                    try Data((layout.clusterRoot + "\n").utf8).write(to: URL(fileURLWithPath: layout.locationFile))
                }
            } catch {
                throw EmbeddedPostgresError(
                    .initFailed,
                    "Could not move the standby into \(layout.dataDirectory): \(error.localizedDescription).")
            }
        }
    }
}
