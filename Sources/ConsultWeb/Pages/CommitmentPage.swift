import ConsultCore
import ConsultDomain
import EventStore
import Foundation
import Hummingbird
import Projections

/// `/commitments/{id}`: a commitment's whole story in date order: the consultation where it was
/// made, the requests it answers, then each event of its stream (made, restated, progress with
/// evidence, revised dues, follow-ups), each with the corrections and retractions recorded of it
/// right after it, and every step with its recording time.
enum CommitmentPage {
    static func answer(_ request: Request, id: String, _ site: Site) async -> Response {
        await Pages.answer(request, site, parameters: []) { _, _ in
            id
        } render: { read, context, id in
            var query = CommitmentsQuery()
            query.id = id
            query.asOf = context.asOf
            query.recordedAsOf = context.recordedAsOf
            let row = try await query.run(read, names: API.name).rows.first
            let stream = RecordKind.commitment.streamID(id)
            var events = try await RecordHistory.events(of: id, store: read.session.store).filter {
                $0.streamID == stream
            }
            if let recorded = context.recorded {
                events = events.filter { $0.recordedAtMicroseconds <= recorded.microseconds }
            }
            guard !events.isEmpty else { throw Pages.notFound("commitment", id, context) }
            var requestsQuery = RequestsQuery()
            requestsQuery.asOf = context.asOf
            requestsQuery.recordedAsOf = context.recordedAsOf
            let answered = Set(row?.state.respondsToRequestIDs ?? [])
            let requests = try await requestsQuery.run(read, names: API.name).rows.filter {
                answered.contains($0.requestID)
            }
            var consultationsQuery = ConsultationsQuery()
            consultationsQuery.recordedAsOf = context.recordedAsOf
            let consultations = try await consultationsQuery.run(read, names: API.name).rows
            let names = try await StakeholderNames.load(read)
            return render(
                id: id, row: row, events: events, requests: requests,
                consultations: Dictionary(consultations.map { ($0.consultationID, $0) }) { first, _ in first },
                names: names, context: context)
        }
    }

    /// One step of the story, and where it goes in date order.
    struct Step {
        var date: CalendarDate?
        /// Before the events on the same date: the consultation (0), its requests (1), events (2).
        var rank: Int
        var position: Int64
        var html: HTML
    }

    static func render(
        id: String, row: CommitmentRow?, events: [RecordedEvent], requests: [RequestRow],
        consultations: [String: ConsultationRow], names: StakeholderNames, context: PageContext
    ) -> Reply {
        let made = events.first { $0.type == EventType.commitmentMade.rawValue }
        let madeData = made.flatMap { Story.data($0) } ?? JSONObject()
        let summary = row?.state.summary ?? madeData["summary"]?.stringValue ?? id
        let title = context.say("약속: ", "Commitment: ") + summary
        var steps: [Step] = []
        let consultationID = row?.state.consultationID ?? madeData["consultationId"]?.stringValue
        if let consultationID {
            let consultation = consultations[consultationID]
            steps.append(
                Step(
                    date: row?.state.madeOn ?? consultation?.startsOn, rank: 0, position: 0,
                    html: element("li", [.class("consultation")]) {
                        Story.when(row?.state.madeOn ?? consultation?.startsOn, context)
                        element("div", [.class("body")]) {
                            element("strong") { context.say("협의", "Consultation") + ": " }
                            element("a", [.href(context.href("consultations", consultationID))]) {
                                consultation?.title ?? consultationID
                            }
                            consultation.map { " (" + Words.kind($0.kind, context.language) + ")" } ?? ""
                        }
                    }))
        }
        for request in requests {
            let date = request.on ?? consultations[request.consultationID]?.startsOn
            steps.append(
                Step(
                    date: date, rank: 1, position: 0,
                    html: element("li", [.class("request")]) {
                        Story.when(date, context)
                        element("div", [.class("body")]) {
                            element("strong") { context.say("요청", "Request") + ": " }
                            request.summary
                            element("span", [.class("muted")]) {
                                " — " + names.name(request.requesterID) + " → "
                                    + request.addressedToIDs.map(names.name).joined(separator: ", ")
                            }
                            " "
                            element(
                                "a",
                                [
                                    .href(
                                        {
                                            var target = context.href("consultations", request.consultationID)
                                            target.fragment = "request-" + request.requestID
                                            return target
                                        }())
                                ]
                            ) { context.say("협의에서 보기", "at its consultation") }
                        }
                    }))
        }
        let story = Story(events: events, names: names, context: context)
        // As the fold does: an event dated (`on`) after the date answered for has not happened yet.
        for event in story.recordEvents
        where (Story.data(event)?["on"]?.stringValue.flatMap(CalendarDate.init)).map({
            $0 <= context.date
        }) ?? true {
            let date =
                Story.ownDate(event) ?? (event.type == EventType.commitmentMade.rawValue ? row?.state.madeOn : nil)
            steps.append(Step(date: date, rank: 2, position: event.position, html: story.item(event, date: date)))
        }
        steps.sort {
            ($0.date?.dayNumber ?? .max, $0.rank, $0.position) < ($1.date?.dayNumber ?? .max, $1.rank, $1.position)
        }
        return Layout.page(title: title, context: context) {
            if let row {
                facts(row, names: names, context: context)
            } else {
                element("p", [.class("error")]) {
                    context.say(
                        "이 약속은 이 날짜와 기록 시점에 기록에 없습니다 (철회되었거나 아직 하지 않은 약속). 아래는 기록된 경과입니다.",
                        "This commitment is not in the record on this date and recording time (retracted, or not made "
                            + "yet). Below is what was recorded of it.")
                }
            }
            element("h2", [.id("story")]) { context.say("경과", "The story") }
            element("ol", [.class("story")]) { steps.map(\.html) }
            element("p", [.class("muted")]) {
                context.say("기계가 읽는 형태: ", "For machines: ")
                element("a", [Attribute("href", Href("api", "v1", "commitments", id).text)]) { "JSON" }
                " · "
                element("a", [Attribute("href", Href("api", "v1", "history", id).text)]) {
                    context.say("이벤트 기록", "events")
                }
            }
        }
    }

    static func facts(_ row: CommitmentRow, names: StakeholderNames, context: PageContext) -> HTML {
        let state = row.state
        return element("dl", [.class("facts")]) {
            element("dt") { context.say("책임 기관", "Owner") }
            element("dd") {
                element("a", [.href(context.href("stakeholders", state.ownerID))]) { state.ownerName ?? state.ownerID }
            }
            element("dt") { context.say("약속한 사람", "Made by") }
            element("dd") {
                element("a", [.href(context.href("stakeholders", state.madeByID))]) {
                    state.makerName ?? state.madeByID
                }
                state.makerTitle.map { " (\($0))" } ?? ""
            }
            element("dt") { context.say("기한", "Due") }
            element("dd") { CommitmentTable.due(state, context) }
            element("dt") { context.say("상태", "Status") }
            element("dd") {
                CommitmentTable.badge(state.status, Words.status(state.status, context.language))
                " "
                CommitmentTable.badge(row.schedule.rawValue, Words.schedule(row.schedule, context.language))
                state.statusOn.map { context.say(" (\($0)부터)", " (since \($0))") } ?? ""
            }
            if let note = state.lastNote {
                element("dt") { context.say("최근 경과", "Latest note") }
                element("dd") { note }
            }
            element("dt") { context.say("주제", "Topics") }
            element("dd") { state.topics.joined(separator: ", ") }
            element("dt") { context.say("재확인·점검", "Restated · follow-ups") }
            element("dd") { "\(state.restatements) · \(row.followUps)" }
            element("dt") { "ID" }
            element("dd", [.class("id")]) { state.commitmentID }
        }
    }
}

/// The events of a record told in words, each with its recording time, and the corrections and
/// retractions of it right after it.
struct Story {
    let events: [RecordedEvent]
    let names: StakeholderNames
    let context: PageContext
    /// Corrections and retractions, by the id of the event they are of (lowercased).
    let attached: [String: [RecordedEvent]]
    let retracted: Set<String>

    init(events: [RecordedEvent], names: StakeholderNames, context: PageContext) {
        self.events = events
        self.names = names
        self.context = context
        var attached: [String: [RecordedEvent]] = [:]
        for event in events {
            if let target = RecordHistory.targets(of: event) { attached[target, default: []].append(event) }
        }
        self.attached = attached
        retracted = RecordHistory.retractedIDs(in: events)
    }

    /// The events that are not corrections or retractions.
    var recordEvents: [RecordedEvent] { events.filter { RecordHistory.targets(of: $0) == nil } }

    static func data(_ event: RecordedEvent) -> JSONObject? { event.currentData }

    /// The date an event is about (`on`, `checkOn`, a consultation's `date`).
    static func ownDate(_ event: RecordedEvent) -> CalendarDate? {
        guard let data = data(event) else { return nil }
        for field in ["on", "checkOn", "date"] {
            if let date = data[field]?.stringValue.flatMap(CalendarDate.init) { return date }
        }
        return nil
    }

    static func when(_ date: CalendarDate?, _ context: PageContext) -> HTML {
        element("div", [.class("when")]) {
            if let date {
                element("time", [Attribute("datetime", date.description)]) { date.description }
            } else {
                context.say("날짜 없음", "undated")
            }
        }
    }

    func recorded(_ event: RecordedEvent) -> HTML {
        element("div", [.class("recorded")]) {
            context.say("기록: ", "Recorded ")
            element("time", [Attribute("datetime", event.recordedAt)]) {
                Layout.time(Timestamp(microseconds: event.recordedAtMicroseconds))
            }
        }
    }

    /// One event as a list item: its date, what it says, its recording time, then what corrects
    /// or retracts it.
    func item(_ event: RecordedEvent, date: CalendarDate?) -> HTML {
        let id = event.id.uuidString.lowercased()
        let isRetracted = retracted.contains(id)
        return element("li", [.class(isRetracted ? "event retracted" : "event"), .id("event-" + id)]) {
            Story.when(date, context)
            element("div", [.class("body")]) {
                element("strong") { Words.event(event.type, context.language) }
                if isRetracted {
                    element("span", [.class("badge broken")]) { context.say("철회됨", "retracted") }
                }
                says(event)
            }
            recorded(event)
            amendments(of: id)
        }
    }

    /// The corrections and retractions of the event `id`, in log order (and theirs in turn).
    func amendments(of id: String) -> HTML {
        HTMLBuilder.buildArray(
            (attached[id] ?? []).map { amendment in
                let isRetraction = amendment.type == EventType.recordRetracted.rawValue
                let data = Story.data(amendment) ?? JSONObject()
                let amendmentID = amendment.id.uuidString.lowercased()
                return element(
                    "div",
                    [
                        .class(isRetraction ? "retraction" : "correction"), .id("event-" + amendmentID),
                    ]
                ) {
                    element("strong") {
                        isRetraction
                            ? context.say("철회", "Retraction") : context.say("정정", "Correction")
                    }
                    if retracted.contains(amendmentID) {
                        " "
                        element("span", [.class("badge broken")]) { context.say("철회됨", "retracted") }
                    }
                    if !isRetraction, let changes = data["changes"]?.objectValue {
                        element("ul") {
                            for (key, value) in changes {
                                element("li") {
                                    element("code") { key }
                                    " → "
                                    value.stringValue ?? value.serialized()
                                }
                            }
                        }
                    }
                    element("p") { context.say("사유: ", "Reason: ") + (data["reason"]?.stringValue ?? "") }
                    recorded(amendment)
                    amendments(of: amendmentID)
                }
            })
    }

    /// What an event of a commitment, a consultation, a request or a stakeholder says.
    func says(_ event: RecordedEvent) -> HTML {
        let data = Story.data(event) ?? JSONObject()
        let text = { (key: String) in data[key]?.stringValue }
        let say = context.language.say
        return element("div") {
            switch EventType(rawValue: event.type) {
            case .commitmentMade?:
                element("p") { text("summary") ?? "" }
                element("p", [.class("muted")]) {
                    say("약속한 사람: ", "Made by: ") + names.name(text("madeById") ?? "")
                        + say(" · 책임: ", " · owner: ") + names.name(text("ownerId") ?? "")
                    if let due = text("due") {
                        say(" · 기한: ", " · due: ") + due + (text("dueText").map { " “\($0)”" } ?? "")
                    }
                }
            case .commitmentRestated?:
                element("p") {
                    names.name(text("byId") ?? "") + say(" 재확인", " restated it")
                    if let consultation = text("consultationId") {
                        " ("
                        element("a", [.href(context.href("consultations", consultation))]) { consultation }
                        ")"
                    }
                }
                if let note = text("note") { element("p") { note } }
            case .commitmentProgressed?:
                element("p") {
                    let status = text("status") ?? ""
                    CommitmentTable.badge(status, Words.status(status, context.language))
                    " "
                    text("note") ?? ""
                }
                if let due = text("revisedDue") {
                    element("p") { element("strong") { say("기한 변경: ", "Due revised to ") + due } }
                }
                if let reason = text("reason") { element("p") { say("사유: ", "Reason: ") + reason } }
                if let assessment = text("assessment") {
                    element("p", [.class("muted")]) {
                        assessment == "independent"
                            ? say("독립적 확인", "independently assessed") : say("당사자 보고", "self-reported")
                    }
                }
                Story.sources(data["evidence"]?.arrayValue ?? [], label: say("근거", "Evidence"), context: context)
            case .followUpScheduled?:
                element("p") {
                    say("점검일: ", "Check on ") + (text("checkOn") ?? "")
                    text("assignee").map { say(" · 담당: ", " · by ") + $0 } ?? ""
                }
                if let note = text("note") { element("p") { note } }
            case .stakeholderRegistered?, .stakeholderChanged?:
                element("p") {
                    [
                        text("name"), text("title"), text("party"),
                        text("sector").map { Words.sector($0, context.language) },
                    ]
                    .compactMap { $0 }.joined(separator: " · ")
                }
            default:
                element("p") { RecordHistory.detail(of: event, byID: [:]) }
            }
        }
    }

    /// Sources (evidence of progress, a consultation's articles): publisher, title, date, and a
    /// link only when the URL is http(s).
    static func sources(_ sources: [JSONValue], label: String, context: PageContext) -> HTML {
        guard !sources.isEmpty else { return .empty }
        return element("div", [.class("sources")]) {
            element("span", [.class("muted")]) { label + ": " }
            element("ul") {
                for source in sources.compactMap(\.objectValue) {
                    let publisher = source["publisher"]?.stringValue ?? ""
                    let title = source["title"]?.stringValue
                    let label = [publisher, title].compactMap { $0 }.joined(separator: ", ")
                    element("li") {
                        if let url = source["url"]?.stringValue {
                            ExternalLink.link(url, label: label.isEmpty ? url : label)
                        } else {
                            label
                        }
                        source["publishedOn"]?.stringValue.map { " (\($0))" } ?? ""
                    }
                }
            }
        }
    }
}

/// Every stakeholder's name by id, for showing ids as people read them.
struct StakeholderNames: Sendable {
    var names: [String: String]

    static func load(_ read: ReadSession) async throws -> StakeholderNames {
        StakeholderNames(
            names: Dictionary(try await read.model.stakeholderNames().map { ($0.id, $0.name) }) { first, _ in first })
    }

    /// The name, or the id when none is known.
    func name(_ id: String) -> String { names[id] ?? id }
}
