import Foundation
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// The Python tools the web's tests run (schemathesis, openapi-spec-validator), from the virtual
/// environment `tools/install-prerequisites --tests` makes, and the processes they run in.
enum TestTools {
    /// Where `tools/install-prerequisites --tests` installs them: `CONSULT_TEST_VENV`, else
    /// `~/.cache/consult-test-venv`.
    static var virtualEnvironment: String {
        let environment = ProcessInfo.processInfo.environment
        if let folder = environment["CONSULT_TEST_VENV"], !folder.isEmpty { return folder }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + "/.cache/consult-test-venv"
    }

    /// `name` from the virtual environment, else from `PATH`; a clear failure when it is in neither
    /// (the tests fail then rather than skip: CI installs it).
    static func executable(_ name: String) throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        let candidates = [virtualEnvironment + "/bin"] + path.split(separator: ":").map(String.init)
        for folder in candidates where FileManager.default.isExecutableFile(atPath: folder + "/" + name) {
            return folder + "/" + name
        }
        throw CocoaError(
            .executableLoad,
            userInfo: [
                NSLocalizedDescriptionKey:
                    "\(name) is not installed: tools/install-prerequisites --tests installs it into "
                    + "\(virtualEnvironment) (or set CONSULT_TEST_VENV to a virtual environment that has it)."
            ])
    }

    /// A new empty folder under the temporary directory.
    static func temporaryFolder() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("consult-web-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder.path
    }

    /// Runs `executable arguments…` in `folder` (what it writes stays there), killed after
    /// `timeout`; its stdout and stderr together.
    static func run(
        _ executable: String, _ arguments: [String], in folder: String, timeout: Duration
    ) async throws -> (status: Int32, output: String) {
        var environment = ConsultProcess.cleanEnvironment()
        environment["NO_COLOR"] = "1"
        environment["PYTHONUNBUFFERED"] = "1"
        let output = folder + "/output.txt"
        let child = try SpawnedProcess.spawn(
            "/usr/bin/env", ["-C", folder, executable] + arguments, environment: environment, input: nil,
            output: output, error: output)
        let deadline = ContinuousClock.now + timeout
        while child.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        var killed = false
        if child.isRunning {
            kill(child.pid, SIGKILL)
            killed = true
        }
        try await child.wait()
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        return (child.terminationStatus ?? -1, killed ? "killed after \(timeout):\n" + text : text)
    }

    /// A TCP port on 127.0.0.1 that nothing listens on now (the kernel's pick).
    static func freePort() throws -> Int {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw POSIXError(.EMFILE) }
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(socketFD, socketAddress, length) == 0 && getsockname(socketFD, socketAddress, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
