import Foundation

/// Runs the real `consult` executable, as a user would.
public struct ConsultProcess: Sendable {
    public struct Outcome: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// The built `consult`, next to the test bundle.
    public static var executable: URL {
        let bundle = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        return bundle.appendingPathComponent("consult")
    }

    /// Environment without any connection settings, so only what a test passes counts.
    ///
    /// Tests share one cluster, whose xmin another test's transaction may hold for a few seconds, so
    /// reads wait for held-back events up to a minute (`CONSULT_READ_WAIT`; a test may set its own).
    public static func cleanEnvironment() -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["CONSULT_READ_WAIT"] = "60"
        for key in environment.keys
        where key.hasPrefix("PG") || key == "DATABASE_URL" || key == "CONSULT_DATABASE_URL"
            || key == "CONSULT_RECORDED_BY"
        {
            environment[key] = nil
        }
        return environment
    }

    /// Runs `consult arguments…` with `environment` (added to a clean one) and optional stdin.
    public static func run(
        _ arguments: [String], environment: [String: String] = [:], stdin: Data? = nil
    ) async throws -> Outcome {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("consult-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // Files, not pipes: a child holding a pipe open (a server it started) cannot block us.
        let out = folder.appendingPathComponent("stdout")
        let err = folder.appendingPathComponent("stderr")
        var input: String?
        if let stdin {
            let file = folder.appendingPathComponent("stdin")
            try stdin.write(to: file)
            input = file.path
        }
        let child = try SpawnedProcess.spawn(
            executable.path, arguments, environment: cleanEnvironment().merging(environment) { $1 }, input: input,
            output: out.path, error: err.path)
        try await child.wait()
        return Outcome(
            status: child.terminationStatus ?? -1,
            stdout: try String(contentsOf: out, encoding: .utf8),
            stderr: try String(contentsOf: err, encoding: .utf8))
    }
}
