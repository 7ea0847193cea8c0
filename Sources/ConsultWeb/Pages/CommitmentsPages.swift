import ConsultCore
import ConsultDomain
import Hummingbird
import Projections

/// `/`: the outstanding commitments of government and public institutions (what `consult demo`
/// lists), with the promise meter: how many of their commitments stand at each schedule and
/// each status on the date.
enum HomePage {
    /// The owners' sectors the home page is about, unless `sector` names another.
    static let governmentSectors = ["government", "public_institution"]
    static let parameterNames = ["owner", "sector", "topic", "status", "schedule"]

    struct Asked: Sendable {
        /// Without sector and statuses: each sector is read in turn, statuses filter the table.
        var query: CommitmentsQuery
        var sectors: [String]
        var statuses: [String]
        var schedule: Schedule?
    }

    static func answer(_ request: Request, _ site: Site) async -> Response {
        await Pages.answer(request, site, parameters: parameterNames) { (parameters, context) throws -> Asked in
            var query = CommitmentsQuery()
            query.owner = try parameters.one("owner")
            query.sector = try parameters.one("sector")
            query.topic = try parameters.one("topic")
            query.statuses = parameters.all("status")
            query.asOf = context.asOf
            query.recordedAsOf = context.recordedAsOf
            try query.validate(names: API.name)
            let schedule = try parameters.one("schedule").map { value in
                guard let schedule = Schedule(rawValue: value) else {
                    throw Problem(
                        status: .badRequest,
                        detail: "schedule \(QueryParameters.printable(value)) is not a schedule; use one of "
                            + "\(Schedule.allCases.map(\.rawValue).joined(separator: ", ")).")
                }
                return schedule
            }
            let statuses = query.statuses
            query.statuses = []
            return Asked(
                query: query, sectors: query.sector.map { [$0] } ?? governmentSectors, statuses: statuses,
                schedule: schedule)
        } render: { read, context, asked in
            var all: [CommitmentRow] = []
            for sector in asked.sectors {
                var query = asked.query
                query.sector = sector
                all += try await query.run(read, names: API.name).rows
            }
            let filtered = asked.statuses.isEmpty && asked.schedule == nil
            let shown = all.filter { row in
                if filtered { return row.state.isOutstanding }
                return (asked.statuses.isEmpty || asked.statuses.contains(row.state.status))
                    && (asked.schedule.map { row.schedule == $0 } ?? true)
            }
            return render(context, asked: asked, all: all, shown: shown, outstandingOnly: filtered)
        }
    }

    static func render(
        _ context: PageContext, asked: Asked, all: [CommitmentRow], shown: [CommitmentRow], outstandingOnly: Bool
    ) -> Reply {
        let title = context.say("정부·공공기관이 한 약속", "What government and public institutions promised")
        // The meter's links keep the owner, sector and topic asked about.
        var kept: [(String, String)] = []
        if let owner = asked.query.owner { kept.append(("owner", owner)) }
        if let sector = asked.query.sector { kept.append(("sector", sector)) }
        if let topic = asked.query.topic { kept.append(("topic", topic)) }
        return Layout.page(title: title, context: context) {
            element("p", [.class("lead")]) {
                context.say(
                    "\(context.date) 기준으로 아직 이행되지 않은 약속이 \(all.filter(\.state.isOutstanding).count)건, "
                        + "기한이 지난 약속이 \(all.filter { $0.schedule == .overdue }.count)건입니다. "
                        + "협의에서 공직자가 한 약속과 그 경과를 기사와 공개 자료로 추적합니다.",
                    "On \(context.date), \(all.filter(\.state.isOutstanding).count) of their commitments are outstanding "
                        + "and \(all.filter { $0.schedule == .overdue }.count) are overdue. The tracker follows what "
                        + "officials promised at consultations, and what came of it, from articles and public records.")
            }
            element("section", [Attribute("aria-labelledby", "meter-title")]) {
                element("h2", [.id("meter-title")]) { context.say("약속 계량기", "Promise meter") }
                element("h3", [.class("muted")]) { context.say("기한 기준", "By schedule") }
                element("ul", [.class("meter")]) {
                    for schedule in meterSchedules(all) {
                        element("li", [.class(schedule.rawValue)]) {
                            element("a", [.href(context.href(query: kept + [("schedule", schedule.rawValue)]))]) {
                                element("span", [.class("count")]) {
                                    String(all.filter { $0.schedule == schedule }.count)
                                }
                                Words.schedule(schedule, context.language)
                            }
                        }
                    }
                }
                element("h3", [.class("muted")]) { context.say("상태 기준", "By status") }
                element("ul", [.class("meter")]) {
                    for status in CommitmentsQuery.allStatuses {
                        element("li", [.class(status)]) {
                            element("a", [.href(context.href(query: kept + [("status", status)]))]) {
                                element("span", [.class("count")]) {
                                    String(all.filter { $0.state.status == status }.count)
                                }
                                Words.status(status, context.language)
                            }
                        }
                    }
                }
            }
            element("section", [Attribute("aria-labelledby", "list-title")]) {
                element("h2", [.id("list-title")]) {
                    outstandingOnly
                        ? context.say("아직 이행되지 않은 약속", "Outstanding commitments")
                        : context.say("조건에 맞는 약속", "Commitments matching the filters")
                }
                CommitmentTable.render(
                    shown, context: context,
                    caption: context.say("\(context.date) 기준 \(shown.count)건", "\(shown.count) on \(context.date)"),
                    paged: true)
            }
            element("section", [Attribute("aria-labelledby", "filter-title")]) {
                element("h2", [.id("filter-title")]) { context.say("조건", "Filters") }
                Layout.filterForm(action: Href(), context: context, submit: context.say("보기", "Show")) {
                    Layout.field("owner", label: context.say("책임 기관", "Owner"), value: asked.query.owner, hint: "msit")
                    Layout.select(
                        "sector", label: context.say("부문", "Sector"),
                        options: EventSchema.sectors.map { ($0, Words.sector($0, context.language)) },
                        selected: asked.query.sector, any: context.say("정부·공공기관", "government and public"))
                    Layout.field("topic", label: context.say("주제", "Topic"), value: asked.query.topic, hint: "compute")
                    Layout.select(
                        "schedule", label: context.say("기한", "Schedule"),
                        options: Schedule.allCases.map { ($0.rawValue, Words.schedule($0, context.language)) },
                        selected: asked.schedule?.rawValue, any: context.say("전체", "any"))
                    Layout.field("asOf", label: context.say("기준일", "As of"), value: context.asOf, type: "date")
                    Layout.checkboxes(
                        "status", legend: context.say("상태", "Status"),
                        options: CommitmentsQuery.allStatuses.map { ($0, Words.status($0, context.language)) },
                        checked: asked.statuses)
                }
            }
        }
    }

    /// The schedules the meter always shows, and those of closed commitments when there are any.
    static func meterSchedules(_ rows: [CommitmentRow]) -> [Schedule] {
        let always: [Schedule] = [.overdue, .dueSoon, .upcoming, .noDeadline]
        return always + [.met, .late, .closed].filter { schedule in rows.contains { $0.schedule == schedule } }
    }
}

/// `/commitments`: every filter of `consult commitments`, as a form, and the table.
enum CommitmentsPage {
    static func answer(_ request: Request, _ site: Site) async -> Response {
        await Pages.answer(
            request, site,
            parameters: CommitmentsQuery.parameterNames.filter { !PageContext.parameterNames.contains($0) }
        ) { parameters, _ in
            let query = try CommitmentsQuery(parameters)
            try query.validate(names: API.name)
            return query
        } render: { read, context, query in
            let rows = try await query.run(read, names: API.name).rows
            let title = context.say("약속", "Commitments")
            return Layout.page(title: title, context: context) {
                Layout.filterForm(action: Href("commitments"), context: context, submit: context.say("보기", "Show")) {
                    element("fieldset", [.class("field checks")]) {
                        element("legend") { context.say("범위", "Scope") }
                        for (name, korean, english, on) in [
                            ("outstanding", "미이행만", "outstanding only", query.outstanding),
                            ("overdue", "기한 지난 것만", "overdue only", query.overdue),
                        ] {
                            element("span", [.class("check")]) {
                                voidElement(
                                    "input",
                                    [Attribute.type("checkbox"), .id(name), .name(name), .value("true")]
                                        + (on ? [.checked] : []))
                                element("label", [.for(name)]) { context.say(korean, english) }
                            }
                        }
                    }
                    Layout.field("owner", label: context.say("책임 기관", "Owner"), value: query.owner, hint: "msit")
                    Layout.select(
                        "sector", label: context.say("부문", "Sector"),
                        options: EventSchema.sectors.map { ($0, Words.sector($0, context.language)) },
                        selected: query.sector, any: context.say("전체", "any"))
                    Layout.field("topic", label: context.say("주제", "Topic"), value: query.topic, hint: "compute")
                    Layout.field("asOf", label: context.say("기준일", "As of"), value: context.asOf, type: "date")
                    Layout.checkboxes(
                        "status", legend: context.say("상태", "Status"),
                        options: CommitmentsQuery.allStatuses.map { ($0, Words.status($0, context.language)) },
                        checked: query.statuses)
                }
                CommitmentTable.render(
                    rows, context: context,
                    caption: context.say("\(context.date) 기준 \(rows.count)건", "\(rows.count) on \(context.date)"),
                    paged: true)
            }
        }
    }
}

/// The table of commitments both list pages show: the demo's columns.
enum CommitmentTable {
    /// `idPrefix` keeps the rows' ids unique when a page shows two tables (the stakeholder's).
    /// `paged`: a long list shows `PageContext.rowsPerPage` rows from `context.from`, with links to
    /// the other parts.
    static func render(
        _ rows: [CommitmentRow], context: PageContext, caption: String, idPrefix: String = "commitment-",
        paged: Bool = false
    ) -> HTML {
        if rows.isEmpty {
            return element("p", [.class("muted")]) { context.say("해당하는 약속이 없습니다.", "None.") }
        }
        if paged {
            let shown = Array(rows[Layout.window(rows.count, context)])
            return HTMLBuilder.buildArray([
                render(shown, context: context, caption: caption, idPrefix: idPrefix),
                Layout.pager(rows.count, context),
            ])
        }
        let headers = [
            context.say("약속", "Commitment"), context.say("책임 기관", "Owner"), context.say("약속한 사람", "Made by"),
            context.say("협의", "Consultation"), context.say("기한", "Due"), context.say("일정", "Schedule"),
            context.say("경과", "Progress"),
        ]
        return Layout.table(
            caption: caption, headers: headers,
            rows: rows.map { row in
                let state = row.state
                return [
                    element("a", [.href(context.href("commitments", state.commitmentID))]) { state.summary },
                    element("a", [.href(context.href("stakeholders", state.ownerID))]) {
                        state.ownerName ?? state.ownerID
                    },
                    HTMLBuilder.buildArray([
                        element("a", [.href(context.href("stakeholders", state.madeByID))]) {
                            state.makerName ?? state.madeByID
                        },
                        state.makerTitle.map { title in element("span", [.class("muted")]) { " (\(title))" } }
                            ?? .empty,
                    ]),
                    HTMLBuilder.buildArray([
                        element("a", [.href(context.href("consultations", state.consultationID))]) {
                            state.consultationTitle ?? state.consultationID
                        },
                        state.madeOn.map { date in element("span", [.class("muted")]) { " (\(date))" } } ?? .empty,
                    ]),
                    HTML(due(state, context)),
                    badge(row.schedule.rawValue, Words.schedule(row.schedule, context.language)),
                    HTML(progress(state, context)),
                ]
            },
            rowIDs: rows.map { idPrefix + $0.state.commitmentID })
    }

    /// The due-by in force, with the words first given; a revised one says so (as the demo).
    static func due(_ state: CommitmentRecord.State, _ context: PageContext) -> String {
        let original = [state.originalDueBy?.description, state.dueText.map { "“\($0)”" }].compactMap { $0 }
            .joined(separator: " ")
        let text =
            state.slips > 0 || state.dueBy != state.originalDueBy
            ? [
                state.dueBy?.description,
                original.isEmpty ? nil : context.say("(처음: \(original))", "(first \(original))"),
            ].compactMap { $0 }.joined(separator: " ")
            : original
        return text.isEmpty ? context.say("기한 없음", "none given") : text
    }

    static func progress(_ state: CommitmentRecord.State, _ context: PageContext) -> String {
        guard state.lastNote != nil else { return context.say("경과 기록 없음", "no progress recorded") }
        let status = Words.status(state.status, context.language)
        let since = state.statusOn?.description ?? "?"
        return context.say("\(since)부터 \(status)", "\(status) since \(since)")
    }

    /// A status or schedule as a small label.
    static func badge(_ value: String, _ text: String) -> HTML {
        element("span", [.class("badge " + value)]) { text }
    }
}
