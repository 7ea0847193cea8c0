import ArgumentParser
import ConsultCore
import ConsultWeb
import Logging

/// The web server that `consult serve` starts (built apart, so that the CLI builds fast).
@main
struct ConsultServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consult serve",
        abstract: "Serve the record on the web: the JSON API (pages, feeds and open data follow).",
        discussion: """
            Listens on 127.0.0.1:8080 unless told otherwise. The store is found as for every consult command: \
            --database-url, else CONSULT_DATABASE_URL, else DATABASE_URL, else libpq's PG* variables, else the \
            embedded cluster. Example: consult serve --port 8080, then http://127.0.0.1:8080/api/v1/commitments
            """)

    @Option(help: "The address to listen on.") var host = "127.0.0.1"
    @Option(help: "The port to listen on.") var port = 8080
    @Option(name: .customLong("database-url"), help: "The PostgreSQL URL of the store.") var databaseURL: String?

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port takes a port from 1 to 65535.") }
    }

    func run() async throws {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        var configuration = WebServer.Configuration(
            access: StoreAccess(databaseURL: databaseURL, logger: Logger(label: "consult.serve")))
        configuration.host = host
        configuration.port = port
        try await WebServer.run(configuration)
    }
}
