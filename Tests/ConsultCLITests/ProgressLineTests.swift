import Foundation
import TestSupport
import Testing

/// Long work shows its progress on a terminal: count, total, percent, rate and time left; and
/// nothing with --quiet or when stderr is not a terminal. A terminal is `script`'s pseudo-terminal.
@Suite("progress lines on a terminal")
struct ProgressLineTests {
    static let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples/sample-dataset.jsonl").path

    /// Runs `consult arguments…` on a pseudo-terminal; returns what the terminal showed.
    func onTerminal(_ arguments: [String], database: TestDatabase) async throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("consult-tty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let command = ([ConsultProcess.executable.path] + arguments).map { "'\($0)'" }.joined(separator: " ")
        var environment = ConsultProcess.cleanEnvironment()
        environment["CONSULT_DATABASE_URL"] = database.url
        let out = folder.appendingPathComponent("out").path
        let child = try SpawnedProcess.spawn(
            "/usr/bin/script", ["-qec", command, "/dev/null"], environment: environment, input: nil, output: out,
            error: folder.appendingPathComponent("err").path)
        try await child.wait()
        #expect(child.terminationStatus == 0)
        return try String(contentsOfFile: out, encoding: .utf8)
    }

    @Test("replay and export count towards the log's size; --quiet shows nothing")
    func countsAndTotals() async throws {
        let database = try await TestDatabase.create()
        let logged = try await ConsultProcess.run(
            ["log", "--file", Self.sample], environment: ["CONSULT_DATABASE_URL": database.url])
        #expect(logged.status == 0)
        // A read waits until no other test's open transaction holds the log back (the cluster is
        // shared), so that the replay below reads every event.
        let read = try await ConsultProcess.run(
            ["stakeholders", "--format", "json"], environment: ["CONSULT_DATABASE_URL": database.url])
        #expect(read.status == 0)
        // Still, another test may open one just before the replay, which then reads nothing (and
        // draws no line): try again a few times.
        var replay = ""
        for _ in 0..<5 {
            replay = try await onTerminal(["replay"], database: database)
            if replay.contains("replaying:") { break }
            try await Task.sleep(for: .seconds(2))
        }
        let events = try String(contentsOfFile: Self.sample, encoding: .utf8).split(separator: "\n").count
        #expect(replay.contains("replaying: \(events) of \(events) events (100 %, "), "\(replay)")
        #expect(replay.contains(" s left)"))
        let export = try await onTerminal(["export"], database: database)
        #expect(export.contains("exporting: \(events) of \(events) events (100 %"))
        let quiet = try await onTerminal(["replay", "--quiet"], database: database)
        #expect(!quiet.contains("replaying:"))
        #expect(quiet.contains("Rebuilt "))
    }
}
