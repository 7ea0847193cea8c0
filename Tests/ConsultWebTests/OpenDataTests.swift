import ConsultCore
import ConsultDomain
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Projections
import TestSupport
import Testing

@testable import ConsultWeb

/// The open-data downloads are the CLI's output, byte for byte, and `/data` describes every field.
@Suite("web: open data")
struct OpenDataTests {
    @Test("commitments.csv, commitments.json and requests.csv are the CLI's --format csv|json, byte for byte")
    func rowsEqualTheCLI() async throws {
        let (app, database) = try await APITests.app(APITests.fixtures)
        let cases: [(path: String, cli: [String])] = [
            ("/data/commitments.csv", ["commitments", "--format", "csv"]),
            (
                "/data/commitments.csv?outstanding=true&asOf=2023-03-20",
                ["commitments", "--format", "csv", "--outstanding", "--as-of", "2023-03-20"]
            ),
            (
                "/data/commitments.csv?owner=msit&recordedAsOf=2030-01-01T00:00:00Z",
                ["commitments", "--format", "csv", "--owner", "msit", "--recorded-as-of", "2030-01-01T00:00:00Z"]
            ),
            ("/data/commitments.json", ["commitments", "--format", "json"]),
            (
                "/data/commitments.json?topic=compute&asOf=2024-09-01",
                ["commitments", "--format", "json", "--topic", "compute", "--as-of", "2024-09-01"]
            ),
            ("/data/requests.csv", ["requests", "--format", "csv"]),
            (
                "/data/requests.csv?unanswered=true&asOf=2023-03-20",
                ["requests", "--format", "csv", "--unanswered", "--as-of", "2023-03-20"]
            ),
        ]
        let nonEmpty = try await app.test(.router) { client in
            var nonEmpty = 0
            for (path, arguments) in cases {
                let cli = try await ConsultProcess.run(arguments, environment: ["CONSULT_DATABASE_URL": database.url])
                #expect(cli.status == 0, "\(cli.stderr)")
                // A header and at least one row (CSV lines end in CRLF), or a non-empty JSON array.
                if cli.stdout.utf8.count(where: { $0 == UInt8(ascii: "\n") }) > 1
                    || cli.stdout.count > 4 && path.contains(".json")
                {
                    nonEmpty += 1
                }
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .ok, "\(path): \(String(buffer: response.body))")
                    let csv = path.contains(".csv")
                    #expect(
                        response.headers[.contentType]
                            == (csv ? "text/csv; charset=utf-8" : "application/json; charset=utf-8"))
                    let file = String(path.split(separator: "/").last!.split(separator: "?").first!)
                    #expect(response.headers[.contentDisposition] == "attachment; filename=\"\(file)\"")
                    #expect(String(buffer: response.body) == cli.stdout, "\(path)")
                }
            }
            return nonEmpty
        }
        #expect(nonEmpty >= 5, "too few of the cases have rows to compare")
    }

    @Test("events.jsonl is consult export, byte for byte, whole and since a position")
    func eventsEqualTheExport() async throws {
        let (app, database) = try await APITests.app([APITests.sample])
        try await app.test(.router) { client in
            for (query, arguments) in [("", ["export"]), ("?since=40", ["export", "--since", "40"])] {
                let export = try await ConsultProcess.run(
                    arguments, environment: ["CONSULT_DATABASE_URL": database.url])
                #expect(export.status == 0, "\(export.stderr)")
                #expect(export.stdout.split(separator: "\n").count > 50 || !query.isEmpty)
                try await client.execute(uri: "/data/events.jsonl" + query, method: .get) { response in
                    #expect(response.status == .ok, "\(String(buffer: response.body))")
                    #expect(response.headers[.contentType] == "application/x-ndjson")
                    #expect(response.headers[.contentDisposition] == "attachment; filename=\"events.jsonl\"")
                    #expect(String(buffer: response.body) == export.stdout, "events.jsonl\(query)")
                }
            }
        }
    }

    @Test("events.jsonl streams a log of several pages, and equals consult export")
    func eventsOfSeveralPages() async throws {
        // 2,500 events: three pages of the export, each handed from the connection's thread to the response.
        let lines = (1...2500).map { index in
            #"{"type":"StakeholderRegistered","data":{"stakeholderId":"s-\#(index)","name":"이해관계자 \#(index)","kind":"person","sector":"other"}}"#
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("many-\(UUID().uuidString).jsonl")
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let (app, database) = try await APITests.app([file.path])
        let export = try await ConsultProcess.run(["export"], environment: ["CONSULT_DATABASE_URL": database.url])
        #expect(export.status == 0, "\(export.stderr)")
        // In process, and over a real HTTP connection (the body streamed in chunks).
        for framework in [TestingSetup.router, .live] {
            try await app.test(framework) { client in
                try await client.execute(uri: "/data/events.jsonl", method: .get) { response in
                    #expect(response.status == .ok)
                    let body = String(buffer: response.body)
                    // 2,500 events in 2,500 streams, a head for each, and the end line.
                    #expect(body.utf8.count(where: { $0 == UInt8(ascii: "\n") }) == 5001)
                    #expect(body == export.stdout)
                }
            }
        }
    }

    /// Each export's last write (the heads and the end line) waited for the response on a thread
    /// of Swift concurrency's pool, as many as the machine has cores: two downloads ending at once
    /// held both here, and the server answered nothing more. The server runs as a process of its
    /// own, so that a server stuck that way fails this test (and is killed) instead of hanging it.
    @Test("eight downloads of events.jsonl at once all finish, and the server still answers")
    func concurrentDownloads() async throws {
        let database = try await TestDatabase.create()
        let logged = try await ConsultProcess.run(
            ["log", "--file", APITests.sample], environment: ["CONSULT_DATABASE_URL": database.url])
        #expect(logged.status == 0, "\(logged.stderr)")
        let export = try await ConsultProcess.run(["export"], environment: ["CONSULT_DATABASE_URL": database.url])
        let server = try await ServerProcess.start(databaseURL: database.url)
        defer { server.stop() }
        let downloads = 8
        let finished = try await withThrowingTaskGroup(of: Int?.self) { group in
            for _ in 0..<downloads {
                group.addTask {
                    try await TestClient.withClient(host: "127.0.0.1", port: server.port) { client in
                        let response = try await client.get("/data/events.jsonl")
                        return response.status == .ok
                            && (response.body.map { String(buffer: $0) } ?? "") == export.stdout ? 1 : 0
                    }
                }
            }
            group.addTask {
                try await Task.sleep(for: .seconds(60))
                return nil
            }
            var finished = 0
            for try await outcome in group {
                guard let outcome else {
                    // Stuck: the server is stopped, so that the downloads waiting on it end.
                    server.stop()
                    break
                }
                finished += outcome
                if finished == downloads { break }
            }
            group.cancelAll()
            return finished
        }
        #expect(finished == downloads, "\(finished) of \(downloads) downloads finished whole within 60 s")
        let health = try await TestClient.withClient(host: "127.0.0.1", port: server.port) { client in
            try await client.get("/healthz").status
        }
        #expect(health == .ok)
    }

    @Test(
        "a bad parameter is a 400 problem naming it",
        arguments: [
            ("/data/commitments.csv?asOf=2024-13-01", "asOf"), ("/data/commitments.json?status=done", "status"),
            ("/data/requests.csv?owner=msit", "owner"), ("/data/events.jsonl?since=yesterday-ish", "since"),
            ("/data/events.jsonl?limit=3", "limit"), ("/data?x=1", "x"),
        ])
    func refusals(_ path: String, _ name: String) async throws {
        let (app, _) = try await APITests.app(APITests.fixtures)
        try await app.test(.router) { client in
            try await client.execute(uri: path, method: .get) { response in
                #expect(response.status == .badRequest, "\(path)")
                #expect(response.headers[.contentType] == "application/problem+json; charset=utf-8")
                let detail = try JSONValue.parse(String(buffer: response.body)).objectValue?["detail"]?.stringValue
                #expect(detail?.contains(name) == true, "\(path): \(detail ?? "")")
            }
        }
    }

    @Test("/data describes every file and every field of its rows; /data.json says the same")
    func catalogue() async throws {
        let (app, _) = try await APITests.app(APITests.fixtures)
        try await app.test(.router) { client in
            try await client.execute(uri: "/data", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(response.headers[.contentSecurityPolicy] != nil)
                let html = String(buffer: response.body)
                for path in [
                    "/data/commitments.csv", "/data/commitments.json", "/data/requests.csv", "/data/events.jsonl",
                ] {
                    #expect(html.contains("<a href=\"\(path)\">"), "\(path)")
                }
                for key in CommitmentRow.keys + RequestRow.keys {
                    #expect(html.contains("<code>\(key)</code>"), "\(key) is not described")
                }
                #expect(!html.contains("style="))
                #expect(!html.contains("<script"))
            }
            try await client.execute(uri: "/data.json", method: .get) { response in
                #expect(response.status == .ok)
                let files = try #require(
                    try JSONValue.parse(String(buffer: response.body)).objectValue?["files"]?.arrayValue)
                func names(_ path: String) -> [String] {
                    let file = files.first { $0.objectValue?["path"]?.stringValue == path }?.objectValue
                    return (file?["fields"]?.arrayValue ?? []).compactMap { $0.objectValue?["name"]?.stringValue }
                }
                #expect(names("/data/commitments.csv") == CommitmentRow.keys)
                #expect(names("/data/commitments.json") == CommitmentRow.keys)
                #expect(names("/data/requests.csv") == RequestRow.keys)
                #expect(names("/data/events.jsonl").contains("recorded.hash"))
            }
        }
    }
}
