import ConsultCore
import ConsultDomain
import Hummingbird
import Projections

/// `/consultations`: every consultation held by the date, newest first, as a timeline.
enum ConsultationsPage {
    static func answer(_ request: Request, _ site: Site) async -> Response {
        await Pages.answer(request, site, parameters: []) { _, _ in
            ()
        } render: { read, context, _ in
            var query = ConsultationsQuery()
            query.asOf = context.asOf
            query.recordedAsOf = context.recordedAsOf
            let rows = try await query.run(read, names: API.name).rows
            let names = try await StakeholderNames.load(read)
            return Layout.page(title: context.say("협의", "Consultations"), context: context) {
                element("p", [.class("lead")]) {
                    context.say(
                        "정부와 업계, 학계가 만난 토론회·간담회·인터뷰 \(rows.count)건. 최근 것부터.",
                        "\(rows.count) forums, roundtables and interviews where government, industry and academia "
                            + "met, newest first.")
                }
                if rows.isEmpty {
                    element("p", [.class("muted")]) { context.say("기록된 협의가 없습니다.", "None recorded.") }
                }
                element("ol", [.class("story")]) {
                    for row in rows.reversed() {
                        element("li", [.id("consultation-" + row.consultationID)]) {
                            Story.when(row.startsOn, context)
                            element("div", [.class("body")]) {
                                element("a", [.href(context.href("consultations", row.consultationID))]) { row.title }
                                " "
                                element("span", [.class("badge")]) { Words.kind(row.kind, context.language) }
                            }
                            element("p", [.class("muted")]) {
                                [
                                    row.venue,
                                    row.organizerIDs.isEmpty
                                        ? nil
                                        : context.say("주최: ", "Organized by ")
                                            + row.organizerIDs.map(names.name).joined(separator: ", "),
                                    context.say(
                                        "발언 \(row.statements) · 요청 \(row.requests) · 약속 \(row.commitments)",
                                        "\(row.statements) statements · \(row.requests) requests · "
                                            + "\(row.commitments) commitments"),
                                ].compactMap { $0 }.joined(separator: " · ")
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `/consultations/{id}`: who took part, what each said, what was asked of whom, and what was
/// promised there.
enum ConsultationPage {
    static func answer(_ request: Request, id: String, _ site: Site) async -> Response {
        await Pages.answer(request, site, parameters: []) { _, _ in
            id
        } render: { read, context, id in
            var query = ConsultationsQuery()
            query.id = id
            query.asOf = context.asOf
            query.recordedAsOf = context.recordedAsOf
            guard let row = try await query.run(read, names: API.name).rows.first else {
                throw Pages.notFound("consultation", id, context)
            }
            let stream = RecordKind.consultation.streamID(id)
            let versions = try await RecordHistory.versions(
                of: [stream], store: read.session.store, knowledge: Knowledge(recordedAsOf: context.recorded))
            let record = versions[stream].flatMap(ConsultationRecord.init(versions:))
            var requests = RequestsQuery()
            requests.asOf = context.asOf
            requests.recordedAsOf = context.recordedAsOf
            let asked = try await requests.run(read, names: API.name).rows.filter { $0.consultationID == id }
            var commitments = CommitmentsQuery()
            commitments.asOf = context.asOf
            commitments.recordedAsOf = context.recordedAsOf
            let promised = try await commitments.run(read, names: API.name).rows.filter {
                $0.state.consultationID == id
            }
            let names = try await StakeholderNames.load(read)
            return render(
                row, record: record, requests: asked, commitments: promised, names: names, context: context)
        }
    }

    static func render(
        _ row: ConsultationRow, record: ConsultationRecord?, requests: [RequestRow], commitments: [CommitmentRow],
        names: StakeholderNames, context: PageContext
    ) -> Reply {
        Layout.page(title: row.title, context: context) {
            element("dl", [.class("facts")]) {
                element("dt") { context.say("종류", "Kind") }
                element("dd") { Words.kind(row.kind, context.language) }
                element("dt") { context.say("날짜", "Date") }
                element("dd") { row.days ?? context.say("날짜 없음", "undated") }
                if let venue = row.venue {
                    element("dt") { context.say("장소", "Venue") }
                    element("dd") { venue }
                }
                if !row.organizerIDs.isEmpty {
                    element("dt") { context.say("주최", "Organized by") }
                    element("dd") { link(row.organizerIDs, names, context) }
                }
                element("dt") { "ID" }
                element("dd", [.class("id")]) { row.consultationID }
            }
            if let sources = record?.sources, !sources.isEmpty {
                Story.sources(sources, label: context.say("출처", "Sources"), context: context)
            }
            element("h2", [.id("participants")]) { context.say("참여자", "Participants") }
            Layout.table(
                caption: context.say(
                    "참여자 \(row.participants.count)명",
                    "\(row.participants.count) participant\(row.participants.count == 1 ? "" : "s")"),
                headers: [context.say("이름", "Name"), context.say("역할", "Role")],
                rows: row.participants.compactMap(\.objectValue).map { participant in
                    let id = participant["stakeholderId"]?.stringValue ?? ""
                    return [
                        link([id], names, context),
                        HTML(Words.role(participant["role"]?.stringValue ?? "", context.language)),
                    ]
                })
            element("h2", [.id("statements")]) { context.say("발언", "Statements") }
            let statements = record?.statements ?? []
            if statements.isEmpty {
                element("p", [.class("muted")]) { context.say("기록된 발언이 없습니다.", "None recorded.") }
            }
            for statement in statements {
                element("article", [.class("statement"), .id("statement-" + statement.statementID)]) {
                    element("p") {
                        // A statement's own day, when it has one (a notice open for comments has many).
                        statement.on.map { date in
                            element("time", [Attribute("datetime", date.description)]) { date.description }
                                + HTML(" · ")
                        } ?? .empty
                        element("strong") { link([statement.speakerID], names, context) }
                        ": "
                        statement.summary
                    }
                    if let quote = statement.quote { element("blockquote") { "“\(quote)”" } }
                    if !statement.topics.isEmpty {
                        element("p", [.class("muted")]) { statement.topics.joined(separator: ", ") }
                    }
                }
            }
            element("h2", [.id("requests")]) { context.say("요청", "Requests") }
            RequestsPage.table(
                requests, names: names, context: context,
                caption: context.say("요청 \(requests.count)건", "\(requests.count) requests"))
            element("h2", [.id("commitments")]) { context.say("약속", "Commitments") }
            CommitmentTable.render(
                commitments, context: context,
                caption: context.say("이 협의에서 한 약속 \(commitments.count)건", "\(commitments.count) made here"))
        }
    }

    /// Links to the stakeholders `ids`, by name.
    static func link(_ ids: [String], _ names: StakeholderNames, _ context: PageContext) -> HTML {
        HTMLBuilder.buildArray(
            ids.enumerated().map { index, id in
                (index > 0 ? HTML(", ") : .empty)
                    + element("a", [.href(context.href("stakeholders", id))]) { names.name(id) }
            })
    }
}
