import ArgumentParser
import ConsultCore
import EmbeddedPostgres

/// `consult db start|stop|status|url`: manages the embedded cluster.
struct DBCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Manage the embedded PostgreSQL cluster under $XDG_DATA_HOME/consult.",
        subcommands: [Start.self, Stop.self, Status.self, URL.self])

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create (on first use) and start the embedded cluster, and apply migrations.")

        func run() async throws {
            let target = try await StoreSetup.startEmbedded(logger: cliLogger)
            Output.writeLine("The embedded cluster is running (socket in \(target.socketDirectory)).")
        }
    }

    struct Stop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the embedded cluster.")

        func run() async throws {
            let cluster = DatabaseLocation.embeddedCluster(logger: cliLogger)
            switch try await cluster.status() {
            case .notCreated:
                Output.writeLine("The embedded cluster has not been created; nothing to stop.")
            case .stopped:
                Output.writeLine("The embedded cluster is not running.")
            case .running:
                try await cluster.stop()
                Output.writeLine("The embedded cluster is stopped.")
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Say whether the embedded cluster is running.")

        func run() async throws {
            let cluster = DatabaseLocation.embeddedCluster(logger: cliLogger)
            switch try await cluster.status() {
            case .notCreated:
                Output.writeLine("not created (it is created on first use)")
            case .stopped:
                Output.writeLine("stopped")
            case .running(let pid):
                Output.writeLine("running (pid \(pid), socket in \(cluster.connectionTarget.socketDirectory))")
            }
        }
    }

    struct URL: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "url", abstract: "Print the embedded cluster's connection URL (for psql and other tools).")

        func run() async throws {
            Output.writeLine(DatabaseLocation.embeddedCluster(logger: cliLogger).connectionTarget.url)
        }
    }
}
