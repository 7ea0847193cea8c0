import Foundation
import Hummingbird
import HummingbirdTesting
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// The built `consult-server`, started as a user starts it, on a free port of 127.0.0.1.
final class ServerProcess: Sendable {
    let port: Int
    let folder: String
    let process: SpawnedProcess

    private init(port: Int, folder: String, process: SpawnedProcess) {
        self.port = port
        self.folder = folder
        self.process = process
    }

    /// `consult-server`, next to `consult` in the build folder.
    static var executable: String {
        ConsultProcess.executable.deletingLastPathComponent().appendingPathComponent("consult-server").path
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// What the server wrote to stderr (its log).
    var log: String { (try? String(contentsOfFile: folder + "/stderr", encoding: .utf8)) ?? "" }

    /// Starts the server over `databaseURL` and waits until `/healthz` answers 200.
    static func start(databaseURL: String) async throws -> ServerProcess {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw CocoaError(
                .executableLoad,
                userInfo: [
                    NSLocalizedDescriptionKey: "\(executable) is not built: swift build --build-tests builds it."
                ])
        }
        let folder = try TestTools.temporaryFolder()
        let port = try TestTools.freePort()
        let process = try SpawnedProcess.spawn(
            executable, ["--port", String(port), "--database-url", databaseURL],
            environment: ConsultProcess.cleanEnvironment(), input: nil, output: folder + "/stdout",
            error: folder + "/stderr")
        let server = ServerProcess(port: port, folder: folder, process: process)
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline, process.isRunning {
            let status = try? await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                try await client.get("/healthz").status
            }
            if status == .ok { return server }
            try await Task.sleep(for: .milliseconds(100))
        }
        let log = server.log
        server.stop()
        throw CocoaError(
            .executableLoad, userInfo: [NSLocalizedDescriptionKey: "consult-server did not become healthy: \(log)"])
    }

    /// Stops the server (SIGTERM, then SIGKILL) and removes its folder, on a thread of their own
    /// (see `BlockingWork`).
    func stop() {
        process.stopInBackground(SIGTERM, patience: 5, thenRemoving: folder)
    }
}
