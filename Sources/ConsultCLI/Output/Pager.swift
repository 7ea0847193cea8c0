import ConsultCore
import Foundation
import Subprocess

/// The program a table taller than the terminal goes through, a screen at a time:
/// `$CONSULT_PAGER`, else `$PAGER`, else `less -FRX` (quit if it fits, keep colours, leave the
/// text on the screen). Set either variable to nothing for no pager.
///
/// The value is split on whitespace and started without a shell: `less -S`, `most` or
/// `/usr/bin/less -R` work; quotes, `$VARIABLES` and pipelines are not understood.
struct Pager: Sendable {
    /// The program (a name looked up on `PATH`, or a path) and its arguments.
    var command: [String]
    /// Whether the environment named it: only then is failing to start it worth a word.
    var named: Bool

    /// The pager the environment chooses; nil when it chooses none (an empty value).
    static func chosen(environment: [String: String] = ProcessInfo.processInfo.environment) -> Pager? {
        guard let value = environment["CONSULT_PAGER"] ?? environment["PAGER"] else {
            return Pager(command: ["less", "-FRX"], named: false)
        }
        let words = value.split(whereSeparator: \.isWhitespace).map(String.init)
        return words.isEmpty ? nil : Pager(command: words, named: true)
    }

    /// Runs the pager with `text` on its standard input and consult's own standard output and
    /// error (the terminal), and waits until it quits. False when it could not be started (not
    /// on `PATH`, not executable): the caller then prints `text` itself.
    func show(_ text: String) async -> Bool {
        // A pager that quits before reading everything (`q` in less) closes the pipe; the write
        // then fails with EPIPE, which only means the person saw enough, instead of SIGPIPE
        // ending consult. swift-subprocess sets the pager's signals back to their defaults.
        signal(SIGPIPE, SIG_IGN)
        // Ctrl-C while paging is the pager's to handle (less stops a search with it); consult
        // waits for the pager, or the shell would prompt while it still draws.
        let interrupt = signal(SIGINT, SIG_IGN)
        defer { signal(SIGINT, interrupt) }
        let program = command[0]
        do {
            _ = try await Subprocess.run(
                program.contains("/") ? .path(.init(program)) : .name(program),
                arguments: Arguments(Array(command.dropFirst())),
                input: .inputWriter,
                output: .currentStandardOutput,
                error: .currentStandardError
            ) { execution in
                _ = try? await execution.standardInputWriter.write(text)
                try? await execution.standardInputWriter.finish()
            }
            return true
        } catch let error as SubprocessError where [.executableNotFound, .spawnFailed].contains(error.code) {
            if named {
                Output.error(
                    "consult: could not start the pager \"\(EventFileParser.printable(program))\"; printing directly.")
            }
            return false
        } catch {
            // It started (and the table went to it, or it quit): printing again would show the table twice.
            return true
        }
    }
}
