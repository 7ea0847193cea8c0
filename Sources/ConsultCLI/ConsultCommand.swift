import ArgumentParser
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

            Exit codes: 0 success, 64 usage, 65 invalid input (nothing written), 69 database unavailable, \
            75 concurrency conflict (nothing written, safe to retry), 1 anything else.
            """,
        subcommands: [
            DemoCommand.self, LogCommand.self, CommitmentsCommand.self, RequestsCommand.self, FollowUpsCommand.self,
            StakeholdersCommand.self, ConsultationsCommand.self, SearchCommand.self, HistoryCommand.self,
            ProjectCommand.self, ReplayCommand.self, VerifyCommand.self, StatusCommand.self, ExportCommand.self,
            MigrateCommand.self, DBCommand.self,
        ])

    public init() {}

    /// Parses `arguments`, runs the command, reports errors; returns the process exit code.
    public static func run(arguments: [String]? = nil) async -> Int32 {
        bootstrapLogging()
        let command: any ParsableCommand
        do {
            command = try parseAsRoot(arguments)
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
        } catch  where isArgumentParserError(error) {
            // Help and validation errors can also surface while running (e.g. `consult log --help`).
            return reportParserError(error)
        } catch {
            let failure = CommandFailure.from(error)
            Output.error("consult: " + failure.description)
            return failure.exitCode
        }
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

    /// ArgumentParser's own errors (help requested, validation) are reported its way.
    private static func isArgumentParserError(_ error: any Error) -> Bool {
        if error is ValidationError || error is CleanExit { return true }
        return String(reflecting: type(of: error)).hasPrefix("ArgumentParser.")
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
