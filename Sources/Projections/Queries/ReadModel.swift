import ConsultDomain
import EventStore
import Foundation
import Postgres

/// The questions the read commands ask, answered from the views.
///
/// Current-state rows answer a date `D` when everything they were folded from is dated on or
/// before `D` (`latest_date`); other rows, and every question about what was known at an earlier
/// recording time, are folded from the history view with the same code the workers use.
public struct ReadModel: Sendable {
    public let connection: Connection

    public init(connection: Connection) { self.connection = connection }
}

/// A commitment on the date asked about.
public struct CommitmentRow: Sendable, Hashable {
    public var state: CommitmentRecord.State
    public var followUps: Int
    public var schedule: Schedule
}

/// Which commitments to list.
public struct CommitmentFilter: Sendable, Hashable {
    public var outstandingOnly = false
    public var overdueOnly = false
    public var statuses: [String] = []
    public var ownerID: String?
    /// The owner's sector.
    public var sector: String?
    public var topic: String?

    public init() {}

    func admits(_ row: CommitmentRow) -> Bool {
        if outstandingOnly, !row.state.isOutstanding { return false }
        if overdueOnly, row.schedule != .overdue { return false }
        if !statuses.isEmpty, !statuses.contains(row.state.status) { return false }
        if let ownerID, row.state.ownerID != ownerID { return false }
        if let sector, row.state.ownerSector != sector { return false }
        if let topic, !row.state.topics.contains(topic) { return false }
        return true
    }
}

extension ReadModel {
    /// The commitments on `date` as recorded by `recordedAsOf` (now, when nil), filtered, ordered
    /// by due-by (none last), then date made and id.
    public func commitments(
        _ filter: CommitmentFilter = CommitmentFilter(), on date: CalendarDate, recordedAsOf: Timestamp? = nil
    ) async throws -> [CommitmentRow] {
        let rows = try await connection.withTransaction(.repeatableRead) { connection in
            try Self.commitments(filter, on: date, recordedAsOf: recordedAsOf, on: connection)
        }
        return rows.sorted { lhs, rhs in
            let left = (lhs.state.dueBy?.dayNumber ?? .max, lhs.state.madeOn?.dayNumber ?? .max, lhs.state.commitmentID)
            let right = (
                rhs.state.dueBy?.dayNumber ?? .max, rhs.state.madeOn?.dayNumber ?? .max, rhs.state.commitmentID
            )
            return left < right
        }
    }

    static func commitments(
        _ filter: CommitmentFilter, on date: CalendarDate, recordedAsOf: Timestamp?, on connection: isolated Connection
    ) throws -> [CommitmentRow] {
        var rows: [CommitmentRow] = []
        let folded: [String]
        if recordedAsOf == nil {
            let outstanding = Array(Schedule.outstandingStatuses)
            let statuses: [String]? =
                filter.outstandingOnly || filter.overdueOnly
                ? (filter.statuses.isEmpty ? outstanding : filter.statuses.filter(outstanding.contains))
                : (filter.statuses.isEmpty ? nil : filter.statuses)
            let current = try connection.query(
                """
                SELECT \(unescaped: commitmentColumns) FROM view_commitments
                WHERE (latest_date IS NULL OR latest_date <= \(date.description)::date)
                  AND (\(statuses == nil) OR status = ANY(\(statuses ?? [])::text[]))
                  AND (\(!filter.overdueOnly) OR due_by < \(date.description)::date)
                  AND (\(filter.ownerID == nil) OR owner_id = \(filter.ownerID ?? ""))
                  AND (\(filter.sector == nil) OR owner_sector = \(filter.sector ?? ""))
                  AND (\(filter.topic == nil) OR \(filter.topic ?? "") = ANY(topics))
                """)
            for row in current {
                let (state, count) = try decodeCommitment(row)
                rows.append(CommitmentRow(state: state, followUps: count, schedule: state.schedule(on: date)))
            }
            folded = try connection.query(
                "SELECT stream_id FROM view_commitments WHERE latest_date > \(date.description)::date ORDER BY stream_id"
            ).map { try $0.decode(String.self, column: 0) }
        } else {
            folded = try connection.query(
                "SELECT DISTINCT stream_id FROM view_versions WHERE type = 'CommitmentMade' ORDER BY stream_id"
            ).map { try $0.decode(String.self, column: 0) }
        }
        let loader = RecordLoader(
            cache: VersionCache(.history), knowledge: Knowledge(asOf: date, recordedAsOf: recordedAsOf))
        for (_, state) in try loader.commitments(streams: folded, on: connection) {
            guard let state else { continue }
            rows.append(
                CommitmentRow(state: state, followUps: state.followUps.count, schedule: state.schedule(on: date)))
        }
        return rows.filter(filter.admits)
    }

    static let commitmentColumns = """
        commitment_id, summary, owner_id, owner_name, owner_sector, made_by_id, maker_name, maker_title,
        consultation_id, consultation_title, consultation_kind, made_on::text AS made_on_text, due, due_text,
        original_due_by::text AS original_due_by_text, due_by::text AS due_by_text, slips, status,
        status_on::text AS status_on_text, due_by_at_status::text AS due_by_at_status_text, last_note, restatements,
        follow_ups, array_to_json(responds_to_request_ids)::text AS responds_text, array_to_json(topics)::text AS topics_text,
        latest_date::text AS latest_date_text
        """

    static func decodeCommitment(_ row: PostgresRow) throws -> (CommitmentRecord.State, Int) {
        func date(_ column: Int) throws -> CalendarDate? {
            try row.decode(String?.self, column: column).flatMap(CalendarDate.init)
        }
        let state = CommitmentRecord.State(
            commitmentID: try row.decode(column: 0), summary: try row.decode(column: 1),
            ownerID: try row.decode(column: 2),
            ownerName: try row.decode(column: 3), ownerSector: try row.decode(column: 4),
            madeByID: try row.decode(column: 5), makerName: try row.decode(column: 6),
            makerTitle: try row.decode(column: 7), consultationID: try row.decode(column: 8),
            consultationTitle: try row.decode(column: 9), consultationKind: try row.decode(column: 10),
            madeOn: try date(11), due: try row.decode(column: 12), dueText: try row.decode(column: 13),
            originalDueBy: try date(14), dueBy: try date(15), slips: try row.decode(column: 16),
            status: try row.decode(column: 17), statusOn: try date(18), dueByAtStatus: try date(19),
            lastNote: try row.decode(column: 20), restatements: try row.decode(column: 21), followUps: [],
            respondsToRequestIDs: try strings(row.decode(column: 23)), topics: try strings(row.decode(column: 24)),
            latestDate: try date(25))
        return (state, try row.decode(column: 22))
    }

    /// A JSON array of strings (as `array_to_json` gives it).
    static func strings(_ text: String?) throws -> [String] {
        guard let text else { return [] }
        return try JSONValue.parse(text).arrayValue?.compactMap(\.stringValue) ?? []
    }
}
