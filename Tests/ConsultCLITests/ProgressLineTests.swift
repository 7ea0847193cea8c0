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
        try await onTerminal(
            command: ([ConsultProcess.executable.path] + arguments).map { "'\($0)'" }.joined(separator: " "),
            database: database)
    }

    /// Runs the shell `command` on a pseudo-terminal; returns what the terminal showed.
    func onTerminal(command: String, database: TestDatabase) async throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("consult-tty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
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

    @Test("log --file shows the bytes read of the file's size, then the events written; a pipe shows bytes only")
    func loggingAFile() async throws {
        let file = try await LoadFile.generate(1500, prefix: "tty")
        defer { try? FileManager.default.removeItem(at: file) }
        let count = try String(contentsOf: file, encoding: .utf8).split(separator: "\n").count
        let size = try #require(try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int)
        let megabytes = "\((size + 50_000) / 100_000 / 10).\((size + 50_000) / 100_000 % 10)"

        let database = try await TestDatabase.create()
        let shown = try await onTerminal(["log", "--file", file.path], database: database)
        #expect(shown.contains("reading and checking lines: \(megabytes) of \(megabytes) MB (100 %, "), "\(shown)")
        #expect(shown.contains("writing \(count) events…"))
        #expect(shown.contains("writing: \(count) of \(count) events (100 %, "), "\(shown)")
        #expect(shown.contains("Recorded \(count) events"))

        // Through a pipe the size is unknown: the bytes read and the rate, no total.
        let piped = try await TestDatabase.create()
        let fromPipe = try await onTerminal(
            command: "cat '\(file.path)' | '\(ConsultProcess.executable.path)' log --file -", database: piped)
        #expect(fromPipe.contains("reading and checking lines: \(megabytes) MB ("), "\(fromPipe)")
        #expect(!fromPipe.contains("reading and checking lines: \(megabytes) of "))
        #expect(fromPipe.contains("Recorded \(count) events"))

        // --quiet, and stderr that is not a terminal: no line.
        let quietStore = try await TestDatabase.create()
        let quiet = try await onTerminal(["log", "--file", file.path, "--quiet"], database: quietStore)
        #expect(!quiet.contains("reading") && !quiet.contains("writing"), "\(quiet)")
        let plainStore = try await TestDatabase.create()
        let plain = try await ConsultProcess.run(
            ["log", "--file", file.path], environment: ["CONSULT_DATABASE_URL": plainStore.url])
        #expect(plain.status == 0)
        #expect(plain.stderr.isEmpty, "\(plain.stderr)")
    }

    @Test("the first read after a large load shows the views catching up; a read with little to apply shows nothing")
    func readCatchingUp() async throws {
        let first = try await LoadFile.generate(2100, prefix: "catch-a")
        let second = try await LoadFile.generate(2100, prefix: "catch-b")
        defer {
            try? FileManager.default.removeItem(at: first)
            try? FileManager.default.removeItem(at: second)
        }
        let count = try String(contentsOf: second, encoding: .utf8).split(separator: "\n").count
        // On a cluster of its own: another test's open transaction would hold the catch-up back.
        try await TestDatabase.onPrivateServer { database in
            let environment = ["CONSULT_DATABASE_URL": database.url]
            #expect(try await ConsultProcess.run(["log", "--file", first.path], environment: environment).status == 0)
            // Not a terminal: nothing on stderr.
            let plain = try await ConsultProcess.run(["commitments", "--format", "json"], environment: environment)
            #expect(plain.status == 0)
            #expect(plain.stderr.isEmpty, "\(plain.stderr)")

            #expect(try await ConsultProcess.run(["log", "--file", second.path], environment: environment).status == 0)
            let shown = try await onTerminal(["commitments", "--outstanding"], database: database)
            #expect(shown.contains("catching up views: \(count) of \(count) events (100 %, "), "\(shown)")
            let again = try await onTerminal(["commitments", "--outstanding"], database: database)
            #expect(!again.contains("catching up"), "\(again)")
        }
    }
}
