import ConsultDomain
import Foundation
import Testing

/// The folds the views are built from: versions over recording time, and records on a date.
@Suite("projection folds")
struct ProjectionFoldTests {
    static func object(_ json: String) -> JSONObject {
        (try? JSONValue.parse(json))?.objectValue ?? JSONObject()
    }

    static func event(
        _ type: EventType, _ data: String, at micros: Int64, version: Int, id: UUID = UUID()
    ) -> LoggedEvent {
        LoggedEvent(
            id: id, type: type, data: object(data), recordedAt: Timestamp(microseconds: micros), streamVersion: version)
    }

    static let made = UUID()
    static let progress = UUID()
    static let correction = UUID()

    /// A commitment made at t=10, a progress at t=20, a correction of the commitment's due at t=30
    /// and a retraction of the progress at t=40.
    static let stream: [LoggedEvent] = [
        event(
            .commitmentMade,
            #"{"commitmentId":"c","consultationId":"k","madeById":"m","ownerId":"o","summary":"s","topics":[],"due":"2024-03"}"#,
            at: 10, version: 1, id: made),
        event(
            .commitmentProgressed,
            #"{"commitmentId":"c","on":"2024-02-01","status":"in_progress","note":"n","evidence":[{"publisher":"p"}]}"#,
            at: 20, version: 2, id: progress),
        event(
            .recordCorrected,
            #"{"correctsEventId":"\#(made.uuidString)","reason":"r","changes":{"due":"2024-06"}}"#, at: 30, version: 3,
            id: correction),
        event(.recordRetracted, #"{"retractsEventId":"\#(progress.uuidString)","reason":"r"}"#, at: 40, version: 4),
    ]

    @Test("versions: a correction ends one version and starts the next; a retraction ends the last")
    func versions() {
        let versions = RecordVersion.timeline(of: Self.stream)
        let ofMade = versions.filter { $0.eventID == Self.made }
        #expect(ofMade.map(\.recordedFrom.microseconds) == [10, 30])
        #expect(ofMade.map { $0.recordedUntil?.microseconds } == [30, nil])
        #expect(ofMade.map { $0.data["due"]?.stringValue } == ["2024-03", "2024-06"])
        let ofProgress = versions.filter { $0.eventID == Self.progress }
        #expect(ofProgress.count == 1)
        #expect(ofProgress.first?.recordedUntil?.microseconds == 40)
        #expect(versions.allSatisfy { $0.type != .recordCorrected && $0.type != .recordRetracted })
    }

    @Test("a retracted correction stops applying from when the retraction was recorded")
    func retractedCorrection() {
        let stream =
            Self.stream.prefix(3)
            + [
                Self.event(
                    .recordRetracted, #"{"retractsEventId":"\#(Self.correction.uuidString)","reason":"r"}"#, at: 50,
                    version: 4)
            ]
        let ofMade = RecordVersion.timeline(of: Array(stream)).filter { $0.eventID == Self.made }
        #expect(ofMade.map { $0.data["due"]?.stringValue } == ["2024-03", "2024-06", "2024-03"])
        #expect(ofMade.map(\.recordedFrom.microseconds) == [10, 30, 50])
    }

    @Test("a correction recorded with its target (same time) leaves one version")
    func sameTransaction() {
        var stream = Array(Self.stream.prefix(3))
        stream[2].recordedAt = Timestamp(microseconds: 10)
        let ofMade = RecordVersion.timeline(of: stream).filter { $0.eventID == Self.made }
        #expect(ofMade.count == 1)
        #expect(ofMade.first?.data["due"]?.stringValue == "2024-06")
    }

    @Test("knowledge: what was known at a time, and what had happened by a date")
    func knowledge() throws {
        let versions = RecordVersion.timeline(of: Self.stream)
        func state(asOf: String?, recordedAsOf: Int64?) -> CommitmentRecord.State? {
            let knowledge = Knowledge(
                asOf: asOf.flatMap(CalendarDate.init), recordedAsOf: recordedAsOf.map(Timestamp.init(microseconds:)))
            let known = versions.filter(knowledge.knows)
            return CommitmentRecord(versions: known)?.state(
                consultation: nil, maker: nil, owner: nil, asOf: knowledge.asOf)
        }
        #expect(state(asOf: nil, recordedAsOf: 5) == nil)
        #expect(state(asOf: nil, recordedAsOf: 25)?.status == "in_progress")
        #expect(state(asOf: nil, recordedAsOf: 25)?.due == "2024-03")
        #expect(state(asOf: nil, recordedAsOf: 35)?.due == "2024-06")
        #expect(state(asOf: nil, recordedAsOf: 45)?.status == "open")
        #expect(state(asOf: nil, recordedAsOf: nil)?.status == "open")
        #expect(state(asOf: "2024-01-31", recordedAsOf: 25)?.status == "open")
        #expect(state(asOf: "2024-02-01", recordedAsOf: 25)?.status == "in_progress")
    }

    static func version(_ type: EventType, _ data: String, sequence: Int) -> RecordVersion {
        RecordVersion(
            eventID: UUID(), type: type, sequence: sequence, data: object(data),
            recordedFrom: Timestamp(microseconds: 0),
            recordedUntil: nil)
    }

    @Test("a stakeholder's title on a date is the last change on or before it")
    func titleOnTheDay() throws {
        let record = try #require(
            StakeholderRecord(versions: [
                Self.version(
                    .stakeholderRegistered,
                    #"{"stakeholderId":"lee","name":"이종호","kind":"person","sector":"government","title":"장관"}"#,
                    sequence: 1),
                // Recorded out of date order: the fold goes by date.
                Self.version(
                    .stakeholderChanged, #"{"stakeholderId":"lee","on":"2024-07-01","title":"전 장관"}"#, sequence: 3),
                Self.version(
                    .stakeholderChanged, #"{"stakeholderId":"lee","on":"2023-01-01","name":"이종호 (Lee)"}"#, sequence: 4),
            ]))
        #expect(record.profile(on: CalendarDate("2022-12-31")).title == "장관")
        #expect(record.profile(on: CalendarDate("2022-12-31")).name == "이종호")
        #expect(record.profile(on: CalendarDate("2023-06-01")).title == "장관")
        #expect(record.profile(on: CalendarDate("2023-06-01")).name == "이종호 (Lee)")
        #expect(record.profile(on: CalendarDate("2024-07-01")).title == "전 장관")
        #expect(record.profile(on: nil).title == "전 장관")
        #expect(record.latestChange == CalendarDate("2024-07-01"))
    }

    @Test("due dates: revisions to a later due-by are slips, a first due is not, the original stays")
    func slips() throws {
        let made = Self.version(
            .commitmentMade,
            #"{"commitmentId":"c","consultationId":"k","madeById":"m","ownerId":"o","summary":"s","topics":[]}"#,
            sequence: 1)
        func progress(_ on: String, _ status: String, revised: String?, sequence: Int) -> RecordVersion {
            let revision = revised.map { #","revisedDue":"\#($0)""# } ?? ""
            return Self.version(
                .commitmentProgressed,
                #"{"commitmentId":"c","on":"\#(on)","status":"\#(status)","note":"n","evidence":[]\#(revision)}"#,
                sequence: sequence)
        }
        let record = try #require(
            CommitmentRecord(versions: [
                made,
                progress("2024-01-01", "in_progress", revised: "2024-03", sequence: 2),  // a first due: no slip
                progress("2024-02-01", "in_progress", revised: "2024-06", sequence: 3),  // later: a slip
                progress("2024-03-01", "stalled", revised: "2024-05", sequence: 4),  // earlier: no slip
                progress("2024-04-01", "in_progress", revised: "2025", sequence: 5),  // later: a slip
                progress("2025-06-01", "fulfilled", revised: nil, sequence: 6),
            ]))
        let state = try #require(record.state(consultation: nil, maker: nil, owner: nil, asOf: nil))
        #expect(state.originalDueBy == nil)
        #expect(state.dueBy == CalendarDate("2025-12-31"))
        #expect(state.slips == 2)
        #expect(state.status == "fulfilled")
        #expect(state.schedule(on: CalendarDate("2026-01-01")!) == .met)
        let march = try #require(
            record.state(consultation: nil, maker: nil, owner: nil, asOf: CalendarDate("2024-03-15")))
        #expect(march.status == "stalled")
        #expect(march.dueBy == CalendarDate("2024-05-31"))
        #expect(march.slips == 1)
        #expect(march.schedule(on: CalendarDate("2024-03-15")!) == .upcoming)
    }

    @Test("schedule on a date, from status and due-by")
    func schedule() {
        let day = CalendarDate("2024-06-01")!
        func on(_ status: String, _ dueBy: String?, closedOn: String? = nil, dueByAtClose: String? = nil) -> Schedule {
            Schedule.on(
                day, status: status, dueBy: dueBy.flatMap(CalendarDate.init),
                statusOn: closedOn.flatMap(CalendarDate.init),
                dueByAtClose: dueByAtClose.flatMap(CalendarDate.init))
        }
        #expect(on("open", nil) == .noDeadline)
        #expect(on("open", "2024-05-31") == .overdue)
        #expect(on("stalled", "2024-06-01") == .dueSoon)
        #expect(on("in_progress", "2024-07-01") == .dueSoon)
        #expect(on("in_progress", "2024-07-02") == .upcoming)
        #expect(on("fulfilled", "2024-05-01", closedOn: "2024-05-01", dueByAtClose: "2024-05-01") == .met)
        #expect(on("partially_fulfilled", "2024-05-01", closedOn: "2024-05-02", dueByAtClose: "2024-05-01") == .late)
        #expect(on("fulfilled", nil, closedOn: "2024-05-02", dueByAtClose: nil) == .met)
        #expect(on("broken", "2024-05-01") == .closed)
        #expect(on("withdrawn", nil) == .closed)
    }

    @Test("timestamps: RFC 3339 with offsets and fractions, and the end of a local day")
    func timestamps() throws {
        let utc = try #require(Timestamp(rfc3339: "2024-05-01T00:00:00Z"))
        #expect(Timestamp(rfc3339: "2024-05-01T09:00:00+09:00") == utc)
        #expect(Timestamp(rfc3339: "2024-04-30T20:00:00-04:00") == utc)
        #expect(Timestamp(rfc3339: "2024-05-01 00:00:00.5Z")?.microseconds == utc.microseconds + 500_000)
        #expect(Timestamp(rfc3339: "2024-05-01T00:00:00.1234567Z")?.microseconds == utc.microseconds + 123_456)
        #expect(utc.description == "2024-05-01T00:00:00.000000Z")
        #expect(Timestamp(rfc3339: "1969-12-31T23:59:59.5Z")?.description == "1969-12-31T23:59:59.500000Z")
        for bad in ["2024-05-01", "2024-02-30T00:00:00Z", "2024-05-01T24:00:00Z", "2024-05-01T00:00:00", "x", ""] {
            #expect(Timestamp(rfc3339: bad) == nil, "\(bad)")
        }
        let end = Timestamp.endOfDay(CalendarDate("2024-05-01")!, offsetSeconds: 9 * 3600)
        #expect(end.description == "2024-05-01T14:59:59.999999Z")
    }
}
