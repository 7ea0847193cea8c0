import ConsultCore
import ConsultDomain
import Hummingbird
import Projections

/// `/requests`: what was asked of whom, the unanswered first (neither an answer nor a commitment
/// that responds), with the filters of `consult requests`.
enum RequestsPage {
    static func answer(_ request: Request, _ site: Site) async -> Response {
        await Pages.answer(
            request, site, parameters: RequestsQuery.parameterNames.filter { !PageContext.parameterNames.contains($0) }
        ) { parameters, _ in
            let query = try RequestsQuery(parameters)
            try query.validate(names: API.name)
            return query
        } render: { read, context, query in
            let rows = try await query.run(read, names: API.name).rows
            let ordered = rows.filter(\.isUnanswered) + rows.filter { !$0.isUnanswered }
            let names = try await StakeholderNames.load(read)
            let unanswered = rows.filter(\.isUnanswered).count
            return Layout.page(title: context.say("요청", "Requests"), context: context) {
                element("p", [.class("lead")]) {
                    context.say(
                        "요청 \(rows.count)건 가운데 \(unanswered)건은 답도, 응하는 약속도 없습니다. 그것부터 보입니다.",
                        "Of \(rows.count) requests, \(unanswered) got neither an answer nor a commitment; they come first."
                    )
                }
                Layout.filterForm(action: Href("requests"), context: context, submit: context.say("보기", "Show")) {
                    element("fieldset", [.class("field checks")]) {
                        element("legend") { context.say("범위", "Scope") }
                        element("span", [.class("check")]) {
                            voidElement(
                                "input",
                                [Attribute.type("checkbox"), .id("unanswered"), .name("unanswered"), .value("true")]
                                    + (query.unanswered ? [.checked] : []))
                            element("label", [.for("unanswered")]) { context.say("답 없는 것만", "unanswered only") }
                        }
                    }
                    Layout.field("to", label: context.say("요청 받은 곳", "Addressed to"), value: query.to, hint: "msit")
                    Layout.field("topic", label: context.say("주제", "Topic"), value: query.topic, hint: "talent")
                    Layout.field("asOf", label: context.say("기준일", "As of"), value: context.asOf, type: "date")
                }
                table(
                    ordered, names: names, context: context,
                    caption: context.say("\(context.date) 기준 \(rows.count)건", "\(rows.count) on \(context.date)"))
            }
        }
    }

    /// Requests as a table: what was asked, by whom, of whom, where, and what came of it.
    static func table(
        _ rows: [RequestRow], names: StakeholderNames, context: PageContext, caption: String,
        idPrefix: String = "request-"
    ) -> HTML {
        if rows.isEmpty {
            return element("p", [.class("muted")]) { context.say("해당하는 요청이 없습니다.", "None.") }
        }
        return Layout.table(
            caption: caption,
            headers: [
                context.say("요청", "Request"), context.say("요청한 사람", "Asked by"), context.say("요청 받은 곳", "Asked of"),
                context.say("협의", "Consultation"), context.say("답·약속", "Answers and commitments"),
            ],
            rows: rows.map { row in
                [
                    HTML(row.summary),
                    ConsultationPage.link([row.requesterID], names, context),
                    ConsultationPage.link(row.addressedToIDs, names, context),
                    element("a", [.href(context.href("consultations", row.consultationID))]) { row.consultationID },
                    outcome(row, context),
                ]
            },
            rowIDs: rows.map { idPrefix + $0.requestID })
    }

    static func outcome(_ row: RequestRow, _ context: PageContext) -> HTML {
        if row.isUnanswered {
            return CommitmentTable.badge("overdue", context.say("답 없음", "unanswered"))
        }
        return element("ul", [.class("plain")]) {
            for answer in row.answers.compactMap(\.objectValue) {
                element("li") {
                    let outcome = answer["outcome"]?.stringValue ?? ""
                    CommitmentTable.badge(outcome, Words.outcome(outcome, context.language))
                    " "
                    answer["on"]?.stringValue ?? ""
                    if let reason = answer["reason"]?.stringValue { ": " + reason }
                }
            }
            for id in row.commitmentIDs {
                element("li") {
                    context.say("약속: ", "Commitment: ")
                    element("a", [.href(context.href("commitments", id))]) { id }
                }
            }
        }
    }
}

/// `/search?q=`: a form, and the texts that contain what was searched for (names, titles,
/// summaries, quotes), with the match marked and a link to where each is.
enum SearchPage {
    static func answer(_ request: Request, _ site: Site) async -> Response {
        await Pages.answer(request, site, parameters: ["q", "kind", "topic"]) {
            (parameters, _) throws -> SearchQuery? in
            guard let text = try parameters.one("q") else { return SearchQuery?.none }
            var query = SearchQuery()
            query.text = text
            query.kind = try parameters.one("kind")
            query.topic = try parameters.one("topic")
            try query.validate(names: API.name)
            return query
        } render: { read, context, query in
            let hits = try await query?.run(read, names: API.name).rows ?? []
            return Layout.page(title: context.say("검색", "Search"), context: context) {
                Layout.filterForm(action: Href("search"), context: context, submit: context.say("검색", "Search")) {
                    element("div", [.class("field")]) {
                        element("label", [.for("q")]) { context.say("찾을 말", "Text") }
                        voidElement(
                            "input",
                            [
                                .type("search"), .id("q"), .name("q"), .value(query?.text ?? ""),
                                Attribute("placeholder", "인재"),
                            ]
                        )
                    }
                    Layout.select(
                        "kind", label: context.say("종류", "Kind"),
                        options: SearchHit.kinds.map { ($0, kindName($0, context)) }, selected: query?.kind,
                        any: context.say("전체", "any"))
                    Layout.field("topic", label: context.say("주제", "Topic"), value: query?.topic, hint: "talent")
                }
                if let query {
                    if hits.isEmpty {
                        element("p") {
                            context.say("“\(query.text)”이(가) 들어간 기록이 없습니다.", "Nothing contains “\(query.text)”.")
                        }
                    } else {
                        Layout.table(
                            caption: context.say(
                                "“\(query.text)” 검색 결과 \(hits.count)건", "\(hits.count) results for “\(query.text)”"),
                            headers: [
                                context.say("내용", "Text"), context.say("종류", "Kind"), context.say("기록", "Record"),
                            ],
                            rows: hits.map { hit in
                                [
                                    marked(hit), HTML(kindName(hit.kind, context)),
                                    element("a", [.href(target(hit, context))]) { hit.id },
                                ]
                            })
                    }
                }
            }
        }
    }

    static func kindName(_ kind: String, _ context: PageContext) -> String {
        switch kind {
        case "stakeholder": context.say("이해관계자", "stakeholder")
        case "consultation": context.say("협의", "consultation")
        case "statement": context.say("발언", "statement")
        case "request": context.say("요청", "request")
        case "commitment": context.say("약속", "commitment")
        default: kind
        }
    }

    /// The page a hit is on.
    static func target(_ hit: SearchHit, _ context: PageContext) -> Href {
        switch hit.kind {
        case "stakeholder": return context.href("stakeholders", hit.id)
        case "commitment": return context.href("commitments", hit.id)
        case "consultation": return context.href("consultations", hit.id)
        default:
            var target = context.href("consultations", hit.consultationID ?? "")
            target.fragment = hit.kind + "-" + hit.id
            return target
        }
    }

    /// The text with the match in `<mark>`.
    static func marked(_ hit: SearchHit) -> HTML {
        guard let match = hit.match else { return HTML(hit.text) }
        return HTML(String(hit.text[..<match.lowerBound])) + element("mark") { String(hit.text[match]) }
            + HTML(String(hit.text[match.upperBound...]))
    }
}
