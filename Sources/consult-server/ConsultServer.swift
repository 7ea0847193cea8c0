import ArgumentParser
import ConsultCore
import ConsultWeb
import Foundation
import Logging

/// The web server that `consult serve` starts (built apart, so that the CLI builds fast).
@main
struct ConsultServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consult serve",
        abstract: "Serve the record on the web: pages, the JSON API, Atom feeds and open data.",
        discussion: """
            Listens on 127.0.0.1:8080 unless told otherwise. The store is found as for every consult command: \
            --database-url, else CONSULT_DATABASE_URL, else DATABASE_URL, else libpq's PG* variables, else the \
            embedded cluster. Reads bring the views up to date first, as the read commands do, unless they go to a \
            hot standby (--read-url, or CONSULT_READ_URL to keep a password out of the process list) or the server's \
            role may not write the views: then a projection worker keeps them current, on the primary (consult \
            project --follow beside the server, or --with-worker in it).

            Examples:
              consult serve
              consult serve --port 8081 --time-zone Asia/Seoul
              consult serve --host 0.0.0.0 --with-worker
              CONSULT_READ_URL=postgresql://reader@standby/consult consult serve --with-worker
            """)

    @Option(help: "The address to listen on.") var host = "127.0.0.1"
    @Option(help: "The port to listen on.") var port = 8080
    @Option(name: .customLong("database-url"), help: "The PostgreSQL URL of the store.") var databaseURL: String?
    @Option(
        name: .customLong("read-url"),
        help: "A hot standby of the store to send every read to (else CONSULT_READ_URL).")
    var readURL: String?
    @Flag(name: .customLong("with-worker"), help: "Run the projection worker in the server, on the primary.")
    var withWorker = false
    @Option(
        name: .customLong("time-zone"),
        help: "The time zone whose date is \"today\" when a page gives no asOf (else TZ, else the system's).")
    var timeZone: String?

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port takes a port from 1 to 65535.") }
        if let timeZone, TimeZone(identifier: timeZone) == nil {
            throw ValidationError("--time-zone \(timeZone) is not a time zone; give one like Asia/Seoul or UTC.")
        }
    }

    func run() async throws {
        if let timeZone {
            // Before anything reads the time zone: TimeZone.current follows TZ from its first use.
            setenv("TZ", timeZone, 1)
        }
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        let logger = Logger(label: "consult.serve")
        var configuration = WebServer.Configuration(access: StoreAccess(databaseURL: databaseURL, logger: logger))
        configuration.host = host
        configuration.port = port
        configuration.withWorker = withWorker
        let environment = ProcessInfo.processInfo.environment["CONSULT_READ_URL"].flatMap { $0.isEmpty ? nil : $0 }
        if let url = readURL ?? environment {
            guard DatabaseLocation.looksLikeConnectionString(url) else {
                throw ValidationError("The read URL (--read-url or CONSULT_READ_URL) is not a PostgreSQL URL.")
            }
            configuration.readAccess = StoreAccess(databaseURL: url, logger: logger)
        }
        try await WebServer.run(configuration)
    }
}
