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
struct ProcessRunner: Sendable {
    /// The complete environment given to every child.
    var environment: [String: String]
    /// Where each command is logged at debug level.
    var logger: Logger

    /// Runs `executable` with `arguments` and waits for it to finish.
    ///
    /// - Parameters:
    ///   - user: when set, the command runs as `runuser -u NAME -- executable arguments…`.
    ///   - directory: the working directory; when running as another user it must be one that user can enter,
    ///     or PostgreSQL's programs complain that they cannot change into it.
    ///   - failureKind: the error kind thrown when the program cannot be launched at all.
    func run(
        _ executable: String,
        _ arguments: [String],
        as user: ServerUser? = nil,
        in directory: String? = nil,
        failureKind: EmbeddedPostgresError.Kind
    ) throws(EmbeddedPostgresError) -> ProcessResult {
        var program = executable
        var fullArguments = arguments
        if let user {
            program = user.runuserPath
            fullArguments = ["-u", user.name, "--", executable] + arguments
        }
        logger.debug("Running \(([program] + fullArguments).joined(separator: " "))")

        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = fullArguments
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: directory ?? "/")
        let outputPipe = Pipe()
        let errorPipe = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = outputPipe
        process.standardError = errorPipe
        do {
            try process.run()
        } catch {
            throw EmbeddedPostgresError(failureKind, "Could not run \(program): \(error).")
        }
        // Both pipes are drained together so a child filling one of them cannot block forever.
        let captured = Self.drain([
            outputPipe.fileHandleForReading.fileDescriptor,
            errorPipe.fileHandleForReading.fileDescriptor,
        ])
        process.waitUntilExit()
        return ProcessResult(
            status: process.terminationStatus,
            signaled: process.terminationReason == .uncaughtSignal,
            output: String(decoding: captured[0], as: UTF8.self),
            errorOutput: String(decoding: captured[1], as: UTF8.self)
        )
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
