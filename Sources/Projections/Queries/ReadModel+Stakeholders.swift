import ConsultDomain
import Foundation
import Postgres

/// Which stakeholders to list.
public struct StakeholderFilter: Sendable, Hashable {
    /// The sector in force on the date asked about.
    public var sector: String?
    /// `person` or `organization`.
    public var kind: String?

    public init() {}

    func admits(_ row: StakeholderRow) -> Bool {
        if let sector, row.sector != sector { return false }
        if let kind, row.kind != kind { return false }
        return true
    }
}

extension ReadModel {
    /// The stakeholders on `date` as recorded by `recordedAsOf` (now, when nil), filtered, by
    /// sector then id: each with its profile in force on `date` (changes dated after it not made
    /// yet) and what it said, asked and promised by then.
    public func stakeholders(
        _ filter: StakeholderFilter = StakeholderFilter(), on date: CalendarDate, recordedAsOf: Timestamp? = nil
    ) async throws -> [StakeholderRow] {
        try await connection.withTransaction(.repeatableRead) { connection in
            let commitments = try Self.commitments(
                CommitmentFilter(), on: date, recordedAsOf: recordedAsOf, on: connection)
            let rows =
                try recordedAsOf.map {
                    try Self.stakeholdersKnown(at: $0, on: date, commitments: commitments, on: connection)
                } ?? Self.stakeholdersNow(on: date, on: connection)
            var made: [String: Int] = [:]
            var owned: [String: Int] = [:]
            var outstanding: [String: Int] = [:]
            var overdue: [String: Int] = [:]
            for row in commitments {
                made[row.state.madeByID, default: 0] += 1
                owned[row.state.ownerID, default: 0] += 1
                for id in Set([row.state.madeByID, row.state.ownerID]) {
                    if row.state.isOutstanding { outstanding[id, default: 0] += 1 }
                    if row.schedule == .overdue { overdue[id, default: 0] += 1 }
                }
            }
            // Sorted here, not in SQL: the sector a stakeholder is listed under is the one in force
            // on the date, and both ways of answering must list in the same order.
            return rows.map { row in
                var row = row
                let id = row.stakeholderID
                row.commitmentsMade = made[id] ?? 0
                row.commitmentsOwned = owned[id] ?? 0
                row.outstanding = outstanding[id] ?? 0
                row.overdue = overdue[id] ?? 0
                return row
            }.filter(filter.admits).sorted { ($0.sector, $0.stakeholderID) < ($1.sector, $1.stakeholderID) }
        }
    }

    /// The stakeholders as recorded now, with their statement and request counts on `date`
    /// (commitment counts left at 0). A profile with a change dated after `date` is folded from the
    /// history view; the others are the current rows.
    static func stakeholdersNow(on date: CalendarDate, on connection: isolated Connection) throws -> [StakeholderRow] {
        let changedLater = try connection.query(
            """
            SELECT DISTINCT stream_id FROM view_versions
            WHERE type = 'StakeholderChanged' AND recorded_until IS NULL AND on_date > \(date.description)::date
            ORDER BY stream_id
            """
        ).map { try $0.decode(String.self, column: 0) }
        var profiles: [String: StakeholderRecord.Profile] = [:]
        let loader = RecordLoader(cache: VersionCache(.history), knowledge: Knowledge(asOf: date))
        for versions in try loader.known(changedLater, on: connection).values {
            if let record = StakeholderRecord(versions: versions) {
                profiles[record.stakeholderID] = record.profile(on: date)
            }
        }
        let schema = StakeholdersView.stakeholders
        let columns = schema.columnList(qualifiedBy: "s")
        let rows = try connection.query(
            """
            SELECT \(unescaped: columns),
                   (SELECT count(*) FROM view_statements t
                    LEFT JOIN view_consultations c ON c.consultation_id = t.consultation_id
                    WHERE t.speaker_id = s.stakeholder_id
                      AND COALESCE(t.on_date, c.starts_on, \(date.description)::date) <= \(date.description)::date)
                       AS statements,
                   (SELECT count(*) FROM view_requests r
                    LEFT JOIN view_consultations c ON c.consultation_id = r.consultation_id
                    WHERE r.requester_id = s.stakeholder_id
                      AND COALESCE(r.on_date, c.starts_on, \(date.description)::date) <= \(date.description)::date)
                       AS requests
            FROM view_stakeholders s
            """)
        return try rows.map { row in
            let stored = try schema.decode(row)
            let statements: Int = try row.decode(column: "statements")
            let requests: Int = try row.decode(column: "requests")
            if let profile = profiles[stored.stakeholderID] {
                return StakeholderRow(profile, statements: statements, requests: requests)
            }
            return StakeholderRow(
                stakeholderID: stored.stakeholderID, name: stored.name, kind: stored.kind, sector: stored.sector,
                title: stored.title, affiliationID: stored.affiliationID, party: stored.party, aliases: stored.aliases,
                statements: statements, requests: requests, commitmentsMade: 0, commitmentsOwned: 0, outstanding: 0,
                overdue: 0)
        }
    }

    /// The stakeholders as the tracker knew them at `recordedAsOf`, each with its profile on
    /// `date` and the statements and requests known then at consultations held by `date`
    /// (commitment counts left at 0): folded from the history view, with the same rules as the
    /// current rows.
    static func stakeholdersKnown(
        at recordedAsOf: Timestamp, on date: CalendarDate, commitments: [CommitmentRow],
        on connection: isolated Connection
    ) throws -> [StakeholderRow] {
        func streams(_ type: EventType) throws -> [String] {
            try connection.query(
                "SELECT DISTINCT stream_id FROM view_versions WHERE type = \(type.rawValue) ORDER BY stream_id"
            ).map { try $0.decode(String.self, column: 0) }
        }
        let loader = RecordLoader(
            cache: VersionCache(.history), knowledge: Knowledge(asOf: date, recordedAsOf: recordedAsOf))
        var statements: [String: Int] = [:]
        for versions in try loader.known(try streams(.consultationHeld), on: connection).values {
            guard let consultation = ConsultationRecord(versions: versions), consultation.isHeld(by: date) else {
                continue
            }
            for statement in consultation.statements where consultation.date(of: statement).map({ $0 <= date }) ?? true
            {
                statements[statement.speakerID, default: 0] += 1
            }
        }
        var requests: [String: Int] = [:]
        for request in try requestsKnown(at: recordedAsOf, on: date, commitments: commitments, on: connection) {
            requests[request.requesterID, default: 0] += 1
        }
        let registered = try streams(.stakeholderRegistered)
        let known = try loader.known(registered, on: connection)
        return registered.compactMap { stream in
            guard let record = known[stream].flatMap(StakeholderRecord.init(versions:)) else { return nil }
            let id = record.stakeholderID
            return StakeholderRow(
                record.profile(on: date), statements: statements[id] ?? 0, requests: requests[id] ?? 0)
        }
    }
}

extension StakeholderRow {
    /// A row of `profile` with its statement and request counts, and no commitments yet.
    init(_ profile: StakeholderRecord.Profile, statements: Int, requests: Int) {
        self.init(
            stakeholderID: profile.stakeholderID, name: profile.name, kind: profile.kind, sector: profile.sector,
            title: profile.title, affiliationID: profile.affiliationID, party: profile.party,
            aliases: profile.aliases, statements: statements, requests: requests, commitmentsMade: 0,
            commitmentsOwned: 0, outstanding: 0, overdue: 0)
    }
}
