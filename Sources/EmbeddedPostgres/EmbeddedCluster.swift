import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A private PostgreSQL cluster that `consult` creates and starts on first use when no database URL is configured.
///
/// It listens only on a Unix socket (no TCP) and trusts local connections as the `consult` role. Unprivileged, the
/// consult folder holds `data/` (PGDATA), `run/` (the socket) and `server.log`. As root, the server runs as
/// `CONSULT_SERVER_USER` (default `postgres`) through `runuser`, and those files live in
/// `/var/lib/consult/<hash>/`, recorded in `<folder>/cluster-location`. Start, stop and destroy hold an exclusive
/// `flock` on `<folder>/lock`, so concurrent processes take turns instead of corrupting the cluster. The programs
/// run through swift-subprocess, so the methods that run them are `async` and wait without blocking a thread of
/// the cooperative pool.
public struct EmbeddedCluster: Sendable {
    /// The absolute consult folder.
    public let folder: String
    let logger: Logger
    let environment: [String: String]
    let layout: ClusterLayout
    /// Used instead of ``ServerBinaries/locate(environment:)`` when set (tests inject fake programs).
    let binariesOverride: ServerBinaries?

    /// The database role and database name.
    static let databaseName = "consult"

    /// `folder` is the consult folder (`$XDG_DATA_HOME/consult`); nothing is touched until a method runs.
    public init(
        folder: String,
        logger: Logger = Logger(label: "consult.embedded"),
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.init(folder: folder, logger: logger, environment: environment, privileged: geteuid() == 0)
    }

    init(
        folder: String,
        logger: Logger,
        environment: [String: String],
        privileged: Bool,
        binaries: ServerBinaries? = nil
    ) {
        self.layout = ClusterLayout(folder: folder, privileged: privileged)
        self.folder = layout.folder
        self.logger = logger
        self.environment = environment
        self.binariesOverride = binaries
    }

    /// `$XDG_DATA_HOME/consult`, default `~/.local/share/consult` (`HOME` from `environment`, else the passwd
    /// entry); a relative `XDG_DATA_HOME` is ignored as the XDG Base Directory specification requires.
    public static func defaultFolder(environment: [String: String]) -> String {
        if let dataHome = environment["XDG_DATA_HOME"], dataHome.hasPrefix("/") {
            return (dataHome as NSString).appendingPathComponent("consult")
        }
        let home =
            environment["HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ServerUser.homeDirectory(of: geteuid())
            ?? "/"
        return (home as NSString).appendingPathComponent(".local/share/consult")
    }

    /// Where the cluster would be reached, without starting it.
    public var connectionTarget: EmbeddedConnectionTarget {
        EmbeddedConnectionTarget(
            socketDirectory: layout.socketDirectory,
            port: ClusterLayout.port,
            user: Self.databaseName,
            database: Self.databaseName
        )
    }

    /// Creates (first use) and starts the cluster if needed, waits until it accepts connections and ensures the
    /// `consult` database exists; idempotent and safe to call concurrently from several tasks or processes.
    /// Returns how to connect.
    @discardableResult
    public func start() async throws(EmbeddedPostgresError) -> EmbeddedConnectionTarget {
        try checkSocketPathLength()
        let context = try await makeContext()
        try ensureFolder()
        try await FileLock(path: layout.lockFile).withExclusiveLock { () async throws(EmbeddedPostgresError) in
            try await ensureCreated(context)
            try await ensureRunning(context)
            try await ensureDatabase(context)
        }
        return connectionTarget
    }

    /// Stops the server (fast shutdown: open sessions are ended) and waits until it is down.
    ///
    /// Does nothing when the server is not running or the cluster was never created.
    public func stop() async throws(EmbeddedPostgresError) {
        guard isCreated else { return }
        let context = try await makeContext()
        try ensureFolder()
        try await FileLock(path: layout.lockFile).withExclusiveLock { () async throws(EmbeddedPostgresError) in
            try await stopServer(context)
        }
    }

    /// Whether the cluster exists and whether a server runs on it.
    ///
    /// Throws ``EmbeddedPostgresError/Kind-swift.enum/startFailed`` when `pg_ctl status` gives no clear answer.
    public func status() async throws(EmbeddedPostgresError) -> EmbeddedClusterStatus {
        guard isCreated else { return .notCreated }
        return try await currentStatus(makeContext())
    }

    /// Stops the server and removes the cluster's data, socket folder, log and (as root) its folder under
    /// `/var/lib/consult`; the consult folder itself and its lock file stay. Used by tests.
    public func destroy() async throws(EmbeddedPostgresError) {
        guard hasFiles else { return }
        try ensureFolder()
        try await FileLock(path: layout.lockFile).withExclusiveLock { () async throws(EmbeddedPostgresError) in
            if isCreated {
                try await stopServer(makeContext())
            }
            try removeClusterFiles()
        }
    }

    /// Does what ``destroy()`` does while blocking the calling thread and starting no program; for `atexit`
    /// handlers and `defer` blocks, which cannot `await`.
    ///
    /// At exit, swift-subprocess's process monitor may already be shut down (its own `atexit` handler stops its
    /// thread, and handlers run in reverse order of registration), so spawning `pg_ctl` there could wait forever.
    /// Instead the server is stopped the way `pg_ctl stop -m fast` does it: SIGINT to the postmaster named in
    /// `postmaster.pid`, then wait (at most 60 seconds, like `pg_ctl -t 60`) until the server has removed that
    /// file. Async code that can await should call ``destroy()``: this one holds its thread until the server is
    /// down.
    public func destroyBlocking() throws(EmbeddedPostgresError) {
        guard hasFiles else { return }
        try ensureFolder()
        try FileLock(path: layout.lockFile).withExclusiveLockBlocking { () throws(EmbeddedPostgresError) in
            try signalServerToStopAndWait()
            try removeClusterFiles()
        }
    }

    /// Whether anything of the cluster may exist.
    private var hasFiles: Bool {
        FileManager.default.fileExists(atPath: layout.folder)
            || FileManager.default.fileExists(atPath: layout.clusterRoot)
    }

    /// Removes the data, staging and socket folders, the log and (as root) the cluster root and its location file.
    private func removeClusterFiles() throws(EmbeddedPostgresError) {
        var doomed = [layout.dataDirectory, layout.stagingDirectory, layout.socketDirectory, layout.logFile]
        if layout.privileged {
            doomed += [layout.clusterRoot, layout.locationFile]
        }
        let present = doomed.filter { FileManager.default.fileExists(atPath: $0) }
        for path in present {
            try remove(path)
        }
        if !present.isEmpty {
            logger.info("Removed the embedded PostgreSQL cluster", metadata: ["folder": "\(layout.clusterRoot)"])
        }
    }

    /// `pg_ctl stop -m fast -w -t 60` without `pg_ctl`: SIGINT to the postmaster, then wait for `postmaster.pid`
    /// to go. Nothing to do when there is no pid file or its process is gone (a server that was killed).
    private func signalServerToStopAndWait() throws(EmbeddedPostgresError) {
        guard let pid = postmasterPid() else { return }
        guard pid > 0, let processID = pid_t(exactly: pid) else {
            // A negative pid is a single-user backend, which pg_ctl also refuses to stop.
            throw EmbeddedPostgresError(
                .stopFailed, "The embedded PostgreSQL server was not stopped: postmaster.pid names no postmaster.")
        }
        let pidFile = (layout.dataDirectory as NSString).appendingPathComponent("postmaster.pid")
        // pg_ctl signals as the server user, so it can never hit another user's process that reused the pid of a
        // killed server; signalling as root could, so a process not owned by the pid file's owner is left alone.
        guard processBelongsToOwner(of: pidFile, processID) else { return }
        logger.info("Stopping the embedded PostgreSQL server", metadata: ["data": "\(layout.dataDirectory)"])
        if kill(processID, SIGINT) != 0 {
            guard errno == ESRCH else {
                throw EmbeddedPostgresError(
                    .stopFailed, "Could not signal the embedded PostgreSQL server (pid \(pid)): \(systemError()).")
            }
            return
        }
        for _ in 0..<600 {
            if !FileManager.default.fileExists(atPath: pidFile) { return }
            if kill(processID, 0) != 0, errno == ESRCH { return }
            usleep(100_000)
        }
        throw EmbeddedPostgresError(
            .stopFailed, "The embedded PostgreSQL server (pid \(pid)) did not stop within 60 seconds.")
    }

    /// Whether process `processID` runs as the user that owns `file`; true where that cannot be read (no `/proc`).
    private func processBelongsToOwner(of file: String, _ processID: pid_t) -> Bool {
        var info = stat()
        guard stat(file, &info) == 0,
            let status = try? String(contentsOfFile: "/proc/\(processID)/status", encoding: .utf8)
        else { return true }
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Uid:") }),
            let realUID = line.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().first.flatMap({
                uid_t($0)
            })
        else { return true }
        return realUID == info.st_uid
    }

    // MARK: - Steps

    struct Context: Sendable {
        var binaries: ServerBinaries
        /// The user the server programs run as; nil when they run as the current user.
        var serverUser: ServerUser?
        var runner: ProcessRunner
    }

    var isCreated: Bool {
        FileManager.default.fileExists(atPath: layout.versionFile)
    }

    func makeContext() async throws(EmbeddedPostgresError) -> Context {
        let binaries: ServerBinaries
        if let binariesOverride {
            binaries = binariesOverride
        } else {
            binaries = try await ServerBinaries.locate(environment: environment)
        }
        let serverUser = layout.privileged ? try ServerUser.resolve(environment: environment) : nil
        return Context(
            binaries: binaries, serverUser: serverUser,
            runner: ProcessRunner(
                environment: childEnvironment(),
                logger: logger
            ))
    }

    /// PostgreSQL programs get a fixed environment: no inherited `PG*` variables can redirect them.
    func childEnvironment() -> [String: String] {
        let locale = Self.cUTF8LocaleAvailable ? "C.UTF-8" : "C"
        var result = [
            "PATH": environment["PATH"].flatMap { $0.isEmpty ? nil : $0 } ?? "/usr/local/bin:/usr/bin:/bin",
            "LANG": locale,
            "LC_ALL": locale,
            "PGCONNECT_TIMEOUT": "10",
        ]
        if let timeZone = environment["TZ"] {
            result["TZ"] = timeZone
        }
        return result
    }

    func checkSocketPathLength() throws(EmbeddedPostgresError) {
        let length = layout.socketPath.utf8.count
        guard length <= ClusterLayout.maximumSocketPathBytes else {
            throw EmbeddedPostgresError(
                .pathTooLong,
                "The embedded PostgreSQL socket path \(layout.socketPath) is \(length) bytes long but Unix sockets "
                    + "allow at most \(ClusterLayout.maximumSocketPathBytes); set XDG_DATA_HOME to a shorter folder."
            )
        }
    }

    /// Creates the consult folder if needed and makes it private (0700).
    func ensureFolder() throws(EmbeddedPostgresError) {
        try makeDirectory(layout.folder, mode: 0o700, owner: nil)
    }

    /// Runs `initdb` into a staging folder and renames it to `data` only once it is complete and configured, so a
    /// crash part-way never leaves a `data` folder that looks like a cluster.
    func ensureCreated(_ context: Context) async throws(EmbeddedPostgresError) {
        guard !isCreated else { return }
        logger.info("Creating the embedded PostgreSQL cluster", metadata: ["data": "\(layout.dataDirectory)"])
        if layout.privileged {
            let base = (layout.clusterRoot as NSString).deletingLastPathComponent
            try makeDirectory(base, mode: 0o755, owner: nil)
            try makeDirectory(layout.clusterRoot, mode: 0o700, owner: context.serverUser)
        }
        for leftover in [layout.dataDirectory, layout.stagingDirectory]
        where FileManager.default.fileExists(atPath: leftover) {
            logger.warning("Removing a partly created cluster", metadata: ["path": "\(leftover)"])
            try remove(leftover)
        }

        var localeArguments = Self.cUTF8LocaleAvailable ? ["--locale=C.UTF-8"] : ["--no-locale"]
        var result = try await runInitdb(context, localeArguments: localeArguments)
        if !result.succeeded, localeArguments != ["--no-locale"], result.errorOutput.contains("locale") {
            logger.warning("initdb rejected the C.UTF-8 locale; retrying with --no-locale")
            try remove(layout.stagingDirectory)
            localeArguments = ["--no-locale"]
            result = try await runInitdb(context, localeArguments: localeArguments)
        }
        guard result.succeeded else {
            try? remove(layout.stagingDirectory)
            throw EmbeddedPostgresError(
                .initFailed,
                "Could not create the embedded PostgreSQL cluster because initdb failed (\(result.statusText)); "
                    + "the partial data folder was removed.\n\(result.diagnostics)"
            )
        }

        try appendSettings(to: (layout.stagingDirectory as NSString).appendingPathComponent("postgresql.conf"))
        do {
            try FileManager.default.moveItem(atPath: layout.stagingDirectory, toPath: layout.dataDirectory)
        } catch {
            throw EmbeddedPostgresError(
                .initFailed,
                "Could not move the new cluster into \(layout.dataDirectory): \(error.localizedDescription)."
            )
        }
        if layout.privileged {
            do {
                try Data((layout.clusterRoot + "\n").utf8).write(to: URL(fileURLWithPath: layout.locationFile))
            } catch {
                throw EmbeddedPostgresError(
                    .io,
                    "Could not write \(layout.locationFile): \(error.localizedDescription)."
                )
            }
        }
    }

    private func runInitdb(
        _ context: Context,
        localeArguments: [String]
    ) async throws(EmbeddedPostgresError) -> ProcessResult {
        let arguments =
            [
                "-D", layout.stagingDirectory, "-U", Self.databaseName, "--auth=trust", "-E", "UTF8",
            ] + localeArguments
        return try await context.runner.run(
            program("initdb", context), arguments,
            as: context.serverUser, in: layout.clusterRoot, failureKind: .initFailed
        )
    }

    /// Appends the settings that keep the server private: no TCP, a socket only its owner may use.
    func appendSettings(to configurationFile: String) throws(EmbeddedPostgresError) {
        let settings = """

            # Added by consult for its embedded cluster: Unix socket only, no TCP.
            listen_addresses = ''
            unix_socket_directories = '\(Self.configurationString(socketDirectoryListEntry(layout.socketDirectory)))'
            unix_socket_permissions = 0700
            port = \(ClusterLayout.port)

            """
        do {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: configurationFile))
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(settings.utf8))
        } catch {
            throw EmbeddedPostgresError(
                .initFailed,
                "Could not write the embedded cluster's settings to \(configurationFile): "
                    + "\(error.localizedDescription)."
            )
        }
    }

    /// `unix_socket_directories` is a comma-separated list; a path with a comma, quote or edge space is quoted.
    private func socketDirectoryListEntry(_ path: String) -> String {
        let needsQuotes = path.contains(",") || path.contains("\"") || path.first == " " || path.last == " "
        guard needsQuotes else { return path }
        return "\"" + path.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Escapes a value for a single-quoted postgresql.conf string.
    static func configurationString(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "''")
    }

    func ensureRunning(_ context: Context) async throws(EmbeddedPostgresError) {
        if case .running = try await currentStatus(context) { return }
        try makeDirectory(layout.socketDirectory, mode: 0o700, owner: context.serverUser)
        if let user = context.serverUser, FileManager.default.fileExists(atPath: layout.logFile) {
            // The log must stay writable by the server user even if root created or rotated it.
            chown(layout.logFile, user.uid, user.gid)
        }
        logger.info("Starting the embedded PostgreSQL server", metadata: ["data": "\(layout.dataDirectory)"])
        var attempts = 0
        while true {
            let result = try await context.runner.run(
                program("pg_ctl", context),
                ["-D", layout.dataDirectory, "-l", layout.logFile, "-w", "-t", "60", "start"],
                as: context.serverUser, in: layout.clusterRoot, failureKind: .startFailed
            )
            if result.succeeded { return }
            if case .running = try? await currentStatus(context) { return }
            // After the server was killed, its backends can hold its shared memory for a moment
            // after the postmaster is gone: PostgreSQL refuses to start until they have exited.
            attempts += 1
            if attempts < 40, logTail().contains("pre-existing shared memory block") {
                try await pauseBeforeRetrying(.startFailed)
                continue
            }
            throw EmbeddedPostgresError(
                .startFailed,
                "The embedded PostgreSQL server did not start (pg_ctl \(result.statusText)); "
                    + "see \(layout.logFile).\n\(result.diagnostics)\n\(logTail())"
            )
        }
    }

    /// Asks `pg_ctl status`: exit code 0 means running, 3 means not running.
    func currentStatus(_ context: Context) async throws(EmbeddedPostgresError) -> EmbeddedClusterStatus {
        let result = try await context.runner.run(
            program("pg_ctl", context), ["-D", layout.dataDirectory, "status"],
            as: context.serverUser, in: layout.clusterRoot, failureKind: .startFailed
        )
        switch (result.signaled, result.status) {
        case (false, 0):
            return .running(pid: Self.pid(fromStatusOutput: result.output) ?? postmasterPid() ?? 0)
        case (false, 3):
            return .stopped
        default:
            throw EmbeddedPostgresError(
                .startFailed,
                "Could not tell whether the embedded PostgreSQL server runs (pg_ctl status \(result.statusText))."
                    + "\n\(result.diagnostics)"
            )
        }
    }

    /// Parses `pg_ctl: server is running (PID: 1234)`.
    static func pid(fromStatusOutput output: String) -> Int? {
        guard let marker = output.range(of: "(PID: ") else { return nil }
        return Int(output[marker.upperBound...].prefix { $0.isNumber })
    }

    /// The first line of `postmaster.pid`.
    func postmasterPid() -> Int? {
        let file = (layout.dataDirectory as NSString).appendingPathComponent("postmaster.pid")
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
        return text.split(separator: "\n").first.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }

    func stopServer(_ context: Context) async throws(EmbeddedPostgresError) {
        guard case .running = try await currentStatus(context) else { return }
        logger.info("Stopping the embedded PostgreSQL server", metadata: ["data": "\(layout.dataDirectory)"])
        let result = try await context.runner.run(
            program("pg_ctl", context), ["-D", layout.dataDirectory, "-m", "fast", "-w", "-t", "60", "stop"],
            as: context.serverUser, in: layout.clusterRoot, failureKind: .stopFailed
        )
        if !result.succeeded, case .running = try await currentStatus(context) {
            throw EmbeddedPostgresError(
                .stopFailed,
                "The embedded PostgreSQL server did not stop (pg_ctl \(result.statusText)).\n\(result.diagnostics)"
            )
        }
    }

    /// Creates the `consult` database unless it exists; client programs run as the current user, like `consult`.
    func ensureDatabase(_ context: Context) async throws(EmbeddedPostgresError) {
        if try await databaseExists(context) { return }
        guard let createdb = context.binaries.program("createdb", environment: environment) else {
            throw EmbeddedPostgresError(
                .databaseFailed,
                "The createdb program was not found next to the server programs or on PATH; "
                    + "install the postgresql-client package."
            )
        }
        logger.info("Creating the consult database")
        let result = try await context.runner.run(
            createdb,
            [
                "-h", layout.socketDirectory, "-p", String(ClusterLayout.port), "-U", Self.databaseName,
                Self.databaseName,
            ],
            failureKind: .databaseFailed
        )
        if !result.succeeded, try await !databaseExists(context) {
            throw EmbeddedPostgresError(
                .databaseFailed,
                "Could not create the consult database (createdb \(result.statusText)).\n\(result.diagnostics)"
            )
        }
    }

    func databaseExists(_ context: Context) async throws(EmbeddedPostgresError) -> Bool {
        guard let psql = context.binaries.program("psql", environment: environment) else {
            throw EmbeddedPostgresError(
                .databaseFailed,
                "The psql program was not found next to the server programs or on PATH; "
                    + "install the postgresql-client package."
            )
        }
        let arguments = [
            "-X", "-A", "-t", "-q", "-h", layout.socketDirectory, "-p", String(ClusterLayout.port),
            "-U", Self.databaseName, "-d", "postgres",
            "-c", "select 1 from pg_database where datname = '\(Self.databaseName)'",
        ]
        var attempts = 0
        while true {
            let result = try await context.runner.run(psql, arguments, failureKind: .databaseFailed)
            if result.succeeded {
                return result.output.trimmingCharacters(in: .whitespacesAndNewlines) == "1"
            }
            attempts += 1
            // A server started outside our lock may still be recovering; pg_ctl -w covers the ones we start.
            guard result.diagnostics.contains("starting up"), attempts < 40 else {
                throw EmbeddedPostgresError(
                    .databaseFailed,
                    "Could not connect to the embedded PostgreSQL server to check for the consult database "
                        + "(psql \(result.statusText)).\n\(result.diagnostics)"
                )
            }
            try await pauseBeforeRetrying(.databaseFailed)
        }
    }

    /// Waits a quarter of a second before trying a step again, without holding a thread.
    private func pauseBeforeRetrying(_ kind: EmbeddedPostgresError.Kind) async throws(EmbeddedPostgresError) {
        do {
            try await Task.sleep(for: .milliseconds(250))
        } catch {
            throw EmbeddedPostgresError(kind, "Gave up waiting for the embedded PostgreSQL server: cancelled.")
        }
    }

    // MARK: - Files

    private func program(_ name: String, _ context: Context) -> String {
        (context.binaries.directory as NSString).appendingPathComponent(name)
    }

    /// Creates `path` (and missing parents), then sets its mode and, if given, hands it to `owner`.
    func makeDirectory(_ path: String, mode: mode_t, owner: ServerUser?) throws(EmbeddedPostgresError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw EmbeddedPostgresError(.io, "Could not create the folder \(path): \(error.localizedDescription).")
        }
        if let owner, chown(path, owner.uid, owner.gid) != 0 {
            throw EmbeddedPostgresError(.io, "Could not give \(path) to the user \(owner.name): \(systemError()).")
        }
        if chmod(path, mode) != 0 {
            throw EmbeddedPostgresError(.io, "Could not set the permissions of \(path): \(systemError()).")
        }
    }

    func remove(_ path: String) throws(EmbeddedPostgresError) {
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            throw EmbeddedPostgresError(.io, "Could not remove \(path): \(error.localizedDescription).")
        }
    }

    /// The last lines of the server log, for start failures.
    private func logTail() -> String {
        guard let text = try? String(contentsOfFile: layout.logFile, encoding: .utf8) else { return "" }
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(15).joined(separator: "\n")
    }

    /// Whether the C library knows the C.UTF-8 locale (built into glibc since 2.35, a Debian patch before).
    static var cUTF8LocaleAvailable: Bool {
        guard let locale = newlocale(LC_CTYPE_MASK | LC_COLLATE_MASK, "C.UTF-8", nil) else { return false }
        freelocale(locale)
        return true
    }
}
