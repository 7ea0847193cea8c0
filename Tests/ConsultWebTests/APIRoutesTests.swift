import ConsultCore
import ConsultDomain
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import TestSupport
import Testing

@testable import ConsultWeb

/// The API's other routes against the CLI on the same database: follow-ups, stakeholders,
/// consultations and search list the CLI's rows; a record is its row; a history the CLI's events;
/// the status the CLI's. And what every answer carries: ETag and 304, problem+json, safety headers.
@Suite("web: the JSON API's routes")
struct APIRoutesTests {
    typealias Case = (query: String, cli: [String])

    /// The rows `consult arguments… --format json` prints.
    static func cli(_ arguments: [String], _ database: TestDatabase) async throws -> [JSONValue] {
        let run = try await ConsultProcess.run(
            arguments + ["--format", "json"], environment: ["CONSULT_DATABASE_URL": database.url])
        #expect(run.status == 0, "\(arguments): \(run.stderr)")
        return try #require(try JSONValue.parse(run.stdout).arrayValue, "\(arguments)")
    }

    /// For each case, the items of `route` equal the rows of `command`; how many cases had rows.
    static func compare(_ route: String, _ command: [String], _ cases: [Case], data: [String]) async throws -> Int {
        let (app, database) = try await APITests.app(data)
        return try await app.test(.router) { client in
            var nonEmpty = 0
            for (query, arguments) in cases {
                let rows = try await cli(command + arguments, database)
                if !rows.isEmpty { nonEmpty += 1 }
                try await client.execute(uri: "/api/v1/" + route + query, method: .get) { response in
                    #expect(response.status == .ok, "\(route)\(query): \(String(buffer: response.body))")
                    let object = try #require(try JSONValue.parse(String(buffer: response.body)).objectValue)
                    #expect(object.keys == ["items", "next", "asOf", "recordedAsOf"])
                    let items = try #require(object["items"]?.arrayValue, "\(route)\(query)")
                    #expect(items.map { $0.serialized() } == rows.map { $0.serialized() }, "\(route)\(query)")
                    #expect(object["next"] == .null)
                }
            }
            return nonEmpty
        }
    }

    static let fixtures = APITests.fixtures
    static let sample = [APITests.sample]

    @Test("follow-ups: items equal the CLI's rows, for filters and dates")
    func followUps() async throws {
        let cases: [Case] = [
            ("", []), ("?all=true", ["--all"]), ("?asOf=2023-05-01", ["--as-of", "2023-05-01"]),
            ("?asOf=2023-04-20&dueWithin=15", ["--as-of", "2023-04-20", "--due-within", "15"]),
            ("?asOf=2024-02-01&dueWithin=30&all=true", ["--as-of", "2024-02-01", "--due-within", "30", "--all"]),
            ("?asOf=2022-01-01&all=false", ["--as-of", "2022-01-01"]),
        ]
        let nonEmpty = try await Self.compare("follow-ups", ["follow-ups"], cases, data: Self.fixtures)
        #expect(nonEmpty >= 3, "too few of the cases have rows to compare")
    }

    @Test("stakeholders: items equal the CLI's rows, for filters and dates", arguments: ["sample", "fixtures"])
    func stakeholders(_ data: String) async throws {
        let cases: [Case] = [
            ("", []), ("?sector=government", ["--sector", "government"]), ("?kind=person", ["--kind", "person"]),
            ("?kind=organization&sector=startup", ["--kind", "organization", "--sector", "startup"]),
            ("?asOf=2023-03-20", ["--as-of", "2023-03-20"]),
            ("?recordedAsOf=2020-01-01", ["--recorded-as-of", "2020-01-01"]),
            (
                "?asOf=2024-09-01&recordedAsOf=2030-01-01T00:00:00Z",
                ["--as-of", "2024-09-01", "--recorded-as-of", "2030-01-01T00:00:00Z"]
            ),
        ]
        let nonEmpty = try await Self.compare(
            "stakeholders", ["stakeholders"], cases, data: data == "sample" ? Self.sample : Self.fixtures)
        #expect(nonEmpty >= 4, "too few of the cases have rows to compare")
    }

    @Test("consultations: items equal the CLI's rows, for dates", arguments: ["sample", "fixtures"])
    func consultations(_ data: String) async throws {
        let cases: [Case] = [
            ("", []), ("?asOf=2023-03-20", ["--as-of", "2023-03-20"]), ("?asOf=2020-01-01", ["--as-of", "2020-01-01"]),
            ("?recordedAsOf=2020-01-01", ["--recorded-as-of", "2020-01-01"]),
            ("?recordedAsOf=2030-01-01", ["--recorded-as-of", "2030-01-01"]),
            (
                "?asOf=2023-12-31&recordedAsOf=2030-01-01T09:00:00%2B09:00",
                ["--as-of", "2023-12-31", "--recorded-as-of", "2030-01-01T09:00:00+09:00"]
            ),
        ]
        let nonEmpty = try await Self.compare(
            "consultations", ["consultations"], cases, data: data == "sample" ? Self.sample : Self.fixtures)
        #expect(nonEmpty >= 3, "too few of the cases have rows to compare")
    }

    @Test("search: items equal the CLI's rows, for texts, kinds and topics")
    func search() async throws {
        let texts = ["AI", "스타트업", "gpu", "데이터", "nothing-like-this-anywhere"]
        var cases: [Case] = []
        for text in texts {
            let encoded = text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
            cases += [
                ("?q=\(encoded)", [text]), ("?q=\(encoded)&kind=request", [text, "--kind", "request"]),
                ("?q=\(encoded)&kind=stakeholder", [text, "--kind", "stakeholder"]),
                ("?q=\(encoded)&topic=compute", [text, "--topic", "compute"]),
            ]
        }
        let nonEmpty = try await Self.compare("search", ["search"], cases, data: Self.sample)
        #expect(nonEmpty >= 6, "too few of the cases have rows to compare")
    }

    @Test(
        "a record is its row in the CLI's list, on each date; an id not in the list is a 404",
        arguments: ["sample", "fixtures"])
    func records(_ data: String) async throws {
        let (app, database) = try await APITests.app(data == "sample" ? Self.sample : Self.fixtures)
        let routes: [(route: String, command: String, key: String)] = [
            ("commitments", "commitments", "commitmentId"), ("stakeholders", "stakeholders", "stakeholderId"),
            ("consultations", "consultations", "consultationId"),
        ]
        let dates: [Case] = [
            ("", []), ("?asOf=2023-03-20", ["--as-of", "2023-03-20"]),
            ("?recordedAsOf=2020-01-01", ["--recorded-as-of", "2020-01-01"]),
        ]
        try await app.test(.router) { client in
            var found = 0
            var missing = 0
            for (route, command, key) in routes {
                let every = try await Self.cli([command], database).compactMap { $0.objectValue?[key]?.stringValue }
                #expect(!every.isEmpty, "\(route)")
                for (query, arguments) in dates {
                    let rows = try await Self.cli([command] + arguments, database)
                    let listed = Set(rows.compactMap { $0.objectValue?[key]?.stringValue })
                    for row in rows {
                        let id = try #require(row.objectValue?[key]?.stringValue)
                        try await client.execute(uri: "/api/v1/\(route)/\(id)\(query)", method: .get) { response in
                            #expect(response.status == .ok, "\(route)/\(id)\(query)")
                            #expect(String(buffer: response.body) == row.serialized() + "\n", "\(route)/\(id)\(query)")
                            #expect(response.headers[.eTag] != nil)
                        }
                        found += 1
                    }
                    for id in every where !listed.contains(id) {
                        try await client.execute(uri: "/api/v1/\(route)/\(id)\(query)", method: .get) { response in
                            #expect(response.status == .notFound, "\(route)/\(id)\(query)")
                        }
                        missing += 1
                    }
                }
                try await client.execute(uri: "/api/v1/\(route)/no-such-record", method: .get) { response in
                    #expect(response.status == .notFound)
                    #expect(response.headers[.contentType] == "application/problem+json; charset=utf-8")
                    let detail = try JSONValue.parse(String(buffer: response.body)).objectValue?["detail"]?.stringValue
                    #expect(detail?.contains("no-such-record") == true, "\(detail ?? "")")
                }
                try await client.execute(uri: "/api/v1/\(route)/x?limit=1", method: .get) { response in
                    #expect(response.status == .badRequest, "a record takes no limit")
                }
            }
            #expect(found >= 10 && missing >= 3, "found \(found), missing \(missing)")
        }
    }

    @Test("history: items equal consult history ID --format json; an unknown id is a 404")
    func history() async throws {
        let (app, database) = try await APITests.app(Self.fixtures)
        let commitments = try await Self.cli(["commitments"], database).compactMap {
            $0.objectValue?["commitmentId"]?.stringValue
        }
        let ids = commitments + ["c-retracted", "msit", "kakao", "dialogue-3", "req-gpu"]
        try await app.test(.router) { client in
            for id in ids {
                let events = try await Self.cli(["history", id], database)
                #expect(!events.isEmpty, "\(id)")
                try await client.execute(uri: "/api/v1/history/\(id)", method: .get) { response in
                    #expect(response.status == .ok, "\(id): \(String(buffer: response.body))")
                    let object = try #require(try JSONValue.parse(String(buffer: response.body)).objectValue)
                    let items = try #require(object["items"]?.arrayValue)
                    #expect(items.map { $0.serialized() } == events.map { $0.serialized() }, "\(id)")
                }
                // An event's own id finds it too.
                let eventID = try #require(events.first?.objectValue?["id"]?.stringValue)
                try await client.execute(uri: "/api/v1/history/\(eventID)", method: .get) { response in
                    #expect(response.status == .ok, "\(eventID)")
                }
            }
            // Nothing was recorded by 2020: every event is left out.
            try await client.execute(uri: "/api/v1/history/msit?recordedAsOf=2020-01-01", method: .get) { response in
                let object = try #require(try JSONValue.parse(String(buffer: response.body)).objectValue)
                #expect(object["items"] == .array([]))
                #expect(object["recordedAsOf"]?.stringValue?.hasPrefix("2020-01-01") == true)
            }
            try await client.execute(uri: "/api/v1/history/no-such-record", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == "application/problem+json; charset=utf-8")
            }
        }
    }

    @Test("status: the object of consult status --format json, but for what changes between two reads")
    func status() async throws {
        let (app, database) = try await APITests.app(Self.sample)
        try await app.test(.router) { client in
            let web = try await client.execute(uri: "/api/v1/status", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                return try #require(try JSONValue.parse(String(buffer: response.body)).objectValue)
            }
            let cli = try #require(try await Self.cli(["status"], database).first?.objectValue)
            #expect(web.keys == cli.keys)
            for key in ["eventCount", "lastPosition", "readableHead"] {
                #expect(web[key] == cli[key], "\(key)")
            }
            #expect(web["eventCount"] == .number("122"))
            let stable = { (object: JSONObject) -> [JSONValue] in
                (object["views"]?.arrayValue ?? []).map { view in
                    var view = view.objectValue ?? JSONObject()
                    view["updatedAt"] = nil
                    return .object(view)
                }
            }
            #expect(stable(web) == stable(cli))
            #expect(!stable(web).isEmpty)
            try await client.execute(uri: "/api/v1/status?verbose=true", method: .get) { response in
                #expect(response.status == .badRequest)
            }
        }
    }

    @Test("HEAD answers as GET does, status and headers, without the body")
    func head() async throws {
        let (app, _) = try await APITests.app(Self.sample)
        try await app.test(.router) { client in
            for uri in [
                "/", "/commitments?outstanding=1", "/api/v1/commitments",
                "/api/v1/consultations/ai-strategy-dialogue-3",
                "/api/v1/openapi.json", "/data/commitments.csv", "/data/events.jsonl", "/feeds/commitments.atom",
                "/nowhere", "/api/v1/nowhere",
            ] {
                let get = try await client.execute(uri: uri, method: .get) { $0 }
                try await client.execute(uri: uri, method: .head) { response in
                    #expect(response.status == get.status, "\(uri)")
                    #expect(response.body.readableBytes == 0, "\(uri)")
                    for name in [HTTPFields.Element.Name.contentType, .eTag, .cacheControl, .contentSecurityPolicy] {
                        #expect(response.headers[name] == get.headers[name], "\(uri): \(name)")
                    }
                    if let length = get.headers[.contentLength] {
                        #expect(response.headers[.contentLength] == length, "\(uri)")
                    }
                }
            }
        }
    }

    @Test("ETag: 304 with no body for If-None-Match; a new event changes it")
    func entityTags() async throws {
        let (app, database) = try await APITests.app(Self.sample)
        try await app.test(.router) { client in
            let uris = [
                "/api/v1/commitments", "/api/v1/stakeholders?kind=person",
                "/api/v1/consultations/ai-strategy-dialogue-3",
                "/api/v1/status", "/api/v1/search?q=AI", "/api/v1/history/msit",
            ]
            var tags: [String: String] = [:]
            for uri in uris {
                let tag = try await client.execute(uri: uri, method: .get) { response in
                    try #require(response.headers[.eTag], "\(uri): \(response.status)")
                }
                #expect(tag.hasPrefix("W/\""), "\(uri): \(tag)")
                tags[uri] = tag
                try await client.execute(uri: uri, method: .get, headers: [.ifNoneMatch: tag]) { response in
                    #expect(response.status == .notModified, "\(uri)")
                    #expect(response.body.readableBytes == 0, "\(uri)")
                    #expect(response.headers[.eTag] == tag)
                }
                try await client.execute(uri: uri, method: .get, headers: [.ifNoneMatch: "W/\"other\", \(tag)"]) {
                    response in #expect(response.status == .notModified, "\(uri): a list of tags")
                }
                try await client.execute(uri: uri, method: .get, headers: [.ifNoneMatch: "W/\"other\""]) {
                    response in #expect(response.status == .ok, "\(uri)")
                }
            }
            let event = """
                {"type":"StakeholderRegistered","data":{"stakeholderId":"etag-newcomer","name":"New","kind":"person","sector":"other"}}

                """
            let logged = try await ConsultProcess.run(
                ["log", "--file", "-"], environment: ["CONSULT_DATABASE_URL": database.url], stdin: Data(event.utf8))
            #expect(logged.status == 0, "\(logged.stderr)")
            // The views take the event in once no older transaction holds it back (another test's, on
            // the shared cluster, may for a while): until then the old tag is still right.
            let deadline = ContinuousClock.now + .seconds(60)
            var seen = false
            while !seen, ContinuousClock.now < deadline {
                seen = try await client.execute(uri: "/api/v1/stakeholders/etag-newcomer", method: .get) {
                    $0.status == .ok
                }
                if !seen { try await Task.sleep(for: .milliseconds(200)) }
            }
            #expect(seen, "the new stakeholder never showed")
            for uri in uris {
                let old = try #require(tags[uri])
                try await client.execute(uri: uri, method: .get, headers: [.ifNoneMatch: old]) { response in
                    #expect(response.status == .ok, "\(uri): the old tag is stale")
                    #expect(response.headers[.eTag] != old, "\(uri)")
                    #expect(response.headers[.eTag] != nil, "\(uri)")
                }
            }
        }
    }

    @Test("an unknown route is a 404 problem+json; every answer carries nosniff and the CSP")
    func unknownRoutesAndHeaders() async throws {
        let (app, _) = try await APITests.app(Self.sample)
        try await app.test(.router) { client in
            for uri in ["/api/v1/nothing", "/api/v2/commitments", "/feeds/nothing", "/api/v1/commitments/a/b"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .notFound, "\(uri)")
                    #expect(response.headers[.contentType] == "application/problem+json; charset=utf-8", "\(uri)")
                    let object = try #require(try JSONValue.parse(String(buffer: response.body)).objectValue)
                    #expect(object["status"] == .number("404"))
                    #expect(object["detail"]?.stringValue?.contains("openapi.json") == true)
                }
            }
            let tag = try await client.execute(uri: "/api/v1/commitments", method: .get) { $0.headers[.eTag] ?? "" }
            let requests: [(String, HTTPFields)] = [
                ("/api/v1/commitments", [:]), ("/api/v1/commitments", [.ifNoneMatch: tag]),
                ("/api/v1/commitments?limit=0", [:]), ("/api/v1/commitments/none", [:]), ("/api/v1/nothing", [:]),
                ("/api/v1/openapi.json", [:]), ("/api/v1/status", [:]), ("/healthz", [:]),
                ("/api/v1/search?q=AI", [:]), ("/api/v1/history/msit", [:]), ("/api/v1/follow-ups", [:]),
            ]
            var statuses: Set<Int> = []
            for (uri, headers) in requests {
                try await client.execute(uri: uri, method: .get, headers: headers) { response in
                    statuses.insert(response.status.code)
                    #expect(response.headers[.xContentTypeOptions] == "nosniff", "\(uri)")
                    #expect(
                        response.headers[.contentSecurityPolicy] == SafetyHeaders<BasicRequestContext>.policy, "\(uri)")
                    #expect(response.headers[.contentSecurityPolicy]?.contains("'unsafe-inline'") == false)
                }
            }
            #expect(statuses == [200, 304, 400, 404])
        }
    }
}

extension APIRoutesTests {
    @Test(
        "a flag takes true or false only; a NUL or a value over 1000 characters is a 400 naming the parameter",
        arguments: [
            ("/api/v1/commitments?outstanding=1", "outstanding"), ("/api/v1/commitments?outstanding=", "outstanding"),
            ("/api/v1/commitments?overdue=TRUE", "overdue"), ("/api/v1/requests?unanswered=0", "unanswered"),
            ("/api/v1/follow-ups?all=yes", "all"), ("/api/v1/search?q=%00abc", "q"),
            ("/api/v1/commitments?topic=a%00b", "topic"), ("/api/v1/stakeholders/msit?asOf=%00", "asOf"),
            ("/api/v1/requests?to=" + String(repeating: "a", count: 1001), "to"),
        ])
    func strictValues(_ uri: String, _ name: String) async throws {
        try await OpenAPIDocumentTests.app().test(.router) { client in
            try await client.execute(uri: uri, method: .get) { response in
                #expect(response.status == .badRequest, "\(uri)")
                let detail = try JSONValue.parse(String(buffer: response.body)).objectValue?["detail"]?.stringValue
                #expect(detail?.hasPrefix(name + " ") == true, "\(uri): \(detail ?? "")")
            }
        }
    }
}
