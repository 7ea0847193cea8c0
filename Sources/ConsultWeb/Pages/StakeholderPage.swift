import ConsultCore
import ConsultDomain
import Hummingbird
import Projections

/// `/stakeholders/{id}`: who they are (and the titles they held over time, from their history),
/// what they said, what they asked, what they promised and what they own.
enum StakeholderPage {
    static func answer(_ request: Request, id: String, _ site: Site) async -> Response {
        await Pages.answer(request, site, parameters: []) { _, _ in
            id
        } render: { read, context, id in
            var query = StakeholdersQuery()
            query.id = id
            query.asOf = context.asOf
            query.recordedAsOf = context.recordedAsOf
            guard let row = try await query.run(read, names: API.name).rows.first else {
                throw Pages.notFound("stakeholder", id, context)
            }
            let knowledge = Knowledge(recordedAsOf: context.recorded)
            let own = RecordKind.stakeholder.streamID(id)
            let profile = try await RecordHistory.versions(of: [own], store: read.session.store, knowledge: knowledge)[
                own
            ]
            .flatMap(StakeholderRecord.init(versions:))
            // What they said: the statements of the consultations held by the date.
            var consultationsQuery = ConsultationsQuery()
            consultationsQuery.asOf = context.asOf
            consultationsQuery.recordedAsOf = context.recordedAsOf
            let consultations = try await consultationsQuery.run(read, names: API.name).rows
            let folded = try await RecordHistory.versions(
                of: consultations.map { RecordKind.consultation.streamID($0.consultationID) },
                store: read.session.store, knowledge: knowledge)
            let said = consultations.flatMap { consultation in
                let record = folded[RecordKind.consultation.streamID(consultation.consultationID)]
                    .flatMap(ConsultationRecord.init(versions:))
                return (record?.statements ?? []).filter { $0.speakerID == id }.map { (consultation, $0) }
            }
            var requestsQuery = RequestsQuery()
            requestsQuery.asOf = context.asOf
            requestsQuery.recordedAsOf = context.recordedAsOf
            let requests = try await requestsQuery.run(read, names: API.name).rows
            var commitmentsQuery = CommitmentsQuery()
            commitmentsQuery.asOf = context.asOf
            commitmentsQuery.recordedAsOf = context.recordedAsOf
            let commitments = try await commitmentsQuery.run(read, names: API.name).rows
            let names = try await StakeholderNames.load(read)
            return render(
                row, profile: profile, said: said, asked: requests.filter { $0.requesterID == id },
                askedOf: requests.filter { $0.addressedToIDs.contains(id) },
                promised: commitments.filter { $0.state.madeByID == id },
                owns: commitments.filter { $0.state.ownerID == id }, names: names, context: context)
        }
    }

    static func render(
        _ row: StakeholderRow, profile: StakeholderRecord?, said: [(ConsultationRow, ConsultationRecord.Statement)],
        asked: [RequestRow], askedOf: [RequestRow], promised: [CommitmentRow], owns: [CommitmentRow],
        names: StakeholderNames, context: PageContext
    ) -> Reply {
        Layout.page(title: row.name, context: context) {
            element("dl", [.class("facts")]) {
                if let title = row.title {
                    element("dt") { context.say("직함", "Title") }
                    element("dd") { title }
                }
                if let affiliation = row.affiliationID {
                    element("dt") { context.say("소속", "Affiliation") }
                    element("dd") { ConsultationPage.link([affiliation], names, context) }
                }
                if let party = row.party {
                    element("dt") { context.say("정당", "Party") }
                    element("dd") { party }
                }
                element("dt") { context.say("부문", "Sector") }
                element("dd") { Words.sector(row.sector, context.language) }
                if !row.aliases.isEmpty {
                    element("dt") { context.say("다른 이름", "Also known as") }
                    element("dd") { row.aliases.joined(separator: ", ") }
                }
                element("dt") { context.say("기록", "On record") }
                element("dd") {
                    context.say(
                        "발언 \(row.statements) · 요청 \(row.requests) · 한 약속 \(row.commitmentsMade) · "
                            + "책임진 약속 \(row.commitmentsOwned) (미이행 \(row.outstanding), 기한 지남 \(row.overdue))",
                        "\(row.statements) statements · \(row.requests) requests · \(row.commitmentsMade) commitments "
                            + "made · \(row.commitmentsOwned) owned (\(row.outstanding) outstanding, "
                            + "\(row.overdue) overdue)")
                }
                element("dt") { "ID" }
                element("dd", [.class("id")]) { row.stakeholderID }
            }
            if let profile {
                element("h2", [.id("titles")]) { context.say("직함과 소속의 변화", "Titles over time") }
                titles(profile, context: context)
            }
            element("h2", [.id("said")]) { context.say("한 말", "What they said") }
            if said.isEmpty { element("p", [.class("muted")]) { context.say("기록된 발언이 없습니다.", "None recorded.") } }
            for (consultation, statement) in said {
                element("article", [.class("statement")]) {
                    element("p", [.class("muted")]) {
                        (statement.on ?? consultation.startsOn).map { date in
                            element("time", [Attribute("datetime", date.description)]) { date.description }
                                + HTML(" · ")
                        } ?? .empty
                        element("a", [.href(context.href("consultations", consultation.consultationID))]) {
                            consultation.title
                        }
                    }
                    element("p") { statement.summary }
                    if let quote = statement.quote { element("blockquote") { "“\(quote)”" } }
                }
            }
            element("h2", [.id("asked")]) { context.say("한 요청", "What they asked") }
            RequestsPage.table(
                asked, names: names, context: context,
                caption: context.say("요청 \(asked.count)건", "\(asked.count) requests"))
            if !askedOf.isEmpty {
                element("h2", [.id("asked-of")]) { context.say("받은 요청", "What was asked of them") }
                RequestsPage.table(
                    askedOf, names: names, context: context,
                    caption: context.say("받은 요청 \(askedOf.count)건", "\(askedOf.count) requests"),
                    idPrefix: "asked-of-")
            }
            element("h2", [.id("promised")]) { context.say("한 약속", "What they promised") }
            CommitmentTable.render(
                promised, context: context,
                caption: context.say("한 약속 \(promised.count)건", "\(promised.count) commitments made"))
            element("h2", [.id("owns")]) { context.say("책임진 약속", "What they own") }
            CommitmentTable.render(
                owns, context: context,
                caption: context.say("책임진 약속 \(owns.count)건", "\(owns.count) commitments owned"),
                idPrefix: "owned-")
        }
    }

    /// The registration and each change, by date, with its recording time.
    static func titles(_ profile: StakeholderRecord, context: PageContext) -> HTML {
        let rows = ([profile.registration] + profile.changes).map { version -> [HTML] in
            let data = version.data
            let text = { (key: String) in data[key]?.stringValue }
            return [
                HTML(
                    version.type == .stakeholderRegistered
                        ? context.say("처음 기록", "registered") : (version.ownDate?.description ?? "")),
                HTML(text("title") ?? "—"),
                HTML(
                    [
                        text("name"), text("affiliationId"), text("party"),
                        text("sector").map { Words.sector($0, context.language) },
                    ].compactMap { $0 }.joined(separator: " · ")),
                HTML(Layout.time(version.recordedFrom)),
            ]
        }
        return Layout.table(
            caption: context.say("직함 이력", "Titles and affiliations"),
            headers: [
                context.say("날짜", "From"), context.say("직함", "Title"),
                context.say("이름·소속·정당·부문", "Name, affiliation, party, sector"),
                context.say("기록 시각", "Recorded"),
            ],
            rows: rows)
    }
}
