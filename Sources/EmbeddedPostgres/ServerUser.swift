import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The unprivileged OS user that runs the server when `consult` itself runs as root.
struct ServerUser: Sendable, Equatable {
    /// The login name.
    var name: String
    /// The numeric user id.
    var uid: uid_t
    /// The primary group id.
    var gid: gid_t
    /// The `runuser` program used to switch to this user.
    var runuserPath: String

    /// The environment variable naming the server user.
    static let environmentKey = "CONSULT_SERVER_USER"
    /// The server user when the environment names none.
    static let defaultName = "postgres"

    /// Finds the user named by `CONSULT_SERVER_USER` (default `postgres`) and the `runuser` program.
    static func resolve(environment: [String: String]) throws(EmbeddedPostgresError) -> ServerUser {
        let configured = environment[environmentKey]?.trimmingCharacters(in: .whitespaces) ?? ""
        let name = configured.isEmpty ? defaultName : configured
        guard let entry = lookUp(name) else {
            throw EmbeddedPostgresError(
                .serverUserMissing,
                "PostgreSQL refuses to run as root and the OS user '\(name)' to run it does not exist; "
                    + "create it (for example `useradd --system \(name)`) or set \(environmentKey) "
                    + "to an existing unprivileged user."
            )
        }
        guard entry.uid != 0 else {
            throw EmbeddedPostgresError(
                .serverUserMissing,
                "PostgreSQL refuses to run as root and \(environmentKey) names '\(name)', which is root too; "
                    + "set \(environmentKey) to an unprivileged user."
            )
        }
        guard let runuser = findRunuser(environment: environment) else {
            throw EmbeddedPostgresError(
                .serverUserMissing,
                "PostgreSQL refuses to run as root and the runuser program needed to run it as '\(name)' "
                    + "was not found; install the util-linux package."
            )
        }
        return ServerUser(name: name, uid: entry.uid, gid: entry.gid, runuserPath: runuser)
    }

    /// The passwd entry for `name`, via the thread-safe `getpwnam_r`.
    static func lookUp(_ name: String) -> (uid: uid_t, gid: gid_t)? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        let status = getpwnam_r(name, &entry, &buffer, buffer.count, &result)
        guard status == 0, result != nil else { return nil }
        return (entry.pw_uid, entry.pw_gid)
    }

    /// The home folder of the user with id `uid`, if the passwd database knows one.
    static func homeDirectory(of uid: uid_t) -> String? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        let status = getpwuid_r(uid, &entry, &buffer, buffer.count, &result)
        guard status == 0, result != nil, let home = entry.pw_dir else { return nil }
        let path = String(cString: home)
        return path.isEmpty ? nil : path
    }

    private static func findRunuser(environment: [String: String]) -> String? {
        let pathDirectories = (environment["PATH"] ?? "").split(separator: ":").map(String.init)
        let candidates = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"] + pathDirectories
        return
            candidates
            .map { ($0 as NSString).appendingPathComponent("runuser") }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
