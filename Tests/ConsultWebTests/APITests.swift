import ConsultCore
import ConsultDomain
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import TestSupport
import Testing

@testable import ConsultWeb

/// The JSON API, in process with Hummingbird's testing client, on the sample dataset: each item is
/// byte for byte a row of `consult commitments --format json`.
@Suite("web: the JSON API")
struct APITests {
    static let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples/sample-dataset.jsonl").path

    /// The CLI tests' fixtures: several commitments, slips, corrections and retractions.
    static let fixtures = (1...3).map {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("ConsultCLITests/Fixtures/views-batch\($0).jsonl").path
    }

    /// A database with `files` logged (the sample dataset by default) and the app over it.
    static func app(_ files: [String] = [sample]) async throws -> (some ApplicationProtocol, TestDatabase) {
        let database = try await TestDatabase.create()
        for file in files {
            let logged = try await ConsultProcess.run(
                ["log", "--file", file], environment: ["CONSULT_DATABASE_URL": database.url])
            #expect(logged.status == 0, "\(logged.stderr)")
        }
        let access = StoreAccess(databaseURL: database.url, logger: Logger(label: "consult.web.tests"))
        return (Application(router: WebServer.router(access: access, heldBackWait: 60)), database)
    }

    @Test(
        "commitments: items equal the CLI's --format json rows, for filters and dates",
        arguments: ["sample", "fixtures"])
    func commitmentsEqualTheCLI(_ data: String) async throws {
        let (app, database) = try await Self.app(data == "sample" ? [Self.sample] : Self.fixtures)
        let cases: [(query: String, cli: [String])] = [
            ("", []),
            ("?outstanding=true", ["--outstanding"]),
            ("?asOf=2023-03-20", ["--as-of", "2023-03-20"]),
            ("?owner=msit&asOf=2024-06-30", ["--owner", "msit", "--as-of", "2024-06-30"]),
            ("?status=open&status=in_progress", ["--status", "open", "--status", "in_progress"]),
            ("?sector=government&overdue=true", ["--sector", "government", "--overdue"]),
            ("?recordedAsOf=2020-01-01", ["--recorded-as-of", "2020-01-01"]),
            ("?asOf=2024-09-01&topic=compute", ["--as-of", "2024-09-01", "--topic", "compute"]),
            (
                "?asOf=2024-09-01&recordedAsOf=2030-01-01T00:00:00Z",
                ["--as-of", "2024-09-01", "--recorded-as-of", "2030-01-01T00:00:00Z"]
            ),
        ]
        let nonEmpty = try await app.test(.router) { client in
            var nonEmpty = 0
            for (query, arguments) in cases {
                let cli = try await ConsultProcess.run(
                    ["commitments", "--format", "json"] + arguments, environment: ["CONSULT_DATABASE_URL": database.url]
                )
                #expect(cli.status == 0, "\(cli.stderr)")
                let rows = try #require(try JSONValue.parse(cli.stdout).arrayValue)
                if !rows.isEmpty { nonEmpty += 1 }
                try await client.execute(uri: "/api/v1/commitments" + query, method: .get) { response in
                    #expect(response.status == .ok, "\(query): \(String(buffer: response.body))")
                    #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                    let body = try JSONValue.parse(String(buffer: response.body))
                    let object = try #require(body.objectValue, "\(query)")
                    let items = try #require(object["items"]?.arrayValue, "\(query)")
                    #expect(items.map { $0.serialized() } == rows.map { $0.serialized() }, "\(query)")
                    #expect(object["next"] == .null)
                    let asOf = arguments.firstIndex(of: "--as-of").map { arguments[$0 + 1] }
                    #expect(object["asOf"] == .string(asOf ?? TimeArguments.today().description), "\(query)")
                }
            }
            return nonEmpty
        }
        // The sample holds one commitment; the fixtures several.
        #expect(nonEmpty >= (data == "sample" ? 3 : 6), "too few of the cases have rows to compare")
    }

    @Test(
        "requests: items equal the CLI's --format json rows, for filters and dates", arguments: ["sample", "fixtures"])
    func requestsEqualTheCLI(_ data: String) async throws {
        let (app, database) = try await Self.app(data == "sample" ? [Self.sample] : Self.fixtures)
        let cases: [(query: String, cli: [String])] = [
            ("", []),
            ("?unanswered=true", ["--unanswered"]),
            ("?to=msit", ["--to", "msit"]),
            ("?asOf=2023-03-20&unanswered=true", ["--as-of", "2023-03-20", "--unanswered"]),
            ("?topic=compute", ["--topic", "compute"]),
            ("?recordedAsOf=2020-01-01", ["--recorded-as-of", "2020-01-01"]),
        ]
        let nonEmpty = try await app.test(.router) { client in
            var nonEmpty = 0
            for (query, arguments) in cases {
                let cli = try await ConsultProcess.run(
                    ["requests", "--format", "json"] + arguments, environment: ["CONSULT_DATABASE_URL": database.url])
                #expect(cli.status == 0, "\(cli.stderr)")
                let rows = try #require(try JSONValue.parse(cli.stdout).arrayValue)
                if !rows.isEmpty { nonEmpty += 1 }
                try await client.execute(uri: "/api/v1/requests" + query, method: .get) { response in
                    #expect(response.status == .ok, "\(query): \(String(buffer: response.body))")
                    let object = try #require(try JSONValue.parse(String(buffer: response.body)).objectValue)
                    let items = try #require(object["items"]?.arrayValue, "\(query)")
                    #expect(items.map { $0.serialized() } == rows.map { $0.serialized() }, "\(query)")
                }
            }
            return nonEmpty
        }
        #expect(nonEmpty >= 3, "too few of the cases have rows to compare")
    }

    @Test(
        "requests: an invalid parameter is a 400 naming it",
        arguments: [
            ("?unanswered=maybe", "unanswered"), ("?asOf=2024-13-01", "asOf"), ("?to=nobody-at-all", "to"),
            ("?owner=msit", "owner"), ("?limit=1001", "limit"),
        ])
    func invalidRequestParameters(_ query: String, _ name: String) async throws {
        let (app, _) = try await Self.app()
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/v1/requests" + query, method: .get) { response in
                #expect(response.status == .badRequest, "\(query)")
                let object = try #require(try JSONValue.parse(String(buffer: response.body)).objectValue)
                let detail = object["detail"]?.stringValue ?? ""
                #expect(detail.contains(name), "\(query): \(detail)")
            }
        }
    }

    @Test("limit and cursor page through a list; next is null on the last page")
    func paging() async throws {
        let (app, _) = try await Self.app()
        try await app.test(.router) { client in
            // The sample holds one commitment: a limit of 1 is its only page.
            try await client.execute(uri: "/api/v1/commitments?limit=1", method: .get) { response in
                let object = try #require(try JSONValue.parse(String(buffer: response.body)).objectValue)
                #expect(object["items"]?.arrayValue?.count == 1)
                #expect(object["next"] == .null)
            }
            try await client.execute(uri: "/api/v1/commitments?limit=1&cursor=1", method: .get) { response in
                let object = try #require(try JSONValue.parse(String(buffer: response.body)).objectValue)
                #expect(object["items"]?.arrayValue?.isEmpty == true)
            }
            // 21 requests: pages of 8 give 8, 8 and 5, each next the following cursor.
            var cursor: String? = "0"
            var seen: [String] = []
            while let start = cursor {
                let page = try await client.execute(uri: "/api/v1/requests?limit=8&cursor=\(start)", method: .get) {
                    response in try #require(try JSONValue.parse(String(buffer: response.body)).objectValue)
                }
                seen += (page["items"]?.arrayValue ?? []).compactMap { $0.objectValue?["requestId"]?.stringValue }
                cursor = page["next"]?.stringValue
            }
            let whole = try await client.execute(uri: "/api/v1/requests", method: .get) { response in
                try #require(try JSONValue.parse(String(buffer: response.body)).objectValue)
            }
            let every = (whole["items"]?.arrayValue ?? []).compactMap { $0.objectValue?["requestId"]?.stringValue }
            #expect(seen == every)
            #expect(every.count > 8)
        }
    }

    @Test(
        "an invalid parameter is a 400 problem+json naming it",
        arguments: [
            ("?status=done", "status"), ("?asOf=yesterday", "asOf"), ("?recordedAsOf=soon", "recordedAsOf"),
            ("?outstanding=perhaps", "outstanding"), ("?limit=0", "limit"), ("?limit=x", "limit"),
            ("?cursor=-1", "cursor"), ("?sector=nowhere", "sector"), ("?colour=red", "colour"),
            ("?owner=nobody-at-all", "owner"), ("?outstanding=true&status=fulfilled", "outstanding"),
            ("?asOf=2024-01-01&asOf=2024-02-01", "asOf"),
        ])
    func invalidParameters(_ query: String, _ name: String) async throws {
        let (app, _) = try await Self.app()
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/v1/commitments" + query, method: .get) { response in
                #expect(response.status == .badRequest, "\(query)")
                #expect(response.headers[.contentType] == "application/problem+json; charset=utf-8")
                let object = try #require(try JSONValue.parse(String(buffer: response.body)).objectValue)
                #expect(object["status"] == .number("400"))
                let detail = object["detail"]?.stringValue ?? ""
                #expect(detail.contains(name), "\(query): \(detail)")
                #expect(detail.hasSuffix(".") || detail.hasSuffix("?"), "\(detail)")
            }
        }
    }

    @Test("healthz: 200 when the database answers, 503 problem+json when it does not")
    func health() async throws {
        let (app, _) = try await Self.app()
        try await app.test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
        let nowhere = StoreAccess(
            databaseURL: "postgresql://nobody@/none?host=/nonexistent-folder&port=5999",
            logger: Logger(label: "consult.web.tests"))
        let down = Application(router: WebServer.router(access: nowhere))
        try await down.test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.contentType] == "application/problem+json; charset=utf-8")
                #expect(!String(buffer: response.body).contains("nobody@"), "no URL in the answer")
            }
            try await client.execute(uri: "/api/v1/commitments", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
            }
        }
    }
}
