import ConsultDomain
import Foundation
import Testing

private typealias Event = BatchRules.Event

// MARK: - Builders

/// An event of `type` with a fresh id and the data `json` describes.
private func event(_ type: EventType, _ json: String) -> Event {
    Event(id: UUID(), type: type, data: RuleFixtures.object(json))
}

/// A JSON array of strings (ids need no escaping).
private func list(_ ids: [String]) -> String {
    "[" + ids.map { "\"\($0)\"" }.joined(separator: ",") + "]"
}

private func stakeholder(_ id: String, kind: String = "organization", sector: String = "government") -> Event {
    event(
        .stakeholderRegistered,
        #"{"stakeholderId":"\#(id)","name":"\#(id) 이름","kind":"\#(kind)","sector":"\#(sector)"}"#)
}

private func change(_ id: String, title: String = "전 장관") -> Event {
    event(.stakeholderChanged, #"{"stakeholderId":"\#(id)","on":"2024-01-10","title":"\#(title)"}"#)
}

private func consultation(_ id: String, on date: String = "2023-03-08") -> Event {
    event(
        .consultationHeld,
        #"""
        {"consultationId":"\#(id)","kind":"strategy_dialogue","title":"AI 전략대화","date":"\#(date)",
         "organizerIds":["msit"],"participants":[{"stakeholderId":"lee-jong-ho","role":"host"}],
         "sources":[{"publisher":"뉴스토마토","url":"https://www.newstomato.com/ReadNews.aspx?no=1185370"}]}
        """#)
}

private func statement(_ id: String, in consultation: String = "dialogue-3", by speaker: String = "lee-jong-ho")
    -> Event
{
    event(
        .statementRecorded,
        #"""
        {"consultationId":"\#(consultation)","statementId":"\#(id)","speakerId":"\#(speaker)",
         "summary":"초거대 AI 경쟁력 강화를 강조했다.","topics":["compute"]}
        """#)
}

private func request(
    _ id: String, in consultation: String = "dialogue-3", by requester: String = "startup-alliance",
    to addressees: [String] = ["msit"]
) -> Event {
    event(
        .requestMade,
        #"""
        {"consultationId":"\#(consultation)","requestId":"\#(id)","requesterId":"\#(requester)",
         "addressedToIds":\#(list(addressees)),"summary":"GPU 접근 지원을 요청했다.","topics":["compute"]}
        """#)
}

private func answer(_ request: String, on date: String = "2023-03-20") -> Event {
    event(
        .requestAnswered,
        #"""
        {"requestId":"\#(request)","on":"\#(date)","answeredById":"msit","outcome":"accepted",
         "reason":"지원 사업에 반영한다."}
        """#)
}

private func commitment(
    _ id: String, in consultation: String = "dialogue-3", by maker: String = "lee-jong-ho", owner: String = "msit",
    respondsTo requests: [String] = []
) -> Event {
    event(
        .commitmentMade,
        #"""
        {"commitmentId":"\#(id)","consultationId":"\#(consultation)","madeById":"\#(maker)","ownerId":"\#(owner)",
         "summary":"초거대 AI 경쟁력 강화 방안을 발표한다.","topics":["compute"],"due":"2023-03",
         "respondsToRequestIds":\#(list(requests))}
        """#)
}

private func restatement(_ commitment: String, in consultation: String = "dialogue-4", on date: String = "2023-04-05")
    -> Event
{
    event(
        .commitmentRestated,
        #"{"commitmentId":"\#(commitment)","consultationId":"\#(consultation)","byId":"lee-jong-ho","on":"\#(date)"}"#)
}

private func progress(_ commitment: String, on date: String = "2023-04-14") -> Event {
    event(
        .commitmentProgressed,
        #"""
        {"commitmentId":"\#(commitment)","on":"\#(date)","status":"in_progress","note":"방안을 준비 중이다.",
         "evidence":[{"publisher":"과학기술정보통신부"}]}
        """#)
}

private func followUp(_ commitment: String) -> Event {
    event(.followUpScheduled, #"{"commitmentId":"\#(commitment)","checkOn":"2023-04-01"}"#)
}

private func correction(of target: UUID, _ changes: String) -> Event {
    event(
        .recordCorrected,
        #"{"correctsEventId":"\#(target.uuidString)","reason":"기록 오류를 바로잡는다.","changes":\#(changes)}"#)
}

private func correction(of target: Event, _ changes: String) -> Event {
    correction(of: target.id, changes)
}

private func retraction(of target: Event) -> Event {
    event(.recordRetracted, #"{"retractsEventId":"\#(target.id.uuidString)","reason":"잘못 기록했다."}"#)
}

/// What the store holds before each test: a few stakeholders, two consultations and one record of each kind.
struct BatchWorld {
    let msit, lee, alliance, naver: BatchRules.Event
    /// 2023-03-08 and 2023-04-05.
    let dialogue3, dialogue4: BatchRules.Event
    let change1, statement1, request1, answer1, commitment1, progress1: BatchRules.Event

    init() {
        msit = stakeholder("msit")
        lee = stakeholder("lee-jong-ho", kind: "person")
        alliance = stakeholder("startup-alliance", sector: "association")
        naver = stakeholder("naver", sector: "large_company")
        dialogue3 = consultation("dialogue-3", on: "2023-03-08")
        dialogue4 = consultation("dialogue-4", on: "2023-04-05")
        change1 = change("lee-jong-ho")
        statement1 = statement("s-1")
        request1 = request("r-gpu")
        answer1 = answer("r-gpu")
        commitment1 = commitment("k-gpu", respondsTo: ["r-gpu"])
        progress1 = progress("k-gpu")
    }

    var events: [BatchRules.Event] {
        [
            msit, lee, alliance, naver, dialogue3, dialogue4, change1, statement1, request1, answer1, commitment1,
            progress1,
        ]
    }

    /// One stored event of each kind, to correct or retract.
    enum Record: String, CaseIterable, Sendable {
        case stakeholder, change, consultation, statement, request, answer, commitment, progress
    }

    func event(_ record: Record) -> BatchRules.Event {
        switch record {
        case .stakeholder: naver
        case .change: change1
        case .consultation: dialogue3
        case .statement: statement1
        case .request: request1
        case .answer: answer1
        case .commitment: commitment1
        case .progress: progress1
        }
    }
}

/// The index of a store holding `events`, applied in order.
private func index(of events: [Event]) -> RecordIndex {
    var index = RecordIndex()
    for event in events { index.apply(id: event.id, type: event.type, data: event.current) }
    return index
}

/// The result of checking a batch: its violations and the index afterwards.
private struct Outcome {
    var violations: [(Int, Violation)]
    var index: RecordIndex

    /// `position field: message` for each violation.
    var lines: [String] { violations.map { "\($0.0) \($0.1.field): \($0.1.message)" } }
    /// `position field` for each violation.
    var fields: [String] { violations.map { "\($0.0) \($0.1.field)" } }
}

/// Checks `batch` against a store holding `stored` (the world's events when not given).
private func check(_ batch: [Event], stored: [Event]? = nil) -> Outcome {
    var index = index(of: stored ?? BatchWorld().events)
    let violations = BatchRules.check(batch, against: &index)
    return Outcome(violations: violations, index: index)
}

/// Expects exactly one violation, at `position` and `field`, whose message contains every fragment.
private func expectOne(
    _ outcome: Outcome, at position: Int, _ field: String, _ fragments: String...,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard outcome.violations.count == 1 else {
        Issue.record(
            "expected one violation at \(position) \(field), got \(outcome.lines)", sourceLocation: sourceLocation)
        return
    }
    #expect(outcome.fields == ["\(position) \(field)"], sourceLocation: sourceLocation)
    for fragment in fragments {
        #expect(outcome.violations[0].1.message.contains(fragment), "\(outcome.lines)", sourceLocation: sourceLocation)
    }
}

private let notRecorded = "(neither in the store nor earlier in this batch)"

// MARK: - References

/// An event that refers to a record (`referrer`), the event that defines that record (`definition`),
/// the path the reference is reported at and the id it names.
struct ReferenceCase: Sendable, CustomTestStringConvertible {
    var name: String
    var path: String
    var make: @Sendable () -> (definition: BatchRules.Event, referrer: BatchRules.Event)

    var testDescription: String { name }
}

private let referenceCases = [
    ReferenceCase(name: "statement's consultation", path: "data.consultationId") {
        (consultation("dialogue-9"), statement("s-9", in: "dialogue-9"))
    },
    ReferenceCase(name: "statement's speaker", path: "data.speakerId") {
        (stakeholder("kim", kind: "person"), statement("s-9", by: "kim"))
    },
    ReferenceCase(name: "request's consultation", path: "data.consultationId") {
        (consultation("dialogue-9"), request("r-9", in: "dialogue-9"))
    },
    ReferenceCase(name: "request's requester", path: "data.requesterId") {
        (stakeholder("kim"), request("r-9", by: "kim"))
    },
    ReferenceCase(name: "request's second addressee", path: "data.addressedToIds[1]") {
        (stakeholder("mois"), request("r-9", to: ["msit", "mois"]))
    },
    ReferenceCase(name: "answer's request", path: "data.requestId") {
        (request("r-9"), answer("r-9"))
    },
    ReferenceCase(name: "commitment's consultation", path: "data.consultationId") {
        (consultation("dialogue-9"), commitment("k-9", in: "dialogue-9"))
    },
    ReferenceCase(name: "commitment's maker", path: "data.madeById") {
        (stakeholder("kim", kind: "person"), commitment("k-9", by: "kim"))
    },
    ReferenceCase(name: "commitment's owner", path: "data.ownerId") {
        (stakeholder("mois"), commitment("k-9", owner: "mois"))
    },
    ReferenceCase(name: "commitment's second request", path: "data.respondsToRequestIds[1]") {
        (request("r-9"), commitment("k-9", respondsTo: ["r-gpu", "r-9"]))
    },
    ReferenceCase(name: "restatement's commitment", path: "data.commitmentId") {
        (commitment("k-9"), restatement("k-9"))
    },
    ReferenceCase(name: "restatement's consultation", path: "data.consultationId") {
        (consultation("dialogue-9", on: "2023-05-02"), restatement("k-gpu", in: "dialogue-9", on: "2023-05-02"))
    },
    ReferenceCase(name: "progress' commitment", path: "data.commitmentId") {
        (commitment("k-9"), progress("k-9"))
    },
    ReferenceCase(name: "follow-up's commitment", path: "data.commitmentId") {
        (commitment("k-9"), followUp("k-9"))
    },
    ReferenceCase(name: "StakeholderChanged's stakeholder", path: "data.stakeholderId") {
        (stakeholder("kim", kind: "person"), change("kim"))
    },
    ReferenceCase(name: "correction's target", path: "data.correctsEventId") {
        let target = consultation("dialogue-9")
        return (target, correction(of: target, #"{"title":"제4차 AI 전략대화"}"#))
    },
    ReferenceCase(name: "retraction's target", path: "data.retractsEventId") {
        let target = consultation("dialogue-9")
        return (target, retraction(of: target))
    },
]

@Suite("BatchRules: references")
struct BatchReferenceTests {
    @Test("the world itself is a valid batch")
    func worldIsValid() {
        #expect(check(BatchWorld().events, stored: []).lines == [])
    }

    @Test("a reference to a stored record passes", arguments: referenceCases)
    func stored(reference: ReferenceCase) {
        let (definition, referrer) = reference.make()
        #expect(check([referrer], stored: BatchWorld().events + [definition]).lines == [])
    }

    @Test("a reference to a record defined earlier in the batch passes", arguments: referenceCases)
    func earlierInBatch(reference: ReferenceCase) {
        let (definition, referrer) = reference.make()
        #expect(check([definition, referrer]).lines == [])
    }

    @Test("a reference to a record defined later in the batch fails", arguments: referenceCases)
    func laterInBatch(reference: ReferenceCase) {
        let (definition, referrer) = reference.make()
        expectOne(check([referrer, definition]), at: 0, reference.path, notRecorded)
    }

    @Test("a reference to a record recorded nowhere fails", arguments: referenceCases)
    func nowhere(reference: ReferenceCase) {
        let (_, referrer) = reference.make()
        expectOne(check([referrer]), at: 0, reference.path, notRecorded)
    }

    @Test("the message names the missing id")
    func messageNamesTheId() {
        let outcome = check([statement("s-9", by: "kim")])
        #expect(
            outcome.lines == [
                "0 data.speakerId: stakeholder \"kim\" is not recorded (neither in the store nor earlier in this batch)"
            ])
    }

    @Test("every missing addressee is reported with its index")
    func everyAddressee() {
        let outcome = check([request("r-9", to: ["nobody", "msit", "mois"])])
        #expect(outcome.fields == ["0 data.addressedToIds[0]", "0 data.addressedToIds[2]"])
    }
}

// MARK: - Registrations

/// Two events that register the same id.
struct DuplicateCase: Sendable, CustomTestStringConvertible {
    var name: String
    var path: String
    var make: @Sendable () -> (first: BatchRules.Event, second: BatchRules.Event)

    var testDescription: String { name }
}

private let duplicateCases = [
    DuplicateCase(name: "StakeholderRegistered", path: "data.stakeholderId") {
        (stakeholder("kim"), stakeholder("kim", kind: "person", sector: "startup"))
    },
    DuplicateCase(name: "ConsultationHeld", path: "data.consultationId") {
        (consultation("dialogue-9"), consultation("dialogue-9", on: "2023-05-02"))
    },
    DuplicateCase(name: "CommitmentMade", path: "data.commitmentId") {
        (commitment("k-9"), commitment("k-9", in: "dialogue-4", owner: "naver"))
    },
    DuplicateCase(name: "StatementRecorded, same consultation", path: "data.statementId") {
        (statement("s-9"), statement("s-9", by: "naver"))
    },
    DuplicateCase(name: "StatementRecorded, another consultation", path: "data.statementId") {
        (statement("s-9"), statement("s-9", in: "dialogue-4"))
    },
    DuplicateCase(name: "RequestMade", path: "data.requestId") {
        (request("r-9"), request("r-9", in: "dialogue-4", to: ["naver"]))
    },
]

@Suite("BatchRules: nothing registered twice")
struct BatchDuplicateTests {
    @Test("registering an id the store holds fails", arguments: duplicateCases)
    func againstStore(duplicate: DuplicateCase) {
        let (first, second) = duplicate.make()
        expectOne(
            check([second], stored: BatchWorld().events + [first]), at: 0, duplicate.path,
            "is already recorded; correct it with RecordCorrected instead")
    }

    @Test("registering an id twice in one batch fails at the second", arguments: duplicateCases)
    func withinBatch(duplicate: DuplicateCase) {
        let (first, second) = duplicate.make()
        expectOne(check([first, second]), at: 1, duplicate.path, "is already recorded")
    }

    @Test("the world's own records cannot be registered again")
    func worldRecords() {
        let outcome = check([
            stakeholder("msit"), consultation("dialogue-3"), statement("s-1"), request("r-gpu"), commitment("k-gpu"),
        ])
        #expect(
            outcome.fields == [
                "0 data.stakeholderId", "1 data.consultationId", "2 data.statementId", "3 data.requestId",
                "4 data.commitmentId",
            ])
    }

    @Test("events that add to a record may come many times")
    func repeatableEvents() {
        let outcome = check([
            change("lee-jong-ho"), change("lee-jong-ho", title: "국회의원"), answer("r-gpu"), answer("r-gpu"),
            restatement("k-gpu"), restatement("k-gpu"), progress("k-gpu"), progress("k-gpu"), followUp("k-gpu"),
            followUp("k-gpu"),
        ])
        #expect(outcome.lines == [])
    }
}

// MARK: - Dates

@Suite("BatchRules: dates against the consultation")
struct BatchDateTests {
    @Test(
        "progress is not dated before its commitment's consultation (2023-03-08)",
        arguments: [("2022-12-31", false), ("2023-03-07", false), ("2023-03-08", true), ("2023-03-09", true)])
    func progressDate(on date: String, passes: Bool) {
        let stored = check([progress("k-gpu", on: date)])
        let inBatch = check(
            [
                consultation("dialogue-9", on: "2023-03-08"), commitment("k-9", in: "dialogue-9"),
                progress("k-9", on: date),
            ],
            stored: [stakeholder("msit"), stakeholder("lee-jong-ho", kind: "person")])
        if passes {
            #expect(stored.lines == [])
            #expect(inBatch.lines == [])
        } else {
            #expect(stored.lines == ["0 data.on: \(date) is before the commitment's consultation (2023-03-08)"])
            #expect(inBatch.lines == ["2 data.on: \(date) is before the commitment's consultation (2023-03-08)"])
        }
    }

    @Test(
        "an answer is not dated before its request's consultation (2023-03-08)",
        arguments: [("2022-12-31", false), ("2023-03-07", false), ("2023-03-08", true), ("2023-03-09", true)])
    func answerDate(on date: String, passes: Bool) {
        let stored = check([answer("r-gpu", on: date)])
        let inBatch = check(
            [consultation("dialogue-9", on: "2023-03-08"), request("r-9", in: "dialogue-9"), answer("r-9", on: date)],
            stored: [stakeholder("msit"), stakeholder("startup-alliance"), stakeholder("lee-jong-ho")])
        if passes {
            #expect(stored.lines == [])
            #expect(inBatch.lines == [])
        } else {
            #expect(stored.lines == ["0 data.on: \(date) is before the request's consultation (2023-03-08)"])
            #expect(inBatch.lines == ["2 data.on: \(date) is before the request's consultation (2023-03-08)"])
        }
    }

    @Test("the commitment's consultation counts, not the one it was restated at")
    func restatedCommitment() {
        let outcome = check([restatement("k-gpu", in: "dialogue-4"), progress("k-gpu", on: "2023-03-10")])
        #expect(outcome.lines == [])
    }
}

// MARK: - Corrections

@Suite("BatchRules: corrections")
struct BatchCorrectionTests {
    @Test("a correction of an event recorded nowhere fails")
    func unknownTarget() {
        let unknown = UUID()
        expectOne(
            check([correction(of: unknown, #"{"title":"새 제목"}"#)]), at: 0, "data.correctsEventId",
            "no event with id \(unknown.uuidString) is recorded", notRecorded)
    }

    @Test(
        "a correction may only replace fields the target's type has",
        arguments: [
            (BatchWorld.Record.consultation, #"{"colour":"blue"}"#, "data.changes.colour"),
            (.consultation, #"{"summary":"요약"}"#, "data.changes.summary"),
            (.statement, #"{"title":"제목"}"#, "data.changes.title"),
            (.commitment, #"{"status":"fulfilled"}"#, "data.changes.status"),
            (.stakeholder, #"{"on":"2024-01-01"}"#, "data.changes.on"),
        ])
    func unknownField(record: BatchWorld.Record, changes: String, path: String) {
        let world = BatchWorld()
        let target = world.event(record)
        expectOne(
            check([correction(of: target, changes)], stored: world.events), at: 0, path,
            "is not a field of \(target.type.rawValue)")
    }

    @Test(
        "a correction may not change the record's own id",
        arguments: [
            (BatchWorld.Record.stakeholder, #"{"stakeholderId":"naver-cloud"}"#, "data.changes.stakeholderId"),
            (.change, #"{"stakeholderId":"msit"}"#, "data.changes.stakeholderId"),
            (.consultation, #"{"consultationId":"dialogue-9"}"#, "data.changes.consultationId"),
            (.statement, #"{"statementId":"s-2"}"#, "data.changes.statementId"),
            (.statement, #"{"consultationId":"dialogue-4"}"#, "data.changes.consultationId"),
            (.request, #"{"requestId":"r-9"}"#, "data.changes.requestId"),
            (.answer, #"{"requestId":"r-9"}"#, "data.changes.requestId"),
            (.commitment, #"{"commitmentId":"k-other"}"#, "data.changes.commitmentId"),
            (.progress, #"{"commitmentId":"k-other"}"#, "data.changes.commitmentId"),
        ])
    func idField(record: BatchWorld.Record, changes: String, path: String) {
        let world = BatchWorld()
        expectOne(
            check([correction(of: world.event(record), changes)], stored: world.events), at: 0, path,
            "is the record's id and cannot be corrected")
    }

    @Test(
        "a correction that makes its target invalid fails, under data.changes",
        arguments: [
            (
                BatchWorld.Record.consultation, #"{"date":"2023-02-30"}"#,
                "data.changes.date: \"2023-02-30\" is not a real calendar date (after the correction)"
            ),
            (
                .consultation, #"{"sources":[]}"#,
                "data.changes.sources: must have at least one entry (after the correction)"
            ),
            (.consultation, #"{"title":null}"#, "data.changes.title: is required (after the correction)"),
            (
                .consultation, #"{"participants":[{"stakeholderId":"msit","role":"chair"}]}"#,
                "data.changes.participants[0].role: \"chair\" is not one of host, speaker, panelist, moderator, "
                    + "attendee, interviewee, author, commenter (after the correction)"
            ),
            (
                .statement, #"{"speakerId":"nobody"}"#,
                "data.changes.speakerId: stakeholder \"nobody\" is not recorded \(notRecorded) (after the correction)"
            ),
            (.statement, #"{"quote":"   "}"#, "data.changes.quote: must not be empty (after the correction)"),
            (
                .request, #"{"addressedToIds":["msit","nobody"]}"#,
                "data.changes.addressedToIds[1]: stakeholder \"nobody\" is not recorded \(notRecorded)"
                    + " (after the correction)"
            ),
            (
                .answer, #"{"on":"2023-03-01"}"#,
                "data.changes.on: 2023-03-01 is before the request's consultation (2023-03-08) (after the correction)"
            ),
            (
                .commitment, #"{"due":"2023-13"}"#,
                "data.changes.due: \"2023-13\" is not a month (months run 01–12) (after the correction)"
            ),
            (
                .commitment, #"{"respondsToRequestIds":["nobody"]}"#,
                "data.changes.respondsToRequestIds[0]: request \"nobody\" is not recorded \(notRecorded)"
                    + " (after the correction)"
            ),
            (
                .commitment, #"{"consultationId":"nobody"}"#,
                "data.changes.consultationId: consultation \"nobody\" is not recorded \(notRecorded)"
                    + " (after the correction)"
            ),
            (
                .progress, #"{"on":"2023-03-01"}"#,
                "data.changes.on: 2023-03-01 is before the commitment's consultation (2023-03-08)"
                    + " (after the correction)"
            ),
            (
                .progress, #"{"status":"open"}"#,
                "data.changes.status: \"open\" is not one of in_progress, stalled, fulfilled, partially_fulfilled, "
                    + "broken, withdrawn (after the correction)"
            ),
        ])
    func invalidAfterCorrection(record: BatchWorld.Record, changes: String, expected: String) {
        let world = BatchWorld()
        #expect(check([correction(of: world.event(record), changes)], stored: world.events).lines == ["0 " + expected])
    }

    @Test("a correction that leaves a StakeholderChanged changing nothing fails")
    func changeChangesNothing() throws {
        let world = BatchWorld()
        let outcome = check([correction(of: world.change1, #"{"title":null}"#)], stored: world.events)
        try #require(outcome.violations.count == 1, "\(outcome.lines)")
        #expect(outcome.violations[0].1.message.hasPrefix("changes nothing"))
        #expect(outcome.violations[0].1.message.hasSuffix("(after the correction)"))
    }

    @Test(
        "a valid correction passes",
        arguments: [
            (BatchWorld.Record.consultation, #"{"date":"2023-03-01"}"#),
            (.consultation, #"{"title":"제3차 초거대 AI 전략대화","venue":"과천"}"#),
            (.stakeholder, #"{"name":"네이버","aliases":["NAVER"]}"#),
            (.change, #"{"title":null,"party":"무소속"}"#),
            (.statement, #"{"speakerId":"naver","quote":"GPU가 부족하다"}"#),
            (.request, #"{"addressedToIds":["msit","naver"]}"#),
            (.answer, #"{"outcome":"declined","on":"2023-03-08"}"#),
            (.commitment, #"{"due":"2023-06","ownerId":"naver","consultationId":"dialogue-4"}"#),
            (.commitment, #"{"due":null,"respondsToRequestIds":[]}"#),
            (.progress, #"{"on":"2023-03-08","status":"fulfilled"}"#),
        ])
    func validCorrection(record: BatchWorld.Record, changes: String) {
        let world = BatchWorld()
        #expect(check([correction(of: world.event(record), changes)], stored: world.events).lines == [])
    }

    @Test("a correction to an event earlier in the batch passes; to one later in it, fails")
    func targetInBatch() {
        let held = consultation("dialogue-9")
        #expect(check([held, correction(of: held, #"{"date":"2023-05-01"}"#)]).lines == [])
        expectOne(check([correction(of: held, #"{"date":"2023-05-01"}"#), held]), at: 0, "data.correctsEventId")
    }

    @Test("after a correction of a consultation's date, later events are checked against the new date")
    func correctedDateApplies() {
        let world = BatchWorld()
        // Before 2023-03-08: refused without the correction.
        expectOne(check([progress("k-gpu", on: "2023-03-05")]), at: 0, "data.on")
        let earlier = check(
            [correction(of: world.dialogue3, #"{"date":"2023-03-01"}"#), progress("k-gpu", on: "2023-03-05")],
            stored: world.events)
        #expect(earlier.lines == [])
        #expect(earlier.index.consultations["dialogue-3"]?.startsOn == CalendarDate("2023-03-01"))

        let later = check(
            [
                correction(of: world.dialogue3, #"{"date":"2023-03-20"}"#), progress("k-gpu", on: "2023-03-10"),
                answer("r-gpu", on: "2023-03-10"),
            ],
            stored: world.events)
        #expect(
            later.lines == [
                "1 data.on: 2023-03-10 is before the commitment's consultation (2023-03-20)",
                "2 data.on: 2023-03-10 is before the request's consultation (2023-03-20)",
            ])
    }

    @Test("a stored correction is part of the state a batch is checked against")
    func storedCorrection() {
        let world = BatchWorld()
        let stored = world.events + [correction(of: world.commitment1, #"{"consultationId":"dialogue-4"}"#)]
        #expect(index(of: stored).date(ofCommitment: "k-gpu")?.date == CalendarDate("2023-04-05"))
        expectOne(
            check([progress("k-gpu", on: "2023-03-20")], stored: stored), at: 0, "data.on",
            "before the commitment's consultation (2023-04-05)")
    }

    @Test("a correction of a correction fails, in the store or in the batch")
    func correctingACorrection() {
        let world = BatchWorld()
        let first = correction(of: world.dialogue3, #"{"date":"2023-03-09"}"#)
        expectOne(
            check([correction(of: first, #"{"reason":"다시"}"#)], stored: world.events + [first]), at: 0,
            "data.correctsEventId", "is a correction; correct the original event instead")
        expectOne(
            check([first, correction(of: first, #"{"reason":"다시"}"#)], stored: world.events), at: 1,
            "data.correctsEventId", "is a correction")
    }

    @Test("a second correction of the same event passes")
    func correctingTwice() {
        let world = BatchWorld()
        let outcome = check(
            [
                correction(of: world.dialogue3, #"{"date":"2023-03-09"}"#),
                correction(of: world.dialogue3, #"{"date":"2023-03-10"}"#),
            ],
            stored: world.events)
        #expect(outcome.lines == [])
        #expect(outcome.index.consultations["dialogue-3"]?.startsOn == CalendarDate("2023-03-10"))
    }
}

// MARK: - Retractions

@Suite("BatchRules: retractions")
struct BatchRetractionTests {
    @Test("a retracted event can be neither corrected nor retracted again", arguments: BatchWorld.Record.allCases)
    func retractedEvent(record: BatchWorld.Record) {
        let world = BatchWorld()
        let target = world.event(record)
        let retracted = world.events + [retraction(of: target)]
        expectOne(
            check([correction(of: target, #"{"summary":"바로잡음"}"#)], stored: retracted), at: 0,
            "data.correctsEventId", "was retracted")
        expectOne(check([retraction(of: target)], stored: retracted), at: 0, "data.retractsEventId", "was retracted")
        expectOne(
            check([retraction(of: target), retraction(of: target)], stored: world.events), at: 1,
            "data.retractsEventId", "was retracted")
    }

    @Test("a retraction can be neither retracted nor corrected")
    func retractingARetraction() {
        let world = BatchWorld()
        let retracting = retraction(of: world.statement1)
        let stored = world.events + [retracting]
        expectOne(check([retraction(of: retracting)], stored: stored), at: 0, "data.retractsEventId", "is a retraction")
        expectOne(
            check([correction(of: retracting, #"{"reason":"다른 이유"}"#)], stored: stored), at: 0,
            "data.correctsEventId", "is a retraction")
        expectOne(
            check([retracting, retraction(of: retracting)], stored: world.events), at: 1, "data.retractsEventId",
            "is a retraction")
    }

    @Test(
        "a retracted registration no longer exists; it can be registered anew",
        arguments: [
            (BatchWorld.Record.consultation, "data.consultationId"),
            (.stakeholder, "data.speakerId"),
        ])
    func retractedRegistration(record: BatchWorld.Record, path: String) {
        let world = BatchWorld()
        let referrer = { statement("s-9", in: "dialogue-3", by: "naver") }
        let again = record == .consultation ? consultation("dialogue-3", on: "2023-03-09") : stakeholder("naver")
        expectOne(check([retraction(of: world.event(record)), referrer()], stored: world.events), at: 1, path)
        #expect(check([retraction(of: world.event(record)), again, referrer()], stored: world.events).lines == [])
        // The same, with the retraction already stored.
        let stored = world.events + [retraction(of: world.event(record))]
        expectOne(check([referrer()], stored: stored), at: 0, path, notRecorded)
        #expect(check([again, referrer()], stored: stored).lines == [])
    }

    @Test("a retracted statement, request or commitment no longer exists")
    func retractedRecords() {
        let world = BatchWorld()
        #expect(check([retraction(of: world.statement1), statement("s-1")], stored: world.events).lines == [])
        #expect(
            check([retraction(of: world.request1), answer("r-gpu"), request("r-gpu")], stored: world.events).fields == [
                "1 data.requestId"
            ])
        #expect(
            check(
                [
                    retraction(of: world.commitment1), progress("k-gpu"), followUp("k-gpu"), restatement("k-gpu"),
                    commitment("k-gpu"),
                ],
                stored: world.events
            ).fields == ["1 data.commitmentId", "2 data.commitmentId", "3 data.commitmentId"])
    }

    @Test("retracting a correction undoes it: later events are checked against the original record")
    func retractedCorrection() {
        let world = BatchWorld()
        let fix = correction(of: world.dialogue3, #"{"date":"2023-03-01"}"#)
        // Stored: the consultation (2023-03-08) and a correction moving it to 2023-03-01, which is then retracted;
        // the event is treated as never recorded (SPEC.md, RecordRetracted), so 2023-03-08 holds again.
        let outcome = check([retraction(of: fix), progress("k-gpu", on: "2023-03-05")], stored: world.events + [fix])
        #expect(outcome.lines == ["1 data.on: 2023-03-05 is before the commitment's consultation (2023-03-08)"])
        #expect(outcome.index.consultations["dialogue-3"]?.startsOn == CalendarDate("2023-03-08"))
    }

    @Test("retracting a correction of a statement's speaker restores the original speaker")
    func retractedCorrectionOfReference() {
        let world = BatchWorld()
        let fix = correction(of: world.statement1, #"{"speakerId":"naver"}"#)
        let stored = index(of: world.events + [fix, retraction(of: fix)])
        #expect(stored.events[world.statement1.id]?.data["speakerId"] == .string("lee-jong-ho"))
    }
}

// MARK: - Whole batches

@Suite("BatchRules: whole batches")
struct BatchTests {
    @Test("a batch of every event type into an empty store passes and fills the index")
    func everyType() {
        let world = BatchWorld()
        let batch =
            world.events + [
                restatement("k-gpu"), followUp("k-gpu"), correction(of: world.progress1, #"{"status":"fulfilled"}"#),
                retraction(of: world.change1),
            ]
        #expect(Set(batch.map(\.type)) == Set(EventType.allCases))
        let outcome = check(batch, stored: [])
        #expect(outcome.lines == [])
        #expect(outcome.index.stakeholders == ["msit", "lee-jong-ho", "startup-alliance", "naver"])
        #expect(
            outcome.index.consultations == [
                "dialogue-3": RecordIndex.Days(startsOn: CalendarDate("2023-03-08")!),
                "dialogue-4": RecordIndex.Days(startsOn: CalendarDate("2023-04-05")!),
            ])
        #expect(outcome.index.requests == ["r-gpu": "dialogue-3"])
        #expect(outcome.index.commitments == ["k-gpu": "dialogue-3"])
        #expect(outcome.index.statements == ["s-1"])
        #expect(outcome.index.events.count == batch.count)
        #expect(outcome.index.events[world.change1.id]?.isRetracted == true)
        #expect(outcome.index.events[world.progress1.id]?.data["status"] == .string("fulfilled"))
    }

    @Test("every violation of a batch is reported, with its position, in batch order")
    func severalViolations() {
        let batch = [
            stakeholder("kim", kind: "person"),
            statement("s-9", by: "nobody"),
            consultation("dialogue-3"),
            progress("k-gpu", on: "2023-03-01"),
            event(
                .commitmentMade,
                #"""
                {"commitmentId":"k-9","consultationId":"dialogue-3","madeById":"kim","ownerId":"msit",
                 "topics":[],"due":"2023-13"}
                """#),
            request("r-9", by: "kim", to: ["msit", "nobody"]),
            followUp("k-gpu"),
            retraction(of: stakeholder("ghost")),
        ]
        let outcome = check(batch)
        #expect(
            outcome.fields == [
                "1 data.speakerId", "2 data.consultationId", "3 data.on", "4 data.summary", "4 data.due",
                "5 data.addressedToIds[1]", "7 data.retractsEventId",
            ])
    }

    @Test("a valid batch reports nothing and the index learns its records")
    func indexLearns() {
        let outcome = check([stakeholder("kim"), consultation("dialogue-9", on: "2024-05-01")])
        #expect(outcome.lines == [])
        #expect(outcome.index.stakeholders.contains("kim"))
        #expect(outcome.index.consultations["dialogue-9"]?.startsOn == CalendarDate("2024-05-01"))
    }

    @Test("an event refused for its shape still counts as defined, so later references do not cascade")
    func refusedRegistrationStillDefines() {
        let untitled = event(
            .consultationHeld,
            #"""
            {"consultationId":"dialogue-9","kind":"forum","title":"  ","date":"2023-05-02","organizerIds":[],
             "participants":[],"sources":[{"publisher":"전자신문"}]}
            """#)
        #expect(check([untitled, statement("s-9", in: "dialogue-9")]).fields == ["0 data.title"])
    }

    @Test("a duplicate registration, refused, does not replace the stored record's date for later events")
    func refusedDuplicateKeepsStoredDate() {
        // dialogue-3 is stored as held on 2023-03-08; the batch's second ConsultationHeld is refused, so the
        // progress dated 2022-01-01 is still before the commitment's consultation and must be reported too.
        let outcome = check([consultation("dialogue-3", on: "2020-01-01"), progress("k-gpu", on: "2022-01-01")])
        #expect(outcome.fields == ["0 data.consultationId", "1 data.on"])
    }

    @Test(
        "a refused correction does not change what later events are checked against",
        arguments: [
            (BatchWorld.Record.commitment, #"{"commitmentId":"k-other"}"#, "data.changes.commitmentId"),
            (.consultation, #"{"date":"2023-02-30"}"#, "data.changes.date"),
            (.consultation, #"{"consultationId":"dialogue-9"}"#, "data.changes.consultationId"),
        ])
    func refusedCorrectionNotApplied(record: BatchWorld.Record, changes: String, path: String) {
        let world = BatchWorld()
        // Each later event is valid against the store as it stands without the refused correction.
        let outcome = check(
            [
                correction(of: world.event(record), changes), progress("k-gpu", on: "2023-04-20"),
                statement("s-9", in: "dialogue-3"),
            ],
            stored: world.events)
        #expect(outcome.fields == ["0 \(path)"], "\(outcome.lines)")
    }

    @Test("an empty batch has no violations")
    func emptyBatch() {
        #expect(check([]).lines == [])
    }
}

// MARK: - A consultation's days (schema version 2)

/// A comment period: `ConsultationHeld` version 2 with `startsOn` and `endsOn`.
private func period(_ id: String, from start: String, to end: String?) -> Event {
    let ends = end.map { #","endsOn":"\#($0)""# } ?? ""
    return event(
        .consultationHeld,
        #"""
        {"consultationId":"\#(id)","kind":"public_comment","title":"AI 기본법 시행령 입법예고","startsOn":"\#(start)"\#(ends),
         "organizerIds":["msit"],"participants":[{"stakeholderId":"startup-alliance","role":"commenter"}],
         "sources":[{"publisher":"국민참여입법센터"}]}
        """#)
}

/// `event` with `on` added to its data.
private func dated(_ event: Event, _ on: String) -> Event {
    var data = event.data
    data["on"] = .string(on)
    return Event(id: event.id, type: event.type, data: data)
}

@Suite("BatchRules: a consultation's days")
struct ConsultationDaysRulesTests {
    @Test("a statement, request or commitment dated within the days passes, outside them is refused")
    func within() {
        let world = BatchWorld()
        let notice = period("ai-act-notice", from: "2025-09-08", to: "2025-10-17")
        let inside: [Event] = [
            dated(statement("s-9", in: "ai-act-notice", by: "startup-alliance"), "2025-09-08"),
            dated(request("r-9", in: "ai-act-notice"), "2025-10-17"),
            dated(commitment("k-9", in: "ai-act-notice"), "2025-09-30"),
        ]
        #expect(check([notice] + inside, stored: world.events).lines == [])
        let outside: [Event] = [
            dated(statement("s-8", in: "ai-act-notice", by: "startup-alliance"), "2025-09-07"),
            dated(request("r-8", in: "ai-act-notice"), "2025-10-18"),
            dated(commitment("k-8", in: "ai-act-notice"), "2026-01-01"),
        ]
        #expect(
            check([notice] + outside, stored: world.events).lines == [
                "1 data.on: 2025-09-07 is not within the consultation's days (2025-09-08 to 2025-10-17)",
                "2 data.on: 2025-10-18 is not within the consultation's days (2025-09-08 to 2025-10-17)",
                "3 data.on: 2026-01-01 is not within the consultation's days (2025-09-08 to 2025-10-17)",
            ])
    }

    @Test("a one-day consultation, version 1 or 2, has that one day")
    func oneDay() {
        let world = BatchWorld()
        #expect(check([dated(statement("s-9"), "2023-03-08")], stored: world.events).lines == [])
        #expect(
            check([dated(statement("s-9"), "2023-03-09")], stored: world.events).lines == [
                "0 data.on: 2023-03-09 is not within the consultation's days (2023-03-08)"
            ])
        let single = period("one-day", from: "2024-05-01", to: nil)
        #expect(
            check([single, dated(request("r-9", in: "one-day"), "2024-05-02")], stored: world.events).lines == [
                "1 data.on: 2024-05-02 is not within the consultation's days (2024-05-01)"
            ])
    }

    @Test("endsOn before startsOn is refused")
    func endsBeforeStarts() {
        expectOne(
            check([period("p", from: "2025-09-08", to: "2025-09-07")], stored: BatchWorld().events), at: 0,
            "data.endsOn", "2025-09-07 is before startsOn (2025-09-08)")
    }

    @Test("an answer may not come before the request, nor progress before the commitment, by their own dates")
    func notBeforeTheirOwnDate() {
        let world = BatchWorld()
        let notice = period("ai-act-notice", from: "2025-09-08", to: "2025-10-17")
        let late = [
            dated(request("r-9", in: "ai-act-notice"), "2025-10-01"),
            dated(commitment("k-9", in: "ai-act-notice"), "2025-10-10"),
        ]
        #expect(
            check(
                [notice] + late + [answer("r-9", on: "2025-09-20"), progress("k-9", on: "2025-10-01")],
                stored: world.events
            ).lines == [
                "3 data.on: 2025-09-20 is before the request (2025-10-01)",
                "4 data.on: 2025-10-01 is before the commitment (2025-10-10)",
            ])
    }

    @Test("a version-1 correction of date moves the consultation's first day; date and startsOn at once is refused")
    func correctingTheDays() {
        let world = BatchWorld()
        let moved = check(
            [correction(of: world.dialogue3, #"{"date":"2023-03-10"}"#), dated(statement("s-9"), "2023-03-10")],
            stored: world.events)
        #expect(moved.lines == [])
        #expect(moved.index.consultations["dialogue-3"] == RecordIndex.Days(startsOn: CalendarDate("2023-03-10")!))
        let widened = check(
            [correction(of: world.dialogue3, #"{"endsOn":"2023-03-09"}"#), dated(statement("s-9"), "2023-03-09")],
            stored: world.events)
        #expect(widened.lines == [])
        expectOne(
            check(
                [correction(of: world.dialogue3, #"{"date":"2023-03-10","startsOn":"2023-03-10"}"#)],
                stored: world.events), at: 0, "data.changes.date", "are both given")
        expectOne(
            check([correction(of: world.dialogue3, #"{"endsOn":"2023-03-01"}"#)], stored: world.events), at: 0,
            "data.changes.endsOn", "is before startsOn (2023-03-08) (after the correction)")
    }

    @Test("a correction of the days may not leave a dated statement, request or commitment outside them")
    func correctionKeepsDatedRecordsInside() {
        let world = BatchWorld()
        let notice = period("ai-act-notice", from: "2025-09-08", to: "2025-10-17")
        let recorded = [
            dated(request("r-9", in: "ai-act-notice"), "2025-10-01"),
            dated(statement("s-9", in: "ai-act-notice", by: "startup-alliance"), "2025-09-09"),
        ]
        let stored = world.events + [notice] + recorded
        #expect(
            check([correction(of: notice, #"{"endsOn":"2025-09-30","startsOn":"2025-09-10"}"#)], stored: stored)
                .lines == [
                    "0 data.changes.endsOn: leaves the request r-9 (on 2025-10-01) outside the consultation's days "
                        + "(2025-09-10 to 2025-09-30) (after the correction)",
                    "0 data.changes.startsOn: leaves the statement s-9 (on 2025-09-09) outside the consultation's days "
                        + "(2025-09-10 to 2025-09-30) (after the correction)",
                ])
        #expect(check([correction(of: notice, #"{"endsOn":"2025-10-01"}"#)], stored: stored).lines == [])
        // Once the request is retracted, nothing stands in the way.
        #expect(
            check([retraction(of: recorded[0]), correction(of: notice, #"{"endsOn":"2025-09-30"}"#)], stored: stored)
                .lines == [])
    }
}
