import ConsultCore
import ConsultDomain
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import TestSupport
import Testing

@testable import ConsultWeb

/// A page's answer, read whole.
struct PageAnswer {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: String

    /// The ids of the commitments the page's tables list, in order.
    var commitmentRows: [String] { Self.matches(#"<tr id="commitment-([^"]+)""#, in: body) }

    /// Block elements opened inside a paragraph (which a browser would close the paragraph
    /// before, breaking the layout).
    static func blocksInParagraphs(_ html: String) -> [String] {
        matches(#"(<p[ >](?:(?!</p>).)*?<(?:div|ul|ol|dl|table|blockquote|section|article|h[1-6])[ >])"#, in: html)
    }

    static func matches(_ pattern: String, in text: String) -> [String] {
        guard let expression = try? NSRegularExpression(pattern: pattern) else { return [] }
        return expression.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
    }
}

extension TestClientProtocol {
    func page(_ uri: String, headers: HTTPFields = [:]) async throws -> PageAnswer {
        try await execute(uri: uri, method: .get, headers: headers) { response in
            PageAnswer(status: response.status, headers: response.headers, body: String(buffer: response.body))
        }
    }
}

/// The HTML pages, in process with Hummingbird's testing client, on the sample dataset.
@Suite("web: pages")
struct PagesTests {
    static let commitment = "msit-hyperscale-ai-policy-2023"
    static let consultation = "ai-strategy-dialogue-3"

    /// The sample dataset logged and the app over it, the views holding the whole log: a read
    /// command waits for events another test's open transaction on the shared cluster may hold
    /// back for a while (the pages' reads do not wait), and brings the views up to date.
    static func app() async throws -> (some ApplicationProtocol, TestDatabase) {
        let (app, database) = try await APITests.app()
        try await Self.catchUp(database)
        return (app, database)
    }

    static func catchUp(_ database: TestDatabase) async throws {
        let read = try await ConsultProcess.run(
            ["commitments", "--format", "json"], environment: ["CONSULT_DATABASE_URL": database.url])
        #expect(read.status == 0, "\(read.stderr)")
    }

    static let routes = [
        "/", "/?lang=en", "/?asOf=2023-03-09", "/?sector=public_institution&status=open", "/?schedule=overdue",
        "/commitments", "/commitments?outstanding=true&status=open&status=in_progress&owner=msit&topic=",
        "/commitments/\(commitment)", "/commitments/\(commitment)?asOf=2023-03-09&recordedAsOf=2099-01-01",
        "/commitments/seoul-ai-hub-mentoring", "/consultations", "/consultations?asOf=2022-12-31",
        "/consultations/\(consultation)", "/consultations/seoul-ai-hub-interview-2024", "/stakeholders/lee-jong-ho",
        "/stakeholders/msit?lang=en", "/stakeholders/strategy-dialogue-3-companies", "/requests",
        "/requests?unanswered=true&to=korean-government", "/search", "/search?q=%EC%9D%B8%EC%9E%AC",
        "/search?q=AI&kind=commitment&lang=en",
    ]

    @Test("every page answers 200 text/html on the sample dataset, with a title, the date and how current it is")
    func everyPage() async throws {
        let (app, _) = try await Self.app()
        try await app.test(.router) { client in
            for route in Self.routes {
                let page = try await client.page(route)
                #expect(page.status == .ok, "\(route): \(page.body.prefix(600))")
                #expect(page.headers[.contentType] == "text/html; charset=utf-8", "\(route)")
                #expect(page.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true, "\(route)")
                #expect(page.body.hasPrefix("<!DOCTYPE html>"), "\(route)")
                #expect(page.body.contains("<title>"), "\(route)")
                #expect(page.body.contains(#"<link rel="stylesheet" href="/static/site.css">"#), "\(route)")
                #expect(page.body.contains(#"name="viewport""#), "\(route)")
                let english = route.contains("lang=en")
                #expect(page.body.contains(english ? #"<html lang="en">"# : #"<html lang="ko">"#), "\(route)")
                #expect(
                    page.body.contains(english ? "Record current to " : "기록 반영: "),
                    "\(route): says how current the record is")
                #expect(page.body.contains(english ? "As of: " : "기준일: "), "\(route)")
                #expect(!page.body.contains("style="), "\(route): no inline style (the CSP forbids it)")
                #expect(!page.body.lowercased().contains("<script"), "\(route): no script")
                #expect(PageAnswer.blocksInParagraphs(page.body).isEmpty, "\(route): a block inside a <p>")
                let ids = PageAnswer.matches(#"\sid="([^"]*)""#, in: page.body)
                #expect(Set(ids).count == ids.count, "\(route): an id given twice")
            }
            let css = try await client.page("/static/site.css")
            #expect(css.status == .ok)
            #expect(css.headers[.contentType] == "text/css; charset=utf-8")
            #expect(css.body.contains("word-break: keep-all"))
        }
    }

    @Test("a commitment's page tells its story: the consultation, the requests it answers, corrections")
    func commitmentStory() async throws {
        let (app, _) = try await Self.app()
        try await app.test(.router) { client in
            let page = try await client.page("/commitments/\(Self.commitment)")
            #expect(page.status == .ok)
            #expect(page.body.contains("제3차 인공지능 최고위 전략대화"), "the consultation")
            #expect(page.body.contains("dialogue-3-compute-support") || page.body.contains("request-dialogue-3"))
            #expect(page.body.contains(#"class="correction""#), "the correction of its topics")
            #expect(page.body.contains("hyperscale-ai"))
            #expect(page.body.contains("기록: "), "each step's recording time")
            // A retracted commitment still has its story, marked so.
            let retracted = try await client.page("/commitments/seoul-ai-hub-mentoring")
            #expect(retracted.status == .ok)
            #expect(retracted.body.contains(#"class="retraction""#))
            #expect(retracted.body.contains("철회됨"))
            // Links carry the date and the language along.
            let english = try await client.page("/commitments/\(Self.commitment)?asOf=2023-03-09&lang=en")
            #expect(english.body.contains("href=\"/consultations/\(Self.consultation)?asOf=2023-03-09&amp;lang=en\""))
        }
    }

    @Test("a consultation's page lists its participants, statements, requests and commitments")
    func consultationPage() async throws {
        let (app, _) = try await Self.app()
        try await app.test(.router) { client in
            let page = try await client.page("/consultations/\(Self.consultation)")
            #expect(page.status == .ok)
            #expect(page.body.contains("이종호"))
            #expect(page.body.contains(#"id="statement-"#))
            #expect(page.body.contains(#"id="request-dialogue-3-compute-support""#))
            #expect(page.commitmentRows == [Self.commitment])
            #expect(page.body.contains("<th scope=\"col\">"))
            #expect(page.body.contains("<caption>"))
        }
    }

    @Test("a statement's own day is shown before its speaker on the consultation's page")
    func statementDays() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("days-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: file) }
        try [
            #"{"type":"StakeholderRegistered","data":{"stakeholderId":"msit","name":"과학기술정보통신부","kind":"organization","sector":"government"}}"#,
            #"{"type":"StakeholderRegistered","data":{"stakeholderId":"kosa","name":"한국소프트웨어산업협회","kind":"organization","sector":"association"}}"#,
            #"{"type":"ConsultationHeld","data":{"consultationId":"notice","kind":"public_comment","title":"입법예고","startsOn":"2025-01-01","endsOn":"2025-02-10","organizerIds":["msit"],"participants":[{"stakeholderId":"kosa","role":"commenter"}],"sources":[{"publisher":"P"}]}}"#,
            #"{"type":"StatementRecorded","data":{"statementId":"s1","consultationId":"notice","speakerId":"kosa","summary":"의견","topics":[],"on":"2025-02-03"}}"#,
            #"{"type":"StatementRecorded","data":{"statementId":"s2","consultationId":"notice","speakerId":"kosa","summary":"의견 둘","topics":[]}}"#,
        ].joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        let (app, database) = try await APITests.app([file.path])
        try await Self.catchUp(database)
        try await app.test(.router) { client in
            let page = try await client.page("/consultations/notice")
            #expect(page.status == .ok)
            let dated = #"<time datetime="2025-02-03">2025-02-03</time> · <strong>"#
            #expect(page.body.components(separatedBy: dated).count == 2, "\(page.body)")
            #expect(page.body.components(separatedBy: "</time> · <strong>").count == 2, "only the dated statement")
        }
    }

    @Test("a bad parameter is a 400 page naming it, an unknown id a 404 page, both HTML")
    func errors() async throws {
        let (app, _) = try await Self.app()
        try await app.test(.router) { client in
            let bad: [(String, String)] = [
                ("/?asOf=yesterday", "asOf takes a calendar date"),
                ("/?status=promised", "status promised is not a status"),
                ("/?schedule=late-ish", "schedule late-ish is not a schedule"),
                ("/?sector=aliens", "sector aliens is not a sector"),
                ("/?lang=fr", "lang takes ko or en"),
                ("/commitments?bogus=1", "bogus is not a parameter here"),
                ("/commitments?recordedAsOf=later", "recordedAsOf takes an RFC 3339 time"),
                ("/commitments?owner=nobody-at-all", "No stakeholder has the id nobody-at-all"),
                ("/commitments/\(Self.commitment)?asOf=2023-02-30", "asOf takes a calendar date"),
                ("/requests?unanswered=maybe", "unanswered takes true or false"),
                ("/search?q=%20", "needs some text to search for"),
                ("/consultations?asOf=1&asOf=2", "asOf is given 2 times"),
            ]
            for (route, sentence) in bad {
                let page = try await client.page(route)
                #expect(page.status == .badRequest, "\(route)")
                #expect(page.headers[.contentType] == "text/html; charset=utf-8", "\(route)")
                #expect(page.body.contains(sentence), "\(route): \(page.body)")
            }
            for route in [
                "/commitments/no-such-commitment", "/consultations/no-such-consultation", "/stakeholders/nobody",
                "/commitments/\(Self.commitment)?recordedAsOf=2000-01-01",
            ] {
                let page = try await client.page(route)
                #expect(page.status == .notFound, "\(route)")
                #expect(page.headers[.contentType] == "text/html; charset=utf-8", "\(route)")
                #expect(page.body.contains("찾을 수 없습니다"), "\(route)")
            }
            let english = try await client.page("/stakeholders/nobody?lang=en")
            #expect(english.body.contains("No stakeholder has the id nobody."))
            #expect(english.body.contains(#"<html lang="en">"#))
        }
    }

    @Test("pages carry an ETag per language and answer If-None-Match with 304")
    func entityTags() async throws {
        let (app, _) = try await Self.app()
        try await app.test(.router) { client in
            // A read takes in what the log holds when it starts; on the tests' shared cluster another
            // test's open transaction may hold some events back for a while. Wait until the views
            // hold the whole log, so that the tag stays.
            var previous = ""
            for _ in 0..<120 {
                let tag = try await client.page("/").headers[.eTag] ?? ""
                if tag == previous { break }
                previous = tag
                try await Task.sleep(for: .milliseconds(500))
            }
            for route in ["/", "/commitments/\(Self.commitment)", "/consultations"] {
                let first = try await client.page(route)
                let tag = try #require(first.headers[.eTag], "\(route)")
                let again = try await client.page(route, headers: [.ifNoneMatch: tag])
                #expect(again.status == .notModified, "\(route)")
                #expect(again.body.isEmpty)
                let english = try await client.page(route + (route.contains("?") ? "&" : "?") + "lang=en")
                #expect(english.headers[.eTag] != tag, "the English page is another representation")
                let other = try await client.page(
                    route + (route.contains("?") ? "&" : "?") + "lang=en", headers: [.ifNoneMatch: tag])
                #expect(other.status == .ok)
            }
        }
    }

    @Test("lang=en gives English labels and keeps the language in links; Korean is the default")
    func english() async throws {
        let (app, _) = try await Self.app()
        try await app.test(.router) { client in
            let korean = try await client.page("/")
            #expect(korean.body.contains("약속 계량기"))
            #expect(korean.body.contains(#"href="/?lang=en""#), "the switch to English")
            let english = try await client.page("/?lang=en&asOf=2024-01-01")
            #expect(english.body.contains("Promise meter"))
            #expect(english.body.contains("Outstanding commitments"))
            #expect(!english.body.contains("약속 계량기"))
            #expect(english.body.contains(#"href="/commitments?asOf=2024-01-01&amp;lang=en""#))
            #expect(english.body.contains(#"href="/?asOf=2024-01-01""#), "the switch back to Korean")
            let today = TimeArguments.today().description
            #expect(
                korean.body.contains("href=\"/commitments/\(Self.commitment)?asOf=\(today)\"") == false,
                "links keep no date that was not asked for")
            let commitment = try await client.page("/commitments/\(Self.commitment)?lang=en")
            #expect(
                commitment.body.contains("href=\"/commitments/\(Self.commitment)?asOf=\(today)&amp;lang=en\""),
                "a permalink to today's answer")
        }
    }

    @Test(
        "the home page lists the commitments consult commitments --outstanding lists for government and public institutions"
    )
    func homeEqualsTheCLI() async throws {
        let (app, database) = try await Self.app()
        let dates = ["2023-03-01", "2023-03-09", "2023-04-15", "2024-12-31", TimeArguments.today().description]
        try await app.test(.router) { client in
            var listed = 0
            for date in dates {
                var ids: [String] = []
                for sector in HomePage.governmentSectors {
                    let cli = try await ConsultProcess.run(
                        ["commitments", "--outstanding", "--sector", sector, "--as-of", date, "--format", "json"],
                        environment: ["CONSULT_DATABASE_URL": database.url])
                    #expect(cli.status == 0, "\(cli.stderr)")
                    let rows = try #require(try JSONValue.parse(cli.stdout).arrayValue)
                    ids += rows.compactMap { $0.objectValue?["commitmentId"]?.stringValue }
                }
                let page = try await client.page("/?asOf=\(date)")
                #expect(page.status == .ok)
                #expect(page.commitmentRows == ids, "\(date)")
                listed += ids.count
            }
            #expect(listed >= 3, "too few of the dates have rows to compare")
        }
    }

    @Test("with the database down, a page is a 503 HTML page that gives no address away")
    func databaseDown() async throws {
        let nowhere = StoreAccess(
            databaseURL: "postgresql://nobody@/none?host=/nonexistent-folder&port=5999",
            logger: Logger(label: "consult.web.tests"))
        let app = Application(router: WebServer.router(access: nowhere))
        try await app.test(.router) { client in
            for route in ["/", "/commitments/x", "/consultations?lang=en"] {
                let page = try await client.page(route)
                #expect(page.status == .serviceUnavailable, "\(route)")
                #expect(page.headers[.contentType] == "text/html; charset=utf-8")
                #expect(!page.body.contains("nobody@"))
            }
        }
    }

    @Test("text is escaped, bidi controls shown, and only http(s) URLs become links")
    func escaping() {
        #expect(HTML("<a href=\"x\">'&'</a>").markup == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
        #expect(HTML("abc\u{202E}def\u{200B}").markup == "abc[U+202E]def[U+200B]")
        for hostile in [
            "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
            "data:text/html,<script>alert(1)</script>", "vbscript:x", "//evil.example", "/relative", "http://",
            "https://exa mple.com", "http:/\u{202E}evil",
        ] {
            let html = ExternalLink.link(hostile, label: "label").markup
            #expect(!html.contains("href"), "\(hostile): \(html)")
            #expect(!html.contains("<script"), "\(hostile)")
        }
        let good = ExternalLink.link("https://example.com/a?b=1&c=\"><script>", label: "<b>x</b>").markup
        #expect(
            good
                == #"<a href="https://example.com/a?b=1&amp;c=&quot;&gt;&lt;script&gt;" rel="nofollow noopener noreferrer">&lt;b&gt;x&lt;/b&gt;</a>"#
        )
        #expect(Href("commitments", "a/b?c").text == "/commitments/a%2Fb%3Fc")
    }
}
