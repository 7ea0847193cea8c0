import ArgumentParser
import ConsultCore
import Foundation
import Logging

/// `consult`: the root command only configures; each subcommand lives in its own file, and
/// `ConsultMain` runs them.
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
            RestoreCommand.self, MigrateCommand.self, DBCommand.self, ServeCommand.self,
        ])

    /// `consult --version`.
    public static let version = ConsultVersion.current

    public init() {}
}

let cliLogger = Logger(label: "consult")
