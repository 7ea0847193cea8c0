import ConsultDomain
import Foundation
import TestSupport
import Testing

/// The man page (`tools/manual`, swift-argument-parser's generate-manual plugin) is made from the
/// help that `consult --experimental-dump-help` prints; the completion scripts come from consult.
@Suite("Manual and shell completions")
struct ManualTests {
    /// Every command path in the help dump: ["commitments"], ["log", "stakeholder"], …
    static func commandPaths() async throws -> [[String]] {
        let dump = try await ConsultProcess.run(["--experimental-dump-help"])
        #expect(dump.status == 0, "\(dump.stderr)")
        let root = try #require(try JSONValue.parse(dump.stdout).objectValue?["command"])
        var paths: [[String]] = []
        func walk(_ command: JSONValue, _ path: [String]) {
            for sub in command.objectValue?["subcommands"]?.arrayValue ?? [] {
                guard let name = sub.objectValue?["commandName"]?.stringValue, name != "help" else { continue }
                paths.append(path + [name])
                let abstract = sub.objectValue?["abstract"]?.stringValue ?? ""
                #expect(!abstract.isEmpty, "consult \((path + [name]).joined(separator: " ")) has no abstract")
                walk(sub, path + [name])
            }
        }
        walk(root, [])
        return paths
    }

    @Test("the help the manual is made from names every subcommand, each with its abstract")
    func helpDump() async throws {
        let paths = try await Self.commandPaths()
        let names = Set(paths.map { $0.joined(separator: " ") })
        for expected in [
            "demo", "log", "log stakeholder", "log correction", "commitments", "requests", "follow-ups",
            "stakeholders", "consultations", "search", "history", "project", "replay", "status", "verify",
            "export", "restore", "migrate", "db start",
        ] {
            #expect(names.contains(expected), "\(expected) is missing from the help dump: \(names.sorted())")
        }
    }

    @Test(
        "bash completes subcommands, log kinds and options",
        arguments: [
            ("consult comm", ["commitments"]),
            ("consult log st", ["stakeholder", "statement"]),
            ("consult commitments --outs", ["--outstanding"]),
        ])
    func bashCompletes(_ line: String, _ expected: [String]) async throws {
        let script = try await ConsultProcess.run(["--generate-completion-script", "bash"])
        #expect(script.status == 0, "\(script.stderr)")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("consult-\(UUID()).bash")
        try script.stdout.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let words = line.split(separator: " ").map(String.init)
        let program = """
            source "$1"
            COMP_LINE="\(line)"; COMP_POINT=${#COMP_LINE}
            COMP_WORDS=(\(words.joined(separator: " "))); COMP_CWORD=\(words.count - 1)
            _consult consult "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
            printf '%s\\n' "${COMPREPLY[@]}"
            """
        // The script calls `consult` for dynamic values: the one under test.
        var environment = ConsultProcess.cleanEnvironment()
        environment["PATH"] =
            ConsultProcess.executable.deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "")
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("complete-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let completed = try await SpawnedProcess.run(
            "/bin/bash", ["-c", program, "bash", file.path], environment: environment, output: output.path)
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        let completions = text.split(separator: "\n").map(String.init)
        #expect(completions.sorted() == expected.sorted(), "\(line) completed to \(completions) \(completed.stderr)")
    }

    @Test("zsh and fish scripts name every top-level subcommand")
    func zshAndFish() async throws {
        let topLevel = try await Self.commandPaths().filter { $0.count == 1 }.map { $0[0] }
        for shell in ["zsh", "fish"] {
            let script = try await ConsultProcess.run(["--generate-completion-script", shell])
            #expect(script.status == 0, "\(script.stderr)")
            for name in topLevel {
                #expect(script.stdout.contains(name), "the \(shell) script does not name \(name)")
            }
        }
    }
}
