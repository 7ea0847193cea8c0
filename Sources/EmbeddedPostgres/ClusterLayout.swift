import Foundation

/// Where the embedded cluster's files live.
///
/// Unprivileged: everything is inside the consult folder. As root: the server user cannot enter root's home, so the
/// data, socket and log live in `/var/lib/consult/<hash of the consult folder>/`, owned by the server user, while the
/// consult folder keeps only the lock file and `cluster-location`.
struct ClusterLayout: Sendable, Equatable {
    /// The absolute consult folder.
    var folder: String
    /// Whether the server runs as a separate unprivileged user (because `consult` runs as root).
    var privileged: Bool
    /// The folder holding `data`, `run` and `server.log`: the consult folder, or the one under `/var/lib/consult`.
    var clusterRoot: String

    /// Where privileged clusters are kept.
    static let privilegedBase = "/var/lib/consult"
    /// The port that names the socket file.
    static let port = 5432
    /// Longest Unix socket path: `sun_path` holds 108 bytes including the terminating NUL.
    static let maximumSocketPathBytes = 107

    /// Lays out the cluster for `folder` (made absolute and normalized).
    init(folder: String, privileged: Bool, privilegedBase: String = ClusterLayout.privilegedBase) {
        let absolute = URL(fileURLWithPath: folder).standardizedFileURL.path
        self.folder = absolute
        self.privileged = privileged
        self.clusterRoot =
            privileged
            ? (privilegedBase as NSString).appendingPathComponent(Self.folderHash(absolute))
            : absolute
    }

    /// `PGDATA`.
    var dataDirectory: String { path(clusterRoot, "data") }
    /// Where `initdb` works before the finished cluster is renamed to ``dataDirectory``.
    var stagingDirectory: String { path(clusterRoot, "data.init") }
    /// The folder of the server's Unix socket.
    var socketDirectory: String { path(clusterRoot, "run") }
    /// The server log written by `pg_ctl -l`.
    var logFile: String { path(clusterRoot, "server.log") }
    /// `PG_VERSION` inside the data directory: present once the cluster was created.
    var versionFile: String { path(dataDirectory, "PG_VERSION") }
    /// The lock serializing start, stop and destroy across processes.
    var lockFile: String { path(folder, "lock") }
    /// Records ``clusterRoot`` for people and tools when it is outside the consult folder.
    var locationFile: String { path(folder, "cluster-location") }
    /// The socket file itself.
    var socketPath: String { path(socketDirectory, ".s.PGSQL.\(Self.port)") }

    /// FNV-1a 64 of the path's UTF-8 bytes as 16 lowercase hex digits: stable across runs and platforms.
    static func folderHash(_ path: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in path.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    private func path(_ base: String, _ component: String) -> String {
        (base as NSString).appendingPathComponent(component)
    }
}
