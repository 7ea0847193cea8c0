import ArgumentParser
import ConsultCore
import Foundation
import Logging

/// `consult`: the root command only configures; each subcommand lives in its own file.
public struct ConsultCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "consult",
        abstract:
            "Keep the record of consultations between government and industry, and of the commitments made in them.",
        discussion: """
            The store is PostgreSQL: --database-url, else CONSULT_DATABASE_URL, else DATABASE_URL, else libpq's PG* \
            variables when PGHOST or PGDATABASE is set, else an embedded cluster under $XDG_DATA_HOME/consult that \
            consult creates and starts by itself.

            Options every command takes (--database-url, and --format where it applies) may also come before the \
            subcommand: consult --database-url URL status.

            Exit codes: 0 success, 64 usage, 65 invalid input (nothing written), 69 database unavailable, \
            75 concurrency conflict (nothing written, safe to retry), 1 anything else.
            """,
        version: ConsultVersion.current,
        subcommands: [
            DemoCommand.self, LogCommand.self, CommitmentsCommand.self, RequestsCommand.self, FollowUpsCommand.self,
            StakeholdersCommand.self, ConsultationsCommand.self, SearchCommand.self, HistoryCommand.self,
            ProjectCommand.self, ReplayCommand.self, VerifyCommand.self, StatusCommand.self, ExportCommand.self,
            MigrateCommand.self, DBCommand.self,
        ])

    /// `consult --version`.
    public static let version = ConsultVersion.current

    public init() {}

    /// Parses `arguments`, runs the command, reports errors; returns the process exit code.
    public static func run(arguments: [String]? = nil) async -> Int32 {
        bootstrapLogging()
        let command: any ParsableCommand
        do {
            command = try parseAsRoot(
                LeadingOptions.movedAfterSubcommand(arguments ?? Array(CommandLine.arguments.dropFirst())))
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
        let code = exitCode(for: error).rawValue
        let message = fullMessage(for: error)
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

let cliLogger = Logger(label: "consult")
