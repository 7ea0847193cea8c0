import ConsultCore
import ConsultDomain
import EmbeddedPostgres
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Postgres
import TestSupport
import Testing

@testable import ConsultWeb

/// The server and its PostgreSQL: the database going away and coming back, a role that may only
/// read, and reads from a streaming replica.
@Suite("web: the server and its database")
struct ServerDatabaseTests {
    static let fixtures = (1...3).map {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("ConsultCLITests/Fixtures/views-batch\($0).jsonl").path
    }
    static let readOnlyRoleScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("tools/readonly-role.sql")
    static let logger = Logger(label: "consult.web.tests")

    static func log(_ files: [String], url: String) async throws {
        for file in files {
            let logged = try await ConsultProcess.run(
                ["log", "--file", file], environment: ["CONSULT_DATABASE_URL": url])
            #expect(logged.status == 0, "\(logged.stderr)")
        }
    }

    /// The status of GET `uri`, and its body.
    static func get(_ client: some TestClientProtocol, _ uri: String) async throws -> (HTTPResponse.Status, String) {
        try await client.execute(uri: uri, method: .get) { ($0.status, String(buffer: $0.body)) }
    }

    @Test("the database stopped: 503 problem+json; started again: answers again, without a restart of the server")
    func databaseLossAndRecovery() async throws {
        let server = try await TestServer.startPrivate()
        defer { Task { await server.destroy() } }
        let cluster = try #require(server.cluster, "needs a cluster of its own to stop")
        let database = try await TestDatabase.create(on: server)
        try await Self.log([Self.fixtures[0]], url: database.url)
        let access = StoreAccess(databaseURL: database.url, logger: Self.logger)
        let app = Application(router: WebServer.router(access: access))
        try await app.test(.router) { client in
            #expect(try await Self.get(client, "/healthz").0 == .ok)
            let (status, before) = try await Self.get(client, "/api/v1/commitments")
            #expect(status == .ok)
            try await cluster.stop()
            for uri in ["/healthz", "/api/v1/commitments", "/api/v1/stakeholders"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .serviceUnavailable, "\(uri)")
                    #expect(response.headers[.contentType] == "application/problem+json; charset=utf-8")
                    let body = String(buffer: response.body)
                    #expect(body.contains("\"detail\""), "\(body)")
                    #expect(!body.contains("/tmp/") && !body.contains("consult@"), "no paths or URLs: \(body)")
                }
            }
            try await cluster.start()
            // The first request after the restart is answered: lost pooled connections are replaced.
            #expect(try await Self.get(client, "/healthz").0 == .ok)
            let (again, after) = try await Self.get(client, "/api/v1/commitments")
            #expect(again == .ok)
            #expect(after == before)
        }
    }

    @Test("an answer kept in the cache is not sent again once a new event is logged; a matching ETag gets 304")
    func cacheFollowsTheLog() async throws {
        let database = try await TestDatabase.create()
        try await Self.log(Array(Self.fixtures[0...1]), url: database.url)
        let app = Application(
            router: WebServer.router(
                access: StoreAccess(databaseURL: database.url, logger: Self.logger), heldBackWait: 60))
        try await app.test(.router) { client in
            let uri = "/api/v1/commitments?outstanding=true"
            let first = try await client.execute(uri: uri, method: .get) { response in
                (tag: response.headers[.eTag] ?? "", body: String(buffer: response.body))
            }
            #expect(first.tag.hasPrefix("W/\""), "\(first.tag)")
            #expect(!first.body.contains("c-townhall"))
            let again = try await client.execute(uri: uri, method: .get) {
                ($0.headers[.eTag], String(buffer: $0.body))
            }
            #expect(again.0 == first.tag && again.1 == first.body)
            try await client.execute(uri: uri, method: .get, headers: [.ifNoneMatch: first.tag]) { response in
                #expect(response.status == .notModified)
                #expect(response.body.readableBytes == 0)
            }
            // Logged by another process: the next request sees it, with a new tag.
            try await Self.log([Self.fixtures[2]], url: database.url)
            try await client.execute(uri: uri, method: .get, headers: [.ifNoneMatch: first.tag]) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.eTag] != first.tag)
                #expect(String(buffer: response.body).contains("c-townhall"))
            }
        }
    }

    @Test("a role that may only read (tools/readonly-role.sql) serves the views a worker keeps current")
    func readOnlyRole() async throws {
        let database = try await TestDatabase.create()
        try await Self.log(Array(Self.fixtures[0...1]), url: database.url)
        let admin = try await database.connect()
        let role = "consult_web_\(UUID().uuidString.prefix(8).lowercased())"
        try await admin.execute(unsafeScript: try String(contentsOf: Self.readOnlyRoleScript, encoding: .utf8))
        try await admin.execute(
            unsafeScript: "CREATE ROLE \(role) LOGIN IN ROLE consult_reader; "
                + "ALTER ROLE \(role) SET default_transaction_read_only = on;")
        await admin.close()
        let readerURL = database.url.replacingOccurrences(of: "postgresql://consult@", with: "postgresql://\(role)@")
        #expect(readerURL != database.url)

        // The role cannot write, whatever it tries.
        let reader = try await Connection.connect(.url(readerURL), logger: Self.logger)
        await #expect(throws: PostgresError.self) {
            try await reader.execute(unsafeScript: "SET default_transaction_read_only = off; DELETE FROM events;")
        }
        await reader.close()

        let app = Application(
            router: WebServer.router(access: StoreAccess(databaseURL: readerURL, logger: Self.logger)))
        try await app.test(.router) { client in
            // Nothing has built the views yet, and this server may not.
            let (none, why) = try await Self.get(client, "/api/v1/commitments")
            #expect(none == .serviceUnavailable, "\(why)")
            #expect(why.contains("consult project"), "\(why)")
            let project = try await ConsultProcess.run(["project"], environment: ["CONSULT_DATABASE_URL": database.url])
            #expect(project.status == 0, "\(project.stderr)")
            let (status, body) = try await Self.get(client, "/api/v1/commitments/c-talent")
            #expect(status == .ok, "\(body)")
            // New events: the read-only server cannot bring the views up to date, and says nothing wrong.
            try await Self.log([Self.fixtures[2]], url: database.url)
            let (unchanged, _) = try await Self.get(client, "/api/v1/commitments")
            #expect(unchanged == .ok)
            let worker = try await ConsultProcess.run(["project"], environment: ["CONSULT_DATABASE_URL": database.url])
            #expect(worker.status == 0, "\(worker.stderr)")
            let (found, townhall) = try await Self.get(client, "/api/v1/commitments/c-townhall")
            #expect(found == .ok, "\(townhall)")
        }
    }

    @Test("with a read URL, reads go to a streaming replica and see a new commitment once it has replayed")
    func streamingReplica() async throws {
        let primary = try await TestServer.startPrivate()
        defer { Task { await primary.destroy() } }
        let primaryCluster = try #require(primary.cluster, "needs clusters of its own")
        let database = try await TestDatabase.create(on: primary)
        try await Self.log(Array(Self.fixtures[0...1]), url: database.url)
        let project = try await ConsultProcess.run(["project"], environment: ["CONSULT_DATABASE_URL": database.url])
        #expect(project.status == 0, "\(project.stderr)")

        let folder =
            FileManager.default.temporaryDirectory.path
            + "/consult-tests-\(getpid())-standby-\(UUID().uuidString.prefix(6))"
        let standby = EmbeddedCluster(folder: folder, logger: Self.logger)
        defer {
            Task {
                try? await standby.destroy()
                try? FileManager.default.removeItem(atPath: folder)
            }
        }
        try await standby.createStandby(of: primaryCluster)
        let target = try await standby.start()
        let socket = target.socketDirectory.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let standbyURL = "postgresql://\(target.user)@/\(database.name)?host=\(socket)&port=\(target.port)"
        #expect(target.database != database.name, "the test's database, not the cluster's own")
        let probe = try await Connection.connect(.url(standbyURL), logger: Self.logger)
        #expect(try await probe.query("SELECT pg_is_in_recovery()")[0].decode(Bool.self, column: 0))
        await probe.close()

        let app = Application(
            router: WebServer.router(
                access: StoreAccess(databaseURL: database.url, logger: Self.logger),
                readAccess: StoreAccess(databaseURL: standbyURL, logger: Self.logger)))
        try await app.test(.router) { client in
            #expect(try await Self.get(client, "/api/v1/commitments/c-talent").0 == .ok)
            #expect(try await Self.get(client, "/api/v1/commitments/c-townhall").0 == .notFound)
            try await Self.log([Self.fixtures[2]], url: database.url)
            let worker = try await ConsultProcess.run(["project"], environment: ["CONSULT_DATABASE_URL": database.url])
            #expect(worker.status == 0, "\(worker.stderr)")
            var seen = false
            for _ in 0..<300 where !seen {
                seen = try await Self.get(client, "/api/v1/commitments/c-townhall").0 == .ok
                if !seen { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(seen, "the new commitment never reached the replica's views")
            #expect(try await Self.get(client, "/healthz").0 == .ok)
            // Pages say they were read from a standby, and how far behind it is.
            let (status, page) = try await Self.get(client, "/commitments?lang=en")
            #expect(status == .ok)
            #expect(page.contains("Read from a standby"), "\(page.prefix(2000))")
        }
    }
}

/// Requests the server refuses before reading anything.
@Suite("web: bounds on a request")
struct RequestBoundsTests {
    @Test("an address longer than 4 KiB is a 414 problem+json; every answer carries nosniff and the CSP")
    func longAddress() async throws {
        let access = StoreAccess(
            databaseURL: "postgresql://nobody@/none?host=/nonexistent-folder&port=5999",
            logger: Logger(label: "consult.web.tests"))
        let app = Application(router: WebServer.router(access: access))
        try await app.test(.router) { client in
            let long = "/api/v1/search?q=" + String(repeating: "가", count: 2000)
            try await client.execute(uri: long, method: .get) { response in
                #expect(response.status == .uriTooLong)
                #expect(response.headers[.contentType] == "application/problem+json; charset=utf-8")
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
                #expect(response.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
            }
            try await client.execute(uri: "/api/v1/no-such-list", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == "application/problem+json; charset=utf-8")
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
            }
            // A person's browser gets a page, in the language asked for, and a way back.
            try await client.execute(uri: "/no/such/page?lang=en", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                let page = String(buffer: response.body)
                #expect(page.contains("Nothing is at /no/such/page"), "\(page)")
                #expect(page.contains("<html lang=\"en\""))
                #expect(response.headers[.contentSecurityPolicy] != nil)
            }
        }
    }
}

/// `consult serve` as a process: the server's own options.
@Suite("web: consult serve, the process")
struct ServeProcessTests {
    static let fixture =
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ConsultCLITests/Fixtures/views-batch1.jsonl").path

    /// A port nothing listens on now (the kernel's pick for a socket bound to port 0).
    static func freePort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafeMutablePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                guard bind(socket, raw, length) == 0, getsockname(socket, raw, &length) == 0 else {
                    throw CocoaError(.fileReadUnknown)
                }
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The largest lag of any view, as `consult status --format json` says.
    static func largestLag(_ url: String) async throws -> Int {
        let status = try await ConsultProcess.run(
            ["status", "--format", "json"], environment: ["CONSULT_DATABASE_URL": url])
        let views = try JSONValue.parse(status.stdout).arrayValue?.first?.objectValue?["views"]?.arrayValue ?? []
        let lags = views.compactMap { view -> Int? in
            guard case .number(let text)? = view.objectValue?["lag"] else { return nil }
            return Int(text)
        }
        return lags.max() ?? -1
    }

    @Test("--with-worker brings the views up to date with no request made; consult serve runs the server")
    func withWorker() async throws {
        let database = try await TestDatabase.create()
        let logged = try await ConsultProcess.run(
            ["log", "--file", Self.fixture], environment: ["CONSULT_DATABASE_URL": database.url])
        #expect(logged.status == 0, "\(logged.stderr)")
        #expect(try await Self.largestLag(database.url) > 0, "log leaves the views behind")
        let port = try Self.freePort()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("consult-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try SpawnedProcess.spawn(
            ConsultProcess.executable.path, ["serve", "--port", String(port), "--with-worker", "--time-zone", "UTC"],
            environment: ConsultProcess.cleanEnvironment().merging(["CONSULT_DATABASE_URL": database.url]) { $1 },
            input: nil, output: folder.appendingPathComponent("out").path,
            error: folder.appendingPathComponent("err").path)
        defer { kill(server.pid, SIGTERM) }
        var lag = -1
        for _ in 0..<600 where lag != 0 {
            lag = try await Self.largestLag(database.url)
            if lag != 0 { try await Task.sleep(for: .milliseconds(100)) }
        }
        let errors = (try? String(contentsOf: folder.appendingPathComponent("err"), encoding: .utf8)) ?? ""
        #expect(lag == 0, "the views never caught up: \(errors)")
        #expect(server.isRunning, "the server stopped: \(errors)")
    }
}
