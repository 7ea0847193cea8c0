import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A child process started with `posix_spawn`, its standard streams on files.
///
/// The tests start thousands of processes; Foundation's `Process.run()` on Linux reads past a
/// buffer while listing /proc/self/fd and crashed the test process now and then (seen here, and
/// swiftlang/swift-corelibs-foundation#5472), so the tests do not use it.
public final class SpawnedProcess: Sendable {
    public let pid: pid_t
    /// The wait status once the child has been reaped.
    private let reaped = Mutex<Int32?>(nil)

    private init(pid: pid_t) {
        self.pid = pid
    }

    /// Starts `executable` with `arguments` and exactly `environment`; stdin from `input` (or
    /// /dev/null), stdout and stderr to the given files (created or truncated).
    public static func spawn(
        _ executable: String, _ arguments: [String], environment: [String: String], input: String?,
        output: String, error: String
    ) throws -> SpawnedProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, input ?? "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, error, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigfillset(&defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard status == 0 else {
            throw CocoaError(
                .executableLoad,
                userInfo: [
                    NSLocalizedDescriptionKey: "could not start \(executable): \(String(cString: strerror(status)))"
                ])
        }
        return SpawnedProcess(pid: pid)
    }

    /// Runs a program to its end, waiting without blocking a thread (see `BlockingWork`): its exit
    /// code (or 128 + the signal that ended it) and what it wrote to stderr. Stdout goes to `output`.
    public static func run(
        _ executable: String, _ arguments: [String],
        environment: [String: String] = ProcessInfo.processInfo.environment, input: String? = nil,
        output: String = "/dev/null"
    ) async throws -> (status: Int32, stderr: String) {
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent("spawned-\(UUID().uuidString).err")
        defer { try? FileManager.default.removeItem(at: errors) }
        let child = try spawn(
            executable, arguments, environment: environment, input: input, output: output, error: errors.path)
        try await child.wait()
        return (child.terminationStatus ?? -1, (try? String(contentsOf: errors, encoding: .utf8)) ?? "")
    }

    /// Reaps the child if it has exited; true while it runs.
    public var isRunning: Bool {
        reaped.withLock { status in
            if status != nil { return false }
            var value: Int32 = 0
            let result = waitpid(pid, &value, WNOHANG)
            if result == pid {
                status = value
                return false
            }
            return result == 0
        }
    }

    /// Waits until the child has exited (polling, so no thread is blocked).
    public func wait() async throws {
        while isRunning { try await Task.sleep(for: .milliseconds(2)) }
    }

    /// The exit code, or 128 + the signal that ended it; nil while it runs.
    public var terminationStatus: Int32? {
        guard !isRunning, let status = reaped.withLock({ $0 }) else { return nil }
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }

    /// Whether a signal ended it.
    public var terminatedBySignal: Bool {
        guard !isRunning, let status = reaped.withLock({ $0 }) else { return false }
        return status & 0x7F != 0
    }
}
