import Foundation
import Logging
import Testing

@testable import EmbeddedPostgres

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A fresh folder with a short path under /tmp, so socket paths stay well below the limit.
func makeTemporaryFolder() throws -> String {
    var template = Array("/tmp/ep-XXXXXX".utf8CString)
    guard let result = mkdtemp(&template) else {
        throw EmbeddedPostgresError(.io, "mkdtemp failed: \(systemError())")
    }
    return String(cString: result)
}

/// Runs `body` with a cluster in its own temporary folder, then destroys the cluster and the folder whatever happens.
func withCluster(_ body: (EmbeddedCluster, String) async throws -> Void) async throws {
    let temporary = try makeTemporaryFolder()
    let cluster = EmbeddedCluster(folder: temporary + "/consult", logger: quietLogger)
    // Not a `defer`: destroying awaits, and a `defer` block cannot.
    var failure: (any Error)?
    do {
        try await body(cluster, temporary)
    } catch {
        failure = error
    }
    try? await cluster.destroy()
    try? FileManager.default.removeItem(atPath: temporary)
    if let failure { throw failure }
}

/// Runs a program with this process's environment, returning its exit code and combined output.
@discardableResult
func shell(_ executable: String, _ arguments: [String]) async throws -> (status: Int32, output: String) {
    let runner = ProcessRunner(environment: ProcessInfo.processInfo.environment, logger: quietLogger)
    let result = try await runner.run(executable, arguments, failureKind: .io)
    return (result.status, result.output + result.errorOutput)
}

/// Runs one SQL statement through psql against `target` and returns the unaligned, tuples-only output.
func query(_ sql: String, _ target: EmbeddedConnectionTarget) async throws -> String {
    let binaries = try await ServerBinaries.locate(environment: ProcessInfo.processInfo.environment)
    let result = try await shell(
        binaries.directory + "/psql",
        ["-X", "-A", "-t", "-q", "-d", target.url, "-c", sql]
    )
    #expect(result.status == 0, "psql failed: \(result.output)")
    return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
}

/// The real user id of a running process, from /proc.
func ownerOfProcess(_ pid: Int) -> uid_t? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
    guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Uid:") }) else { return nil }
    return line.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().first.flatMap { uid_t($0) }
}

/// The permission bits and owner of a file.
func modeAndOwner(_ path: String) -> (mode: mode_t, owner: uid_t)? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    return (info.st_mode & 0o7777, info.st_uid)
}

var runningAsRoot: Bool { geteuid() == 0 }

/// The uid of the default server user, when running as root.
var serverUserID: uid_t? { ServerUser.lookUp(ServerUser.defaultName)?.uid }

/// Keeps test output readable: only warnings and errors are printed.
let quietLogger: Logger = {
    var logger = Logger(label: "test.embedded")
    logger.logLevel = .warning
    return logger
}()
