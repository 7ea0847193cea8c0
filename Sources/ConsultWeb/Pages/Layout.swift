import ConsultCore
import ConsultDomain
import Foundation
import Hummingbird
import Projections

/// What every page answers for and carries along in its links: the language, the date asked
/// about (`asOf`, or today) and the recording time (`recordedAsOf`), and how current the views are.
struct PageContext: Sendable {
    var language: Language
    /// As given in the query, for the links.
    var asOf: String?
    var recordedAsOf: String?
    /// The date answered for.
    var date: CalendarDate
    var recorded: Timestamp?
    var freshness: ViewFreshness?
    /// This page's path and query without `lang`: the language switch links to it.
    var here: Href
    /// Where a long list starts (`from`, 0 first): lists show `rowsPerPage` rows at a time.
    var from = 0

    /// The rows a long list shows at a time.
    static let rowsPerPage = 100

    /// The parameters every page takes.
    static let parameterNames = ["lang", "asOf", "recordedAsOf", "from"]

    /// `lang`, `asOf` and `recordedAsOf` from `parameters`, checked (a 400 naming a bad one).
    init(_ request: Request, _ parameters: QueryParameters) throws {
        language = try Language(try parameters.one("lang"))
        asOf = try parameters.one("asOf")
        recordedAsOf = try parameters.one("recordedAsOf")
        date = try TimeArguments.date(asOf, option: "asOf")
        recorded = try TimeArguments.instant(recordedAsOf, option: "recordedAsOf")
        from = try parameters.integer("from", in: 0...Int(Int32.max)) ?? 0
        var here = Href()
        here.path = request.uri.path
        here.query = request.uri.queryParameters.compactMap { key, value in
            key == "lang" || value.isEmpty ? nil : (String(key), String(value))
        }
        self.here = here
    }

    /// An error page's context: the language only.
    init(language: Language, request: Request) {
        self.language = language
        date = TimeArguments.today()
        var here = Href()
        here.path = request.uri.path
        self.here = here
    }

    /// A link within the site that keeps this page's date, recording time and language.
    func href(_ segments: String..., query: [(String, String)] = []) -> Href {
        var target = Href()
        target.path = "/" + segments.map(Href.encode).joined(separator: "/")
        target.query = query + carried
        return target
    }

    /// This page for the date it answers for, whatever day it is opened on.
    var fixedToDate: Href {
        var target = here
        target.query.append(("asOf", date.description))
        if language == .english { target.query.append(("lang", "en")) }
        return target
    }

    /// The parameters a link carries along.
    var carried: [(String, String)] {
        var carried: [(String, String)] = []
        if let asOf { carried.append(("asOf", asOf)) }
        if let recordedAsOf { carried.append(("recordedAsOf", recordedAsOf)) }
        if language == .english { carried.append(("lang", "en")) }
        return carried
    }

    /// Hidden inputs that make a form keep the language and the recording time (its own fields
    /// carry the rest).
    var hiddenInputs: HTML {
        HTMLBuilder.buildArray(
            [
                recordedAsOf.map { voidElement("input", [.type("hidden"), .name("recordedAsOf"), .value($0)]) },
                language == .english ? voidElement("input", [.type("hidden"), .name("lang"), .value("en")]) : nil,
            ].compactMap { $0 })
    }

    func say(_ korean: String, _ english: String) -> String { language.say(korean, english) }
}

/// The frame of every page: the document head (its own title, the stylesheet, the viewport), the
/// site's header and navigation, how current the record is and which date the page answers for.
enum Layout {
    static let stylesheet = "/static/site.css"

    /// The whole page as a response.
    static func page(
        title: String, context: PageContext, status: HTTPResponse.Status = .ok, @HTMLBuilder main: () -> HTML
    ) -> Reply {
        let language = context.language
        let siteName = context.say("협의 추적", "Consultation Tracker")
        let html = document {
            element("html", [Attribute("lang", language.rawValue)]) {
                element("head") {
                    voidElement("meta", [Attribute("charset", "utf-8")])
                    voidElement(
                        "meta", [.name("viewport"), Attribute("content", "width=device-width, initial-scale=1")])
                    element("title") { "\(title) · \(siteName)" }
                    voidElement("link", [Attribute("rel", "stylesheet"), Attribute("href", stylesheet)])
                }
                element("body") {
                    element("a", [.class("skip"), Attribute("href", "#main")]) {
                        context.say("본문 바로가기", "Skip to content")
                    }
                    header(context, siteName: siteName)
                    element("main", [.id("main")]) {
                        element("h1") { title }
                        currency(context)
                        main()
                    }
                    footer(context)
                }
            }
        }
        return response(html, status: status)
    }

    static func response(_ html: HTML, status: HTTPResponse.Status = .ok) -> Reply {
        Reply(status: status, contentType: "text/html; charset=utf-8", body: html.markup)
    }

    static func header(_ context: PageContext, siteName: String) -> HTML {
        var switchTarget = context.here
        if context.language == .korean { switchTarget.query.append(("lang", "en")) }
        let other = context.language.other
        return element("header", [.class("site")]) {
            element("a", [.class("brand"), .href(context.href())]) { siteName }
            element("nav", [Attribute("aria-label", context.say("주 메뉴", "Main"))]) {
                element("ul") {
                    for (segment, korean, english) in [
                        ("", "정부 약속", "Promises"), ("commitments", "모든 약속", "All commitments"),
                        ("consultations", "협의", "Consultations"), ("requests", "요청", "Requests"),
                        ("search", "검색", "Search"),
                    ] {
                        element("li") {
                            element("a", [.href(segment.isEmpty ? context.href() : context.href(segment))]) {
                                context.say(korean, english)
                            }
                        }
                    }
                }
            }
            element(
                "a",
                [
                    .class("lang"), .href(switchTarget), Attribute("lang", other.rawValue),
                    Attribute("hreflang", other.rawValue),
                ]
            ) { other == .english ? "English" : "한국어" }
        }
    }

    /// "Record current to …, N events", the date answered for, and the recording time asked about.
    static func currency(_ context: PageContext) -> HTML {
        element("p", [.class("currency")]) {
            if let freshness = context.freshness {
                let time = freshness.lastRecordedAt.map(Self.time) ?? context.say("없음", "nothing yet")
                element("span") {
                    context.say(
                        "기록 반영: \(time)까지, 이벤트 \(freshness.eventsApplied)건",
                        "Record current to \(time), \(freshness.eventsApplied) events")
                }
                " · "
                if let lag = freshness.standbyLagSeconds {
                    element("span", [.class("standby")]) {
                        lag < 1
                            ? context.say("예비 서버(스탠바이)에서 읽음, 지연 없음", "Read from a standby, not behind")
                            : context.say(
                                "예비 서버(스탠바이)에서 읽음: 주 서버보다 약 \(Int(lag.rounded()))초 늦음",
                                "Read from a standby: about \(Int(lag.rounded())) s behind the primary")
                    }
                    " · "
                }
            }
            element("span") {
                let today = context.asOf == nil ? context.say(" (오늘)", " (today)") : ""
                context.say("기준일: ", "As of: ")
                element("time", [Attribute("datetime", context.date.description)]) { context.date.description }
                today
            }
            if context.asOf == nil, context.freshness != nil {
                // Today's answer moves on tomorrow: a link that keeps this day.
                " · "
                element("a", [.class("permalink"), .href(context.fixedToDate)]) {
                    context.say("이 날짜로 고정된 링크", "Link to this date")
                }
            }
            if let recorded = context.recorded {
                " · "
                element("span") {
                    context.say("기록 시점: ", "As recorded at: ")
                    element("time", [Attribute("datetime", recorded.description)]) { time(recorded) }
                }
            }
        }
    }

    /// A recording time as people read it: `2024-05-01 09:00:00 UTC`.
    static func time(_ stamp: Timestamp) -> String {
        String(stamp.description.prefix(19)).replacingOccurrences(of: "T", with: " ") + " UTC"
    }

    static func footer(_ context: PageContext) -> HTML {
        element("footer", [.class("site")]) {
            element("p") {
                context.say("같은 기록을 기계가 읽는 형태로: ", "The same record for machines: ")
                element("a", [Attribute("href", "/api/v1/commitments")]) { "/api/v1/" }
                " · "
                element("a", [Attribute("href", "/data")]) { context.say("공개 데이터", "open data") }
            }
        }
    }

    /// A table that scrolls on its own on a narrow screen, or stacks its rows (each cell labeled
    /// with its column), with a caption and column headers.
    /// The part of `count` rows this page shows, from `context.from`.
    static func window(_ count: Int, _ context: PageContext) -> Range<Int> {
        let start = min(context.from, count)
        return start..<min(count, start + PageContext.rowsPerPage)
    }

    /// Links to the previous and next parts of a list of `count` rows, when it has more than one.
    static func pager(_ count: Int, _ context: PageContext) -> HTML {
        let shown = window(count, context)
        guard count > PageContext.rowsPerPage else { return .empty }
        func link(_ start: Int) -> Href {
            var target = context.here
            target.query.removeAll { $0.0 == "from" }
            if start > 0 { target.query.append(("from", String(start))) }
            if context.language == .english { target.query.append(("lang", "en")) }
            return target
        }
        return element("nav", [.class("pager"), Attribute("aria-label", context.say("쪽 이동", "Pages"))]) {
            element("span") {
                context.say(
                    "\(count)건 중 \(shown.lowerBound + 1)–\(shown.upperBound)",
                    "\(shown.lowerBound + 1)–\(shown.upperBound) of \(count)")
            }
            if shown.lowerBound > 0 {
                " · "
                element(
                    "a", [.href(link(max(0, shown.lowerBound - PageContext.rowsPerPage))), Attribute("rel", "prev")]
                ) {
                    context.say("이전", "Previous")
                }
            }
            if shown.upperBound < count {
                " · "
                element("a", [.href(link(shown.upperBound)), Attribute("rel", "next")]) { context.say("다음", "Next") }
            }
        }
    }

    static func table(caption: String, headers: [String], rows: [[HTML]], rowIDs: [String]? = nil) -> HTML {
        // A region of its own that takes the focus, so a keyboard can scroll a wide table.
        element(
            "div",
            [
                .class("table-wrap"), Attribute("role", "region"), Attribute("aria-label", caption),
                Attribute("tabindex", "0"),
            ]
        ) {
            element("table", [.class("stack")]) {
                element("caption") { caption }
                element("thead") {
                    element("tr") {
                        for header in headers { element("th", [Attribute("scope", "col")]) { header } }
                    }
                }
                element("tbody") {
                    for (index, row) in rows.enumerated() {
                        element("tr", rowIDs.map { [Attribute.id($0[index])] } ?? []) {
                            for (column, cell) in row.enumerated() {
                                if column == 0 {
                                    element(
                                        "th", [Attribute("scope", "row"), Attribute("data-label", headers[column])]
                                    ) {
                                        cell
                                    }
                                } else {
                                    element("td", [Attribute("data-label", headers[min(column, headers.count - 1)])]) {
                                        cell
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// A labeled text field.
    static func field(_ id: String, label: String, value: String?, type: String = "text", hint: String? = nil) -> HTML {
        element("div", [.class("field")]) {
            element("label", [.for(id)]) { label }
            voidElement(
                "input",
                [Attribute.type(type), .id(id), .name(id), .value(value ?? "")]
                    + (hint.map { [Attribute("placeholder", $0)] } ?? []))
        }
    }

    /// A labeled choice of one of `options` (value, label), with an empty choice first.
    static func select(_ id: String, label: String, options: [(String, String)], selected: String?, any: String)
        -> HTML
    {
        element("div", [.class("field")]) {
            element("label", [.for(id)]) { label }
            element("select", [.id(id), .name(id)]) {
                element("option", [.value("")]) { any }
                for (value, text) in options {
                    element("option", [.value(value)] + (value == selected ? [.selected] : [])) { text }
                }
            }
        }
    }

    /// A group of checkboxes for a parameter that repeats.
    static func checkboxes(_ name: String, legend: String, options: [(String, String)], checked: [String]) -> HTML {
        element("fieldset", [.class("field checks")]) {
            element("legend") { legend }
            for (value, text) in options {
                let id = "\(name)-\(value)"
                element("span", [.class("check")]) {
                    voidElement(
                        "input",
                        [Attribute.type("checkbox"), .id(id), .name(name), .value(value)]
                            + (checked.contains(value) ? [.checked] : []))
                    element("label", [.for(id)]) { text }
                }
            }
        }
    }

    /// A GET form to `action`, with its fields, the hidden ones that keep the language and the
    /// recording time, and a submit button.
    static func filterForm(action: Href, context: PageContext, submit: String, @HTMLBuilder fields: () -> HTML)
        -> HTML
    {
        element("form", [.class("filters"), Attribute("method", "get"), Attribute("action", action.path)]) {
            fields()
            context.hiddenInputs
            element("div", [.class("field submit")]) { element("button", [.type("submit")]) { submit } }
        }
    }
}
