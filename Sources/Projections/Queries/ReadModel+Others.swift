import ConsultDomain
import Foundation
import Postgres

/// A request with its answers and the commitments that respond to it.
public struct RequestRow: Sendable, Hashable {
    public var requestID: String
    public var consultationID: String
    public var requesterID: String
    public var addressedToIDs: [String]
    public var summary: String
    public var topics: [String]
    /// Its own date within its consultation's days; nil: the consultation's first day.
    public var on: CalendarDate?
    /// `{on, answeredById, outcome, reason, commitmentIds}` objects, by date.
    public var answers: [JSONValue]
    public var commitmentIDs: [String]

    /// No answer and no commitment that responds.
    public var isUnanswered: Bool { answers.isEmpty && commitmentIDs.isEmpty }
}

/// A scheduled check-in on the date asked about.
public struct FollowUpRow: Sendable, Hashable {
    public var commitmentID: String
    public var checkOn: CalendarDate
    public var assignee: String?
    public var note: String?
    public var isDone: Bool
    public var isDue: Bool
}

/// A stakeholder with what it said, asked and promised.
public struct StakeholderRow: Sendable, Hashable {
    public var stakeholderID: String
    public var name: String
    public var kind: String
    public var sector: String
    public var title: String?
    public var affiliationID: String?
    public var party: String?
    public var aliases: [String]
    public var statements: Int
    public var requests: Int
    public var commitmentsMade: Int
    public var commitmentsOwned: Int
    /// Commitments it made or owns that are outstanding (overdue) on the date asked about.
    public var outstanding: Int
    public var overdue: Int
}

/// A consultation with its participants and how much was recorded of it.
public struct ConsultationRow: Sendable, Hashable {
    public var consultationID: String
    public var kind: String
    public var title: String
    public var startsOn: CalendarDate?
    /// Nil: one day.
    public var endsOn: CalendarDate?
    public var venue: String?
    public var organizerIDs: [String]
    /// `{stakeholderId, role}` objects.
    public var participants: [JSONValue]
    public var statements: Int
    public var requests: Int
    public var commitments: Int

    /// `2023-03-08`, or `2023-03-08–2023-04-17` when it lasted more than one day.
    public var days: String? {
        guard let startsOn else { return nil }
        guard let endsOn, endsOn != startsOn else { return startsOn.description }
        return "\(startsOn)–\(endsOn)"
    }
}

/// A text that contains what was searched for.
public struct SearchHit: Sendable, Hashable {
    /// The kinds of record a text comes from, in the order hits are listed.
    public static let kinds = ["stakeholder", "consultation", "statement", "request", "commitment"]

    /// `stakeholder`, `consultation`, `statement`, `request` or `commitment`.
    public var kind: String
    public var id: String
    /// The field the text is from (`name`, `title`, `summary`, `quote`, `aliases`).
    public var field: String
    public var text: String
    public var consultationID: String?
    /// Where in `text` the searched text is (nil in the rare text whose folded form matched but
    /// whose own letters Foundation does not find again).
    public var match: Range<String.Index>?
}

extension ReadModel {
    /// Requests in the order their consultations were held, filtered.
    public func requests(
        unansweredOnly: Bool = false, addressedTo: String? = nil, topic: String? = nil, on date: CalendarDate? = nil,
        recordedAsOf: Timestamp? = nil
    ) async throws -> [RequestRow] {
        if let recordedAsOf {
            return try await connection.withTransaction(.repeatableRead) { connection in
                try Self.requestsKnown(
                    at: recordedAsOf, on: date ?? Self.lastDate, on: connection
                ).filter { request in
                    (addressedTo.map(request.addressedToIDs.contains) ?? true)
                        && (topic.map(request.topics.contains) ?? true) && (!unansweredOnly || request.isUnanswered)
                }
            }
        }
        return try await connection.withTransaction(.repeatableRead) { connection in
            // Commitments made on or before the date that say they respond to a request.
            var responding: [String: [String]] = [:]
            for row in try connection.query(
                """
                SELECT commitment_id, request_id FROM view_commitments, unnest(responds_to_request_ids) AS request_id
                WHERE \(date == nil) OR made_on IS NULL OR made_on <= \(date?.description ?? "1970-01-01")::date
                ORDER BY made_on NULLS LAST, commitment_id
                """)
            {
                responding[try row.decode(column: 1), default: []].append(try row.decode(column: 0))
            }
            let schema = RequestsView.requests
            let columns = schema.columnList(qualifiedBy: "r")
            let rows = try connection.query(
                """
                SELECT \(unescaped: columns)
                FROM view_requests r LEFT JOIN view_consultations c ON c.consultation_id = r.consultation_id
                WHERE (\(addressedTo == nil) OR \(addressedTo ?? "") = ANY(r.addressed_to_ids))
                  AND (\(topic == nil) OR \(topic ?? "") = ANY(r.topics))
                  AND (\(date == nil) OR COALESCE(r.on_date, c.starts_on) IS NULL
                       OR COALESCE(r.on_date, c.starts_on) <= \(date?.description ?? "1970-01-01")::date)
                ORDER BY c.starts_on NULLS LAST, r.consultation_id, r.request_id
                """)
            var result: [RequestRow] = []
            for row in rows {
                let stored = try schema.decode(row)
                // Answers dated after the date are not given yet.
                let answers = stored.answers.filter { answer in
                    guard let date, let on = answer.objectValue?["on"]?.stringValue.flatMap(CalendarDate.init) else {
                        return true
                    }
                    return on <= date
                }
                let commitments = Self.commitmentIDs(
                    answered: answers.flatMap { $0.objectValue?["commitmentIds"]?.arrayValue ?? [] }
                        .compactMap(\.stringValue),
                    responding: responding[stored.requestID] ?? [])
                let request = RequestRow(
                    requestID: stored.requestID, consultationID: stored.consultationID,
                    requesterID: stored.requesterID, addressedToIDs: stored.addressedToIDs, summary: stored.summary,
                    topics: stored.topics, on: stored.on,
                    answers: answers.map {
                        Self.ordered($0, ["on", "answeredById", "outcome", "reason", "commitmentIds"])
                    },
                    commitmentIDs: commitments)
                if unansweredOnly, !request.isUnanswered { continue }
                result.append(request)
            }
            return result
        }
    }

    /// The day every dated event is on or before, for a question without a date.
    static let lastDate = CalendarDate(year: 9999, month: 12, day: 31) ?? CalendarDate(dayNumber: 2_932_896)

    /// The requests as the tracker knew them at `recordedAsOf`, on `date`: folded from the history
    /// view like the commitments of such a question, with the same rules as the current view
    /// (later consultations, answers dated after the date and commitments not made yet left out).
    static func requestsKnown(
        at recordedAsOf: Timestamp, on date: CalendarDate, commitments known: [CommitmentRow]? = nil,
        on connection: isolated Connection
    ) throws -> [RequestRow] {
        let streams = try connection.query(
            "SELECT DISTINCT stream_id FROM view_versions WHERE type = 'RequestMade' ORDER BY stream_id"
        ).map { try $0.decode(String.self, column: 0) }
        let loader = RecordLoader(
            cache: VersionCache(.history), knowledge: Knowledge(asOf: date, recordedAsOf: recordedAsOf))
        let records = try loader.known(streams, on: connection).values.compactMap {
            RequestRecord(versions: $0, asOf: date)
        }
        let consultations = try loader.consultations(records.map(\.consultationID), on: connection)
        var responding: [String: [String]] = [:]
        let commitments = try
            (known
            ?? ReadModel.commitments(
                CommitmentFilter(), on: date, recordedAsOf: recordedAsOf, on: connection)).sorted {
                ($0.state.madeOn?.dayNumber ?? .max, $0.state.commitmentID) < (
                    $1.state.madeOn?.dayNumber ?? .max, $1.state.commitmentID
                )
            }
        for row in commitments {
            for request in row.state.respondsToRequestIDs {
                responding[request, default: []].append(row.state.commitmentID)
            }
        }
        // Requests made after the date are left out; the rest are listed by their consultations.
        let held = records.compactMap { record -> (CalendarDate?, RequestRecord)? in
            let startsOn = consultations[record.consultationID]?.startsOn
            if let made = record.on ?? startsOn, made > date { return nil }
            return (startsOn, record)
        }.sorted {
            ($0.0?.dayNumber ?? .max, $0.1.consultationID, $0.1.requestID)
                < ($1.0?.dayNumber ?? .max, $1.1.consultationID, $1.1.requestID)
        }
        return held.map { _, record in
            RequestRow(
                requestID: record.requestID, consultationID: record.consultationID, requesterID: record.requesterID,
                addressedToIDs: record.addressedToIDs, summary: record.summary, topics: record.topics,
                on: record.on,
                answers: record.answers.map {
                    Self.ordered($0.json, ["on", "answeredById", "outcome", "reason", "commitmentIds"])
                },
                commitmentIDs: commitmentIDs(
                    answered: record.answers.flatMap(\.commitmentIDs), responding: responding[record.requestID] ?? []))
        }
    }

    /// The commitments that respond to a request, each once: those its answers name, then those
    /// that say they respond to it.
    static func commitmentIDs(answered: [String], responding: [String]) -> [String] {
        var ids: [String] = []
        for id in answered + responding where !ids.contains(id) { ids.append(id) }
        return ids
    }

    /// The consultations as the tracker knew them at `recordedAsOf`, held on or before `date`, with
    /// the statements, requests and commitments known then: folded from the history view.
    static func consultationsKnown(
        at recordedAsOf: Timestamp, on date: CalendarDate, on connection: isolated Connection
    )
        throws -> [ConsultationRow]
    {
        let streams = try connection.query(
            "SELECT DISTINCT stream_id FROM view_versions WHERE type = 'ConsultationHeld' ORDER BY stream_id"
        ).map { try $0.decode(String.self, column: 0) }
        let loader = RecordLoader(
            cache: VersionCache(.history), knowledge: Knowledge(asOf: date, recordedAsOf: recordedAsOf))
        let records = try loader.known(streams, on: connection).values.compactMap(ConsultationRecord.init(versions:))
            .filter { $0.isHeld(by: date) }
        // The commitments are folded once, for both counts.
        let known = try ReadModel.commitments(CommitmentFilter(), on: date, recordedAsOf: recordedAsOf, on: connection)
        var requests: [String: Int] = [:]
        for request in try requestsKnown(at: recordedAsOf, on: date, commitments: known, on: connection) {
            requests[request.consultationID, default: 0] += 1
        }
        var commitments: [String: Int] = [:]
        for row in known { commitments[row.state.consultationID, default: 0] += 1 }
        let sorted = records.sorted {
            ($0.startsOn?.dayNumber ?? .max, $0.consultationID) < ($1.startsOn?.dayNumber ?? .max, $1.consultationID)
        }
        return sorted.map { record in
            let statements = record.statements.filter { record.date(of: $0).map { $0 <= date } ?? true }
            return ConsultationRow(
                consultationID: record.consultationID, kind: record.kind, title: record.title,
                startsOn: record.startsOn, endsOn: record.endsOn, venue: record.venue,
                organizerIDs: record.organizerIDs,
                participants: record.participants.map { Self.ordered($0, ["stakeholderId", "role"]) },
                statements: statements.count, requests: requests[record.consultationID] ?? 0,
                commitments: commitments[record.consultationID] ?? 0)
        }
    }

    /// Follow-ups on `date`: every one (`all`), or those not done whose check-in date is on or
    /// before `date` plus `dueWithin` days. Ordered by check-in date.
    public func followUps(on date: CalendarDate, dueWithin: Int = 0, all: Bool = false) async throws -> [FollowUpRow] {
        let rows = try await connection.withTransaction(.repeatableRead) { connection in
            var result: [FollowUpRow] = []
            let schema = FollowUpsView.followUps
            let columns = schema.columnList()
            let current = try connection.query(
                """
                SELECT \(unescaped: columns)
                FROM view_follow_ups WHERE latest_date IS NULL OR latest_date <= \(date.description)::date
                """)
            for row in current {
                let followUp = try schema.decode(row)
                let done = followUp.firstProgressOn != nil || !Schedule.outstandingStatuses.contains(followUp.status)
                result.append(
                    FollowUpRow(
                        commitmentID: followUp.commitmentID, checkOn: followUp.checkOn, assignee: followUp.assignee,
                        note: followUp.note, isDone: done, isDue: followUp.checkOn <= date && !done))
            }
            let folded = try connection.query(
                """
                SELECT DISTINCT stream_id FROM view_follow_ups WHERE latest_date > \(date.description)::date
                ORDER BY stream_id
                """
            ).map { try $0.decode(String.self, column: 0) }
            let loader = RecordLoader(cache: VersionCache(.history), knowledge: Knowledge(asOf: date))
            for (_, state) in try loader.commitments(streams: folded, on: connection) {
                guard let state else { continue }
                for followUp in state.followUps {
                    let done = state.isDone(followUp)
                    result.append(
                        FollowUpRow(
                            commitmentID: state.commitmentID, checkOn: followUp.checkOn, assignee: followUp.assignee,
                            note: followUp.note, isDone: done, isDue: followUp.checkOn <= date && !done))
                }
            }
            return result
        }
        let horizon = date.adding(days: max(0, dueWithin))
        return rows.filter { all || (!$0.isDone && $0.checkOn <= horizon) }
            .sorted { ($0.checkOn, $0.commitmentID) < ($1.checkOn, $1.commitmentID) }
    }

    /// Every stakeholder's id, name and aliases, by id: what a person may type for a stakeholder.
    public func stakeholderNames() async throws -> [(id: String, name: String, aliases: [String])] {
        let schema = StakeholdersView.stakeholders.only([\.stakeholderID, \.name, \.aliases])
        let columns = schema.columnList()
        return try await connection.query("SELECT \(unescaped: columns) FROM view_stakeholders ORDER BY stakeholder_id")
            .map { row in
                let stored = try schema.decode(row)
                return (stored.stakeholderID, stored.name, stored.aliases)
            }
    }

    /// The consultations in date order, with their counts.
    ///
    /// With `date`, only the consultations held on or before it (what is recorded at a consultation
    /// is dated with it).
    public func consultations(on date: CalendarDate? = nil, recordedAsOf: Timestamp? = nil) async throws
        -> [ConsultationRow]
    {
        if let recordedAsOf {
            return try await connection.withTransaction(.repeatableRead) { connection in
                try Self.consultationsKnown(at: recordedAsOf, on: date ?? Self.lastDate, on: connection)
            }
        }
        return try await connection.withTransaction(.repeatableRead) { connection in
            let schema = ConsultationsView.consultations.only([
                \.consultationID, \.kind, \.title, \.startsOn, \.endsOn, \.venue, \.organizerIDs, \.participants,
            ])
            let columns = schema.columnList(qualifiedBy: "c")
            // What was said, asked and promised by the date: each is dated by its own `on`, else by
            // the consultation's first day.
            let day = (date ?? Self.lastDate).description
            let rows = try connection.query(
                """
                SELECT \(unescaped: columns),
                       (SELECT count(*) FROM view_statements s WHERE s.consultation_id = c.consultation_id
                          AND COALESCE(s.on_date, c.starts_on, \(day)::date) <= \(day)::date) AS statements,
                       (SELECT count(*) FROM view_requests r WHERE r.consultation_id = c.consultation_id
                          AND COALESCE(r.on_date, c.starts_on, \(day)::date) <= \(day)::date) AS requests,
                       (SELECT count(*) FROM view_commitments m WHERE m.consultation_id = c.consultation_id
                          AND COALESCE(m.made_on, \(day)::date) <= \(day)::date) AS commitments
                FROM view_consultations c
                WHERE COALESCE(c.starts_on, \(day)::date) <= \(day)::date
                ORDER BY c.starts_on NULLS LAST, c.consultation_id
                """)
            return try rows.map { row in
                let stored = try schema.decode(row)
                return ConsultationRow(
                    consultationID: stored.consultationID, kind: stored.kind, title: stored.title,
                    startsOn: stored.startsOn, endsOn: stored.endsOn,
                    venue: stored.venue, organizerIDs: stored.organizerIDs,
                    participants: stored.participants.map { Self.ordered($0, ["stakeholderId", "role"]) },
                    statements: try row.decode(column: "statements"), requests: try row.decode(column: "requests"),
                    commitments: try row.decode(column: "commitments"))
            }
        }
    }

    /// `value` (an object from a `jsonb` column, whose keys PostgreSQL reorders) with `keys` first,
    /// in that order, then any others as they come.
    static func ordered(_ value: JSONValue, _ keys: [String]) -> JSONValue {
        guard let object = value.objectValue else { return value }
        var ordered = JSONObject()
        for key in keys { if let member = object[key] { ordered[key] = member } }
        for (key, member) in object where ordered[key] == nil { ordered[key] = member }
        return .object(ordered)
    }

    /// Texts containing `text`, ignoring case (and Unicode normalization): of one `kind` of record
    /// when given, and with `topic`, only statements, requests and commitments that carry it and
    /// consultations at which one of those was recorded (stakeholders have no topics).
    public func search(_ text: String, kind: String? = nil, topic: String? = nil) async throws -> [SearchHit] {
        let needle = SearchView.fold(text)
        // Not the folded texts, as long as the texts themselves: they are only searched.
        let schema = SearchView.texts.only([\.kind, \.id, \.field, \.text, \.consultationID])
        let columns = schema.columnList(qualifiedBy: "s")
        let topic = topic ?? ""
        let rows = try await connection.query(
            """
            SELECT \(unescaped: columns) FROM view_search s
            WHERE strpos(coalesce(s.folded, s.text), \(needle)) > 0
              AND (\(kind == nil) OR s.kind = \(kind ?? ""))
              AND (\(topic.isEmpty) OR CASE s.kind
                WHEN 'statement' THEN EXISTS (
                    SELECT 1 FROM view_statements t
                    WHERE t.consultation_id = s.consultation_id AND t.statement_id = s.id AND \(topic) = ANY(t.topics))
                WHEN 'request' THEN EXISTS (
                    SELECT 1 FROM view_requests r WHERE r.request_id = s.id AND \(topic) = ANY(r.topics))
                WHEN 'commitment' THEN EXISTS (
                    SELECT 1 FROM view_commitments m WHERE m.commitment_id = s.id AND \(topic) = ANY(m.topics))
                WHEN 'consultation' THEN EXISTS (
                    SELECT 1 FROM view_statements t WHERE t.consultation_id = s.id AND \(topic) = ANY(t.topics))
                  OR EXISTS (
                    SELECT 1 FROM view_requests r WHERE r.consultation_id = s.id AND \(topic) = ANY(r.topics))
                  OR EXISTS (
                    SELECT 1 FROM view_commitments m WHERE m.consultation_id = s.id AND \(topic) = ANY(m.topics))
                ELSE false END)
            ORDER BY array_position(ARRAY['stakeholder','consultation','statement','request','commitment'], s.kind),
                     s.id, s.stream_id, s.sequence, s.ordinal
            """)
        return try rows.map { row in
            let stored = try schema.decode(row)
            return SearchHit(
                kind: stored.kind, id: stored.id, field: stored.field, text: stored.text,
                consultationID: stored.consultationID,
                match: stored.text.range(of: text, options: [.caseInsensitive]))
        }
    }
}
