import ArgumentParser
import ConsultCore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `consult serve`: runs the web server, `consult-server`, built beside `consult` as a product of
/// its own (its HTTP stack would double the CLI's build time).
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the record on the web: pages, the JSON API, Atom feeds and open data.",
        discussion: """
            Runs consult-server, which is built apart: swift build -c release --product consult-server (tools/serve \
            builds it and starts it). Listens on 127.0.0.1:8080 unless told otherwise (--host, --port); the store \
            is found as for every command (--database-url, CONSULT_DATABASE_URL, …, the embedded cluster). \
            --read-url URL sends every read to a hot standby, --with-worker runs the projection worker in the \
            server, --time-zone ZONE sets the date pages answer for without asOf; consult-server --help tells \
            more.
            """)

    @Argument(
        parsing: .captureForPassthrough,
        help:
            "Options for the server: --host H, --port P, --database-url URL, --read-url URL, --with-worker, --time-zone Z."
    )
    var arguments: [String] = []

    /// `consult-server` next to this executable.
    static var serverPath: String {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return executable.deletingLastPathComponent().appendingPathComponent("consult-server").path
    }

    func run() throws {
        let path = Self.serverPath
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw ConsultFailure(
                .unavailable,
                "The web server is not built: swift build -c release --product consult-server (or tools/serve) puts "
                    + "consult-server next to consult.")
        }
        // The server takes this process's place, so signals reach it directly.
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        execv(path, argv)
        throw ConsultFailure(.failure, "Could not start \(path): \(String(cString: strerror(errno))).")
    }
}
