import ConsultCLI
import ConsultDomain
import Foundation
import TestSupport
import Testing

/// Every `consult log <kind>` help example is a command a person can run against the sample
/// dataset (with --dry-run here): its ids are the sample's, and it passes the rules.
@Suite("help examples run against the sample dataset")
struct HelpExampleTests {
    static let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples/sample-dataset.jsonl").path

    /// The example commands of a help text: lines starting `consult log`, with their `\` continuations,
    /// split into words as a POSIX shell would (single quotes, backslash-newline).
    static func examples(in discussion: String) -> [[String]] {
        var commands: [[String]] = []
        var current: String?
        for line in discussion.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if var text = current {
                text += " " + trimmed
                current = text
            } else if trimmed.hasPrefix("consult log ") {
                current = trimmed
            } else {
                continue
            }
            if var text = current, text.hasSuffix("\\") {
                text.removeLast()
                current = text
            } else if let text = current {
                commands.append(words(text))
                current = nil
            }
        }
        return commands
    }

    static func words(_ text: String) -> [String] {
        var words: [String] = []
        var word = ""
        var quoted = false
        var inWord = false
        for character in text {
            if quoted {
                if character == "'" { quoted = false } else { word.append(character) }
            } else if character == "'" {
                quoted = true
                inWord = true
            } else if character == " " {
                if inWord { words.append(word) }
                word = ""
                inWord = false
            } else {
                word.append(character)
                inWord = true
            }
        }
        if inWord { words.append(word) }
        return words
    }

    @Test("each kind's example passes the rules against the sample dataset")
    func examplesRun() async throws {
        let database = try await TestDatabase.create()
        let environment = ["CONSULT_DATABASE_URL": database.url]
        #expect(try await ConsultProcess.run(["log", "--file", Self.sample], environment: environment).status == 0)
        var checked = 0
        for command in LogKindCommands.all {
            let examples = Self.examples(in: command.configuration.discussion)
            #expect(!examples.isEmpty, "\(command.configuration.commandName ?? "")")
            for example in examples {
                let arguments = Array(example.dropFirst()) + ["--dry-run"]
                let outcome = try await ConsultProcess.run(arguments, environment: environment)
                #expect(outcome.status == 0, "\(example.joined(separator: " ")): \(outcome.stderr)")
                checked += 1
            }
        }
        #expect(checked >= LogKindCommands.all.count)
    }
    /// The example commands in a help text other than `log <kind>`'s: a line that starts with
    /// `consult `, or `consult …` after "Example: ", "Examples: " or "; ", up to a `;`, a
    /// redirection or a pipe.
    static func readExamples(in discussion: String) -> [[String]] {
        var commands: [[String]] = []
        for line in discussion.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            var starts: [String.Index] = []
            if trimmed.hasPrefix("consult ") { starts.append(trimmed.startIndex) }
            for marker in ["Example: consult ", "Examples: consult ", "; consult "] {
                for range in trimmed.ranges(of: marker) {
                    starts.append(trimmed.index(range.upperBound, offsetBy: -"consult ".count))
                }
            }
            for start in starts {
                var text = String(trimmed[start...])
                for end in [";", " > ", " | "] {
                    if let range = text.range(of: end) { text = String(text[..<range.lowerBound]) }
                }
                commands.append(words(text.trimmingCharacters(in: .whitespaces)))
            }
        }
        return commands
    }

    @Test("every other command's help examples run against the sample dataset")
    func readExamplesRun() async throws {
        let database = try await TestDatabase.create()
        let environment = ["CONSULT_DATABASE_URL": database.url]
        #expect(try await ConsultProcess.run(["log", "--file", Self.sample], environment: environment).status == 0)
        let dump = try await ConsultProcess.run(["--experimental-dump-help"])
        let root = try #require(try JSONValue.parse(dump.stdout).objectValue?["command"])
        var examples: [[String]] = []
        func walk(_ command: JSONValue) {
            for sub in command.objectValue?["subcommands"]?.arrayValue ?? [] {
                let name = sub.objectValue?["commandName"]?.stringValue ?? ""
                // log's kinds are the test above; demo and db manage the embedded cluster.
                guard !["log", "demo", "db", "help"].contains(name) else { continue }
                examples += Self.readExamples(in: sub.objectValue?["discussion"]?.stringValue ?? "")
                walk(sub)
            }
        }
        walk(root)
        #expect(examples.count >= 20, "\(examples)")
        for example in examples where !example.contains("--follow") {
            #expect(example.first == "consult", "\(example)")
            let outcome = try await ConsultProcess.run(Array(example.dropFirst()), environment: environment)
            #expect(outcome.status == 0, "\(example.joined(separator: " ")): \(outcome.stderr)")
        }
    }
}
