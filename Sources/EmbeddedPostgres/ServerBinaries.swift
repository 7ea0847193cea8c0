import Foundation
import Logging

/// The folder holding PostgreSQL's server programs `initdb`, `pg_ctl` and `postgres`.
public struct ServerBinaries: Sendable, Equatable {
    /// The folder, with symbolic links resolved (for example `/usr/lib/postgresql/15/bin`).
    public var directory: String

    /// The programs that must all be in one folder.
    public static let requiredPrograms = ["initdb", "pg_ctl", "postgres"]

    /// Wraps a folder that is known to hold the server programs.
    public init(directory: String) {
        self.directory = directory
    }

    /// Finds the server programs: on `PATH` (all three in one folder after resolving symbolic links), then in
    /// `pg_config --bindir`, then in `/usr/lib/postgresql/*/bin`, newest major version first.
    ///
    /// Throws ``EmbeddedPostgresError/Kind-swift.enum/serverBinariesNotFound`` when none qualifies.
    public static func locate(environment: [String: String]) async throws(EmbeddedPostgresError) -> ServerBinaries {
        try locate(candidates: await candidateDirectories(environment: environment))
    }

    /// Picks the first of `candidates` that holds all of ``requiredPrograms`` (after resolving symbolic links),
    /// or throws the "install the postgresql package" error naming the folders searched.
    public static func locate(candidates: [String]) throws(EmbeddedPostgresError) -> ServerBinaries {
        for candidate in candidates {
            let resolved = resolvedDirectory(candidate)
            if holdsServerPrograms(resolved) {
                return ServerBinaries(directory: resolved)
            }
        }
        let searched = candidates.isEmpty ? "nowhere (no candidate folders)" : candidates.joined(separator: ", ")
        throw EmbeddedPostgresError(
            .serverBinariesNotFound,
            "PostgreSQL server programs (initdb, pg_ctl, postgres) were not found; install the postgresql package "
                + "(for example `apt-get install postgresql`) or put its bin folder on PATH. Searched: \(searched)."
        )
    }

    /// The folders to try, in order and without duplicates: for each `PATH` entry with a `pg_ctl`, the folder that
    /// `pg_ctl` really lives in; then `pg_config --bindir`; then `/usr/lib/postgresql/*/bin`, newest first.
    public static func candidateDirectories(environment: [String: String]) async -> [String] {
        var candidates: [String] = []
        let pathDirectories = (environment["PATH"] ?? "")
            .split(separator: ":", omittingEmptySubsequences: true)
            .map(String.init)
        for directory in pathDirectories {
            let pgCtl = (directory as NSString).appendingPathComponent("pg_ctl")
            if FileManager.default.isExecutableFile(atPath: pgCtl) {
                candidates.append(((pgCtl as NSString).resolvingSymlinksInPath as NSString).deletingLastPathComponent)
            }
        }
        if let bindir = await pgConfigBindir(pathDirectories: pathDirectories, environment: environment) {
            candidates.append(bindir)
        }
        candidates += versionedDirectories(under: "/usr/lib/postgresql")
        var seen = Set<String>()
        return candidates.filter { seen.insert($0).inserted }
    }

    /// The path of `name` inside ``directory``, or on `PATH` if this folder lacks it (client programs such as
    /// `psql` come from a separate package on some systems).
    func program(_ name: String, environment: [String: String]) -> String? {
        let own = (directory as NSString).appendingPathComponent(name)
        if FileManager.default.isExecutableFile(atPath: own) { return own }
        for directory in (environment["PATH"] ?? "").split(separator: ":").map(String.init) {
            let path = (directory as NSString).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// `/usr/lib/postgresql/<version>/bin` folders that exist, newest major version first.
    static func versionedDirectories(under root: String) -> [String] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: root) else { return [] }
        let versioned = entries.compactMap { entry -> (version: [Int], name: String)? in
            let parts = entry.split(separator: ".", omittingEmptySubsequences: false).map { Int($0) }
            guard !parts.isEmpty, !parts.contains(nil) else { return nil }
            return (parts.compactMap { $0 }, entry)
        }
        return
            versioned
            .sorted { $0.version.lexicographicallyPrecedes($1.version) }
            .reversed()
            .map { "\(root)/\($0.name)/bin" }
    }

    private static func resolvedDirectory(_ directory: String) -> String {
        (directory as NSString).resolvingSymlinksInPath
    }

    private static func holdsServerPrograms(_ directory: String) -> Bool {
        requiredPrograms.allSatisfy {
            FileManager.default.isExecutableFile(atPath: (directory as NSString).appendingPathComponent($0))
        }
    }

    /// Runs the first `pg_config` found on `PATH` or in the usual system folders and returns its `--bindir`.
    private static func pgConfigBindir(pathDirectories: [String], environment: [String: String]) async -> String? {
        let searchFolders = pathDirectories + ["/usr/bin", "/usr/local/bin"]
        guard
            let pgConfig =
                searchFolders
                .map({ ($0 as NSString).appendingPathComponent("pg_config") })
                .first(where: { FileManager.default.isExecutableFile(atPath: $0) })
        else { return nil }
        let runner = ProcessRunner(
            environment: ["PATH": "/usr/local/bin:/usr/bin:/bin", "LC_ALL": "C"],
            logger: Logger(label: "consult.embedded")
        )
        guard let result = try? await runner.run(pgConfig, ["--bindir"], failureKind: .serverBinariesNotFound),
            result.succeeded
        else { return nil }
        let bindir = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        return bindir.hasPrefix("/") ? bindir : nil
    }
}
