import Foundation
import Logging
import Subprocess

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

/// Runs a program to completion with a fixed environment, optionally as another OS user through `runuser`, with
/// swift-subprocess.
///
/// Foundation's `Process` is deliberately not used: on Linux it learns that a child exited through a socket the
/// child inherits, and `pg_ctl start` passes that socket on to the long-lived postmaster, so `waitUntilExit()`
/// never returns. swift-subprocess gives the child only standard input (`/dev/null`), output and error, closes
/// every other descriptor before `exec`, learns of the exit through a pidfd, and reads both pipes concurrently
/// without blocking a thread of the cooperative pool.
///
/// Why `runuser` and not swift-subprocess's `PlatformOptions.userID`/`groupID`/`supplementaryGroups`: in
/// swift-subprocess 1.0.2 on Linux those options make it create the child with a raw `clone3` system call instead
/// of `posix_spawn`, and the child then calls glibc's `setgroups`/`setgid`/`setuid`. Those functions first
/// synchronise with every thread of the process, and in a child made by a raw `clone3` glibc still lists the
/// parent's threads: one that was being created at that instant is waited for forever. A Swift process always has
/// threads coming and going, and on this project's tests the child hung in `setxid_mark_thread` on the very first
/// cluster created as root (seen with gdb, twice in a row). `runuser` is started through the ordinary
/// `posix_spawn` path, which is safe, and switches user, groups (`initgroups`) and `HOME`/`USER`/`LOGNAME` in a
/// single-threaded process of its own. Revisit when swift-subprocess sets credentials with raw system calls in
/// its forked child (its issue #374 is the same class of bug, about `signal` in that child).
struct ProcessRunner: Sendable {
    /// The complete environment given to every child; nothing of this process's own environment is inherited.
    var environment: [String: String]
    /// Where each command is logged at debug level.
    var logger: Logger

    /// The most output kept from one stream of one program. PostgreSQL's programs print a few kilobytes at most;
    /// the bound only keeps a runaway program from exhausting memory, and reaching it fails the run.
    static let outputLimit = 16 * 1024 * 1024

    /// Runs `executable` (an absolute path) with `arguments` and waits for it to finish.
    ///
    /// - Parameters:
    ///   - user: when set, the command runs as `runuser -u NAME -- executable arguments…`.
    ///   - directory: the working directory (default `/`); when running as another user it must be one that user
    ///     can enter, or PostgreSQL's programs warn that they cannot change into it.
    ///   - failureKind: the error kind thrown when the program cannot be launched at all.
    func run(
        _ executable: String,
        _ arguments: [String],
        as user: ServerUser? = nil,
        in directory: String? = nil,
        failureKind: EmbeddedPostgresError.Kind
    ) async throws(EmbeddedPostgresError) -> ProcessResult {
        var argv = [executable] + arguments
        if let user {
            argv = [user.runuserPath, "-u", user.name, "--"] + argv
        }
        // Only the program and its arguments are logged: secrets never go into arguments, and the environment
        // (which could hold them) is never printed.
        logger.debug("Running \(argv.joined(separator: " "))")
        do {
            let result = try await Subprocess.run(
                .path(.init(argv[0])),
                arguments: Arguments(Array(argv.dropFirst())),
                environment: .custom(
                    Dictionary(
                        uniqueKeysWithValues: environment.compactMap { key, value in
                            Environment.Key(rawValue: key).map { ($0, value) }
                        })),
                workingDirectory: .init(directory ?? "/"),
                input: .none,
                output: .string(limit: Self.outputLimit),
                error: .string(limit: Self.outputLimit)
            )
            let (status, signaled): (Int32, Bool)
            switch result.terminationStatus {
            case .exited(let code): (status, signaled) = (code, false)
            case .signaled(let signal): (status, signaled) = (signal, true)
            }
            return ProcessResult(
                status: status, signaled: signaled, output: result.standardOutput, errorOutput: result.standardError)
        } catch {
            throw EmbeddedPostgresError(failureKind, "Could not run \(argv[0]): \(Self.reason(error)).")
        }
    }

    /// Why a launch failed, in the words of the C library where there is an `errno`.
    ///
    /// Built from the error's code and `errno` only: swift-subprocess's own descriptions of some failures quote
    /// environment values, which must never reach a message.
    private static func reason(_ error: any Error) -> String {
        guard let error = error as? SubprocessError else { return "\(error)" }
        if let underlying = error.underlyingError {
            return String(cString: strerror(underlying.rawValue))
        }
        switch error.code {
        case .executableNotFound: return "the program is missing or not executable"
        case .failedToChangeWorkingDirectory: return "could not change into its working directory"
        case .outputLimitExceeded: return "it printed more than \(outputLimit) bytes"
        default: return "the process could not be started or watched"
        }
    }
}
