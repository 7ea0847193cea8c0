import ConsultCore
import ConsultDomain
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import TestSupport
import Testing

@testable import ConsultWeb

/// Stored texts written to attack the pages: every one must show as text, never as markup, a
/// script, an event handler or a link to another scheme.
@Suite("web: pages, hostile text")
struct PagesHostileTextTests {
    static let script = "<script>alert(1)</script>"
    static let image = "\"><img src=x onerror=alert(2)>"
    static let title = "</title><script>alert(3)</script>"
    static let svg = "'><svg onload=alert(4)>"
    static let bidi = "evil\u{202E}gnp.exe"
    static let invisible = "zero\u{200B}width"
    /// Valid for the log (http, no spaces), hostile in an attribute.
    static let url = "https://example.com/\"><script>alert(5)</script>"

    static func line(_ type: String, _ id: String, _ data: JSONObject) -> String {
        var object = JSONObject()
        object["type"] = .string(type)
        object["id"] = .string(id)
        object["data"] = .object(data)
        object["metadata"] = .object(JSONObject([("recordedBy", .string(script))]))
        return JSONValue.object(object).serialized()
    }

    static func object(_ members: [(String, JSONValue)]) -> JSONObject {
        JSONObject(members.map { (key: $0.0, value: $0.1) })
    }

    /// A stakeholder, a consultation, a statement, a request, a commitment, its progress and
    /// follow-up, a correction and a retraction, each with hostile texts.
    static var events: String {
        let source = JSONValue.object(
            object([("publisher", .string(image)), ("title", .string(svg)), ("url", .string(url))]))
        return [
            line(
                "StakeholderRegistered", "00000000-0000-4000-8000-000000000001",
                object([
                    ("stakeholderId", .string("hostile-org")), ("name", .string(script + bidi)),
                    ("kind", .string("organization")), ("sector", .string("government")),
                    ("aliases", .array([.string(title), .string(invisible)])),
                ])),
            line(
                "StakeholderRegistered", "00000000-0000-4000-8000-000000000002",
                object([
                    ("stakeholderId", .string("hostile-person")), ("name", .string(image)),
                    ("kind", .string("person")), ("sector", .string("government")), ("title", .string(title)),
                    ("party", .string(svg)), ("affiliationId", .string("hostile-org")),
                ])),
            line(
                "StakeholderChanged", "00000000-0000-4000-8000-000000000003",
                object([
                    ("stakeholderId", .string("hostile-person")), ("on", .string("2024-02-01")),
                    ("title", .string(script)),
                ])),
            line(
                "ConsultationHeld", "00000000-0000-4000-8000-000000000004",
                object([
                    ("consultationId", .string("hostile-consultation")), ("kind", .string("forum")),
                    ("title", .string(title)), ("date", .string("2024-01-10")), ("venue", .string(bidi)),
                    ("organizerIds", .array([.string("hostile-org")])),
                    (
                        "participants",
                        .array([
                            .object(object([("stakeholderId", .string("hostile-person")), ("role", .string("host"))]))
                        ])
                    ),
                    ("sources", .array([source])),
                ])),
            line(
                "StatementRecorded", "00000000-0000-4000-8000-000000000005",
                object([
                    ("consultationId", .string("hostile-consultation")), ("statementId", .string("hostile-statement")),
                    ("speakerId", .string("hostile-person")), ("summary", .string(image)),
                    ("topics", .array([.string("script")])), ("quote", .string(script)),
                ])),
            line(
                "RequestMade", "00000000-0000-4000-8000-000000000006",
                object([
                    ("consultationId", .string("hostile-consultation")), ("requestId", .string("hostile-request")),
                    ("requesterId", .string("hostile-person")), ("addressedToIds", .array([.string("hostile-org")])),
                    ("summary", .string(svg)), ("topics", .array([])),
                ])),
            line(
                "CommitmentMade", "00000000-0000-4000-8000-000000000007",
                object([
                    ("commitmentId", .string("hostile-commitment")),
                    ("consultationId", .string("hostile-consultation")),
                    ("madeById", .string("hostile-person")), ("ownerId", .string("hostile-org")),
                    ("summary", .string(script + " " + image)), ("topics", .array([.string("script")])),
                    ("due", .string("2024-06-30")), ("dueText", .string(title)),
                    ("respondsToRequestIds", .array([.string("hostile-request")])),
                ])),
            line(
                "CommitmentProgressed", "00000000-0000-4000-8000-000000000008",
                object([
                    ("commitmentId", .string("hostile-commitment")), ("on", .string("2024-03-01")),
                    ("status", .string("in_progress")), ("note", .string(svg + invisible)),
                    ("evidence", .array([source])), ("revisedDue", .string("2024-12-31")),
                    ("reason", .string(title)),
                ])),
            line(
                "FollowUpScheduled", "00000000-0000-4000-8000-000000000009",
                object([
                    ("commitmentId", .string("hostile-commitment")), ("checkOn", .string("2024-04-01")),
                    ("assignee", .string(image)), ("note", .string(script)),
                ])),
            line(
                "RecordCorrected", "00000000-0000-4000-8000-00000000000a",
                object([
                    ("correctsEventId", .string("00000000-0000-4000-8000-000000000008")),
                    ("reason", .string(script)), ("changes", .object(object([("note", .string(image))]))),
                ])),
            line(
                "RecordRetracted", "00000000-0000-4000-8000-00000000000b",
                object([
                    ("retractsEventId", .string("00000000-0000-4000-8000-000000000009")),
                    ("reason", .string(svg)),
                ])),
        ].joined(separator: "\n") + "\n"
    }

    static let routes = [
        "/", "/?lang=en", "/commitments", "/commitments/hostile-commitment", "/commitments/hostile-commitment?lang=en",
        "/consultations", "/consultations/hostile-consultation", "/stakeholders/hostile-person",
        "/stakeholders/hostile-org", "/requests", "/search?q=script", "/search?q=%3Cscript%3E", "/search?q=onerror",
    ]

    @Test("every page shows hostile stored texts as inert, escaped text")
    func hostileTextIsInert() async throws {
        let database = try await TestDatabase.create()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString).jsonl")
        try Self.events.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let logged = try await ConsultProcess.run(
            ["log", "--file", file.path], environment: ["CONSULT_DATABASE_URL": database.url])
        try #require(logged.status == 0, "\(logged.stderr)")
        try await PagesTests.catchUp(database)
        // The log refuses a URL of another scheme; the pages do not rely on that (see `escaping`).
        let javascript = try await ConsultProcess.run(
            [
                "log", "progress", "--commitment-id", "hostile-commitment", "--on", "2024-05-01", "--status",
                "stalled", "--note", "x", "--evidence", "publisher=p,url=javascript:alert(1)",
            ], environment: ["CONSULT_DATABASE_URL": database.url])
        #expect(javascript.status == 65, "the log took a javascript: URL: \(javascript.stdout)")
        #expect(javascript.stderr.contains("http(s) URL"), "\(javascript.stderr)")

        let access = StoreAccess(databaseURL: database.url, logger: Logger(label: "consult.web.tests"))
        let app = Application(router: WebServer.router(access: access))
        try await app.test(.router) { client in
            var seen = ""
            for route in Self.routes {
                let page = try await client.page(route)
                #expect(page.status == .ok, "\(route): \(page.body.prefix(500))")
                let lowered = page.body.lowercased()
                #expect(!lowered.contains("<script"), "\(route): a script tag")
                #expect(!lowered.contains("<img"), "\(route): an img tag")
                #expect(!lowered.contains("<svg"), "\(route): an svg tag")
                #expect(!lowered.contains("href=\"javascript:"), "\(route)")
                #expect(!page.body.contains("\u{202E}"), "\(route): a bidi override")
                #expect(PageAnswer.blocksInParagraphs(page.body).isEmpty, "\(route): a block inside a <p>")
                // No tag carries an event handler, and every link is the site's own or http(s).
                for tag in PageAnswer.matches(#"(<[a-zA-Z][^>]*>)"#, in: page.body) {
                    #expect(
                        PageAnswer.matches(#"\s(on[a-z]+)="#, in: tag).isEmpty, "\(route): handler in \(tag)")
                }
                for href in PageAnswer.matches(#"href="([^"]*)""#, in: page.body) {
                    #expect(
                        href.hasPrefix("/") && !href.hasPrefix("//") || href.hasPrefix("#")
                            || href.hasPrefix("https://example.com/"),
                        "\(route): link to \(href)")
                }
                // One title, with no markup in it.
                let titles = PageAnswer.matches(#"<title>(.*?)</title>"#, in: page.body)
                #expect(titles.count == 1, "\(route)")
                #expect(titles.allSatisfy { !$0.contains("<") }, "\(route): \(titles)")
                seen += page.body
            }
            // The texts are there, escaped.
            for escaped in [
                "&lt;script&gt;alert(1)&lt;/script&gt;", "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;",
                "&lt;/title&gt;&lt;script&gt;alert(3)&lt;/script&gt;", "&#39;&gt;&lt;svg onload=alert(4)&gt;",
                "evil[U+202E]gnp.exe", "zero[U+200B]width",
                #"href="https://example.com/&quot;&gt;&lt;script&gt;alert(5)&lt;/script&gt;""#,
            ] {
                #expect(seen.contains(escaped), "\(escaped) is not shown")
            }
        }
    }
}
