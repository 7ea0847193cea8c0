import ArgumentParser
import ConsultCore
import Foundation
import Logging

/// Runs `consult`: parses the arguments into a command (options before the subcommand moved
/// after it), runs it, and turns what it throws into a message and an exit code: ArgumentParser's
/// help and usage errors its way (status 0 or 64), everything else through `ConsultFailure`.
public enum ConsultMain {
    /// Parses `arguments`, runs the command, reports errors; returns the process exit code.
    public static func run(arguments: [String]? = nil) async -> Int32 {
        bootstrapLogging()
        let command: any ParsableCommand
        do {
            let given = try LeadingOptions.movedAfterSubcommand(arguments ?? Array(CommandLine.arguments.dropFirst()))
            try SubcommandNames.check(given)
            command = try ConsultCommand.parseAsRoot(given)
        } catch let unknown as SubcommandNames.Unknown {
            // The usage to see is the parent command's, not the root's.
            Output.error("Error: \(unknown.message)\n  See '\(unknown.parent) --help' for more information.")
            return ExitStatus.usage
        } catch {
            return reportParserError(error)
        }
        do {
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                var command = command
                try command.run()
            }
            return ExitStatus.success
        } catch let exit as ExitCode {
            return exit.rawValue
        } catch let error as ValidationError {
            // Validation can also fail while running (a value checked against others).
            return reportParserError(error)
        } catch let error as CleanExit {
            return reportParserError(error)
        } catch  where !isOurs(type(of: command)) {
            // What ArgumentParser parsed into a command of its own (the help it shows for
            // `consult --help` or `consult log follow-up --help`) reports through an error.
            return reportParserError(error)
        } catch {
            let failure = ConsultFailure.from(error)
            Output.error("consult: " + failure.description)
            return failure.exitCode
        }
    }

    /// Whether `command` is in consult's own tree of commands (not one ArgumentParser made).
    private static func isOurs(_ command: any ParsableCommand.Type) -> Bool {
        func contains(_ tree: any ParsableCommand.Type) -> Bool {
            tree == command || tree.configuration.subcommands.contains(where: contains)
        }
        return contains(ConsultCommand.self)
    }

    /// Help goes to stdout with status 0; usage errors to stderr with status 64.
    private static func reportParserError(_ error: any Error) -> Int32 {
        let code = ConsultCommand.exitCode(for: error).rawValue
        let message = ConsultCommand.fullMessage(for: error)
        if code == 0 {
            Output.write(message.isEmpty ? "" : message + "\n")
            return ExitStatus.success
        }
        Output.error(message)
        return code == 1 ? ExitStatus.usage : code
    }

    private static func bootstrapLogging() {
        let level =
            ProcessInfo.processInfo.environment["CONSULT_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .warning
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
