import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a finished child process left behind.
struct ProcessResult: Sendable {
    /// The exit code, or the signal number when `signaled`.
    var status: Int32
    /// Whether a signal ended the process.
    var signaled: Bool
    /// Everything written to standard output.
    var output: String
    /// Everything written to standard error.
    var errorOutput: String

    /// Whether the process exited with code 0.
    var succeeded: Bool { !signaled && status == 0 }

    /// Standard error and standard output, trimmed, for error messages.
    var diagnostics: String {
        let parts = [errorOutput, output]
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }
        return parts.isEmpty ? "(no output)" : parts.joined(separator: "\n")
    }

    /// "exit code N" or "signal N".
    var statusText: String { signaled ? "signal \(status)" : "exit code \(status)" }
}

/// Runs a program to completion with a fixed environment, optionally as another OS user through `runuser`.
///
/// Foundation's `Process` is deliberately not used: on Linux it learns that a child exited through a socket the
/// child inherits, and `pg_ctl start` passes that socket on to the long-lived postmaster, so `waitUntilExit()`
/// never returns. Here the child gets only standard input (`/dev/null`), output and error; every other descriptor
/// is closed before `exec`, and the child is reaped with `waitpid`.
struct ProcessRunner: Sendable {
    /// The complete environment given to every child.
    var environment: [String: String]
    /// Where each command is logged at debug level.
    var logger: Logger

    /// Runs `executable` (an absolute path) with `arguments` and waits for it to finish.
    ///
    /// - Parameters:
    ///   - user: when set, the command runs as `runuser -u NAME -- executable arguments…`.
    ///   - directory: the working directory; when running as another user it must be one that user can enter,
    ///     or PostgreSQL's programs warn that they cannot change into it.
    ///   - failureKind: the error kind thrown when the program cannot be launched at all.
    func run(
        _ executable: String,
        _ arguments: [String],
        as user: ServerUser? = nil,
        in directory: String? = nil,
        failureKind: EmbeddedPostgresError.Kind
    ) throws(EmbeddedPostgresError) -> ProcessResult {
        var argv = [executable] + arguments
        if let user {
            argv = [user.runuserPath, "-u", user.name, "--"] + argv
        }
        logger.debug("Running \(argv.joined(separator: " "))")

        guard let outputPipe = Self.makePipe(), let errorPipe = Self.makePipe() else {
            throw EmbeddedPostgresError(failureKind, "Could not create a pipe to run \(argv[0]): \(systemError()).")
        }
        let pid: pid_t
        do {
            defer {
                close(outputPipe.write)
                close(errorPipe.write)
            }
            pid = try spawn(
                argv, directory: directory ?? "/", output: outputPipe.write, error: errorPipe.write,
                failureKind: failureKind)
        } catch {
            close(outputPipe.read)
            close(errorPipe.read)
            throw error
        }
        // Both pipes are drained together so a child filling one of them cannot block forever.
        let captured = Self.drain([outputPipe.read, errorPipe.read])
        close(outputPipe.read)
        close(errorPipe.read)

        var waitStatus: Int32 = 0
        while waitpid(pid, &waitStatus, 0) < 0 {
            guard errno == EINTR else {
                throw EmbeddedPostgresError(failureKind, "Could not wait for \(argv[0]): \(systemError()).")
            }
        }
        let signal = waitStatus & 0x7F
        return ProcessResult(
            status: signal == 0 ? (waitStatus >> 8) & 0xFF : signal,
            signaled: signal != 0,
            output: String(decoding: captured[0], as: UTF8.self),
            errorOutput: String(decoding: captured[1], as: UTF8.self)
        )
    }

    private func spawn(
        _ argv: [String],
        directory: String,
        output: Int32,
        error: Int32,
        failureKind: EmbeddedPostgresError.Kind
    ) throws(EmbeddedPostgresError) -> pid_t {
        var actions = FileActions()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, output, 1)
        posix_spawn_file_actions_adddup2(&actions, error, 2)
        Self.closeOtherDescriptors(&actions)
        if let addChdir = Self.cFunction("posix_spawn_file_actions_addchdir_np", as: AddChdir.self) {
            _ = addChdir(&actions, directory)
        }

        var attributes = SpawnAttributes()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Children start with default signal handling and nothing blocked, whatever this process set up.
        var defaults = sigset_t()
        sigfillset(&defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var flags = Int32(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)
        #if canImport(Darwin)
            flags |= Int32(POSIX_SPAWN_CLOEXEC_DEFAULT)
        #endif
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        let cEnvironment: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (cArguments + cEnvironment).forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, argv[0], &actions, &attributes, cArguments, cEnvironment)
        guard status == 0 else {
            throw EmbeddedPostgresError(
                failureKind,
                "Could not run \(argv[0]): \(String(cString: strerror(status)))."
            )
        }
        return pid
    }

    // MARK: - Descriptors

    #if canImport(Darwin)
        private typealias FileActions = posix_spawn_file_actions_t?
        private typealias SpawnAttributes = posix_spawnattr_t?
    #else
        private typealias FileActions = posix_spawn_file_actions_t
        private typealias SpawnAttributes = posix_spawnattr_t
    #endif
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<FileActions>, Int32) -> Int32
    private typealias AddChdir = @convention(c) (UnsafeMutablePointer<FileActions>, UnsafePointer<CChar>) -> Int32
    private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32

    /// Looks up a C library function that Swift's Glibc module hides behind `_GNU_SOURCE`.
    private static func cFunction<Function>(_ name: String, as type: Function.Type) -> Function? {
        #if canImport(Darwin)
            let handle = UnsafeMutableRawPointer(bitPattern: -2)  // RTLD_DEFAULT
        #else
            let handle: UnsafeMutableRawPointer? = nil  // RTLD_DEFAULT
        #endif
        guard let symbol = dlsym(handle, name) else { return nil }
        return unsafeBitCast(symbol, to: type)
    }

    /// Closes every descriptor above 2 in the child: `addclosefrom_np` (glibc 2.34+), else each open one listed in
    /// /proc/self/fd (Darwin uses `POSIX_SPAWN_CLOEXEC_DEFAULT` instead).
    private static func closeOtherDescriptors(_ actions: inout FileActions) {
        #if !canImport(Darwin)
            if let closeFrom = cFunction("posix_spawn_file_actions_addclosefrom_np", as: AddCloseFrom.self) {
                _ = closeFrom(&actions, 3)
                return
            }
            let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
            for descriptor in open.compactMap({ Int32($0) }) where descriptor > 2 {
                posix_spawn_file_actions_addclose(&actions, descriptor)
            }
        #endif
    }

    /// A pipe whose ends are close-on-exec, so children spawned by other threads do not inherit them.
    private static func makePipe() -> (read: Int32, write: Int32)? {
        var descriptors: [Int32] = [-1, -1]
        if let pipe2 = cFunction("pipe2", as: Pipe2.self) {
            guard pipe2(&descriptors, O_CLOEXEC) == 0 else { return nil }
        } else {
            guard pipe(&descriptors) == 0 else { return nil }
            _ = fcntl(descriptors[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(descriptors[1], F_SETFD, FD_CLOEXEC)
        }
        return (descriptors[0], descriptors[1])
    }

    /// Reads every descriptor until end of file, using `poll` so that neither can stall the other.
    private static func drain(_ descriptors: [Int32]) -> [[UInt8]] {
        var buffers = descriptors.map { _ in [UInt8]() }
        var open = descriptors.map { _ in true }
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while open.contains(true) {
            let indices = descriptors.indices.filter { open[$0] }
            var pollSet = indices.map { pollfd(fd: descriptors[$0], events: Int16(POLLIN), revents: 0) }
            let ready = poll(&pollSet, nfds_t(pollSet.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            for (position, index) in indices.enumerated() where pollSet[position].revents != 0 {
                let count = chunk.withUnsafeMutableBytes { read(descriptors[index], $0.baseAddress, $0.count) }
                if count > 0 {
                    buffers[index].append(contentsOf: chunk[0..<count])
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    open[index] = false
                }
            }
        }
        return buffers
    }
}
