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

    /// The statuses the view's rows must have, nil for any: outstanding ones for `outstandingOnly`
    /// and `overdueOnly` (those of `statuses` among them, when given).
    var viewStatuses: [String]? {
        let outstanding = Array(Schedule.outstandingStatuses)
        if outstandingOnly || overdueOnly {
            return statuses.isEmpty ? outstanding : statuses.filter(outstanding.contains)
        }
        return statuses.isEmpty ? nil : statuses
    }

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
        try await commitments(filter, on: date, recordedAsOf: recordedAsOf, limit: nil).rows
    }

    /// The first `limit` (every one, when nil) of `commitments(_:on:recordedAsOf:)`, and how many
    /// there are in all. When the current rows answer the date by themselves (none has a change
    /// dated after it, as for a question about today), the view orders and cuts them: a first
    /// screen of a large record reads only its rows.
    public func commitments(
        _ filter: CommitmentFilter, on date: CalendarDate, recordedAsOf: Timestamp?, limit: Int?
    ) async throws -> (rows: [CommitmentRow], total: Int) {
        let (rows, total) = try await connection.withTransaction(.repeatableRead) { connection in
            if recordedAsOf == nil, let limit,
                let first = try Self.firstCommitments(filter, on: date, limit: limit, on: connection)
            {
                return first
            }
            let rows = try Self.commitments(filter, on: date, recordedAsOf: recordedAsOf, on: connection)
            return (rows, rows.count)
        }
        // Sorted by keys taken once, moving positions rather than the rows (large structs).
        let keys = rows.map { ($0.state.dueBy?.dayNumber ?? .max, $0.state.madeOn?.dayNumber ?? .max) }
        var order = rows.indices.sorted { lhs, rhs in
            keys[lhs] != keys[rhs] ? keys[lhs] < keys[rhs] : rows[lhs].state.commitmentID < rows[rhs].state.commitmentID
        }
        if let limit { order = Array(order.prefix(limit)) }
        return (order.map { rows[$0] }, total)
    }

    /// The first `limit` current rows in the list's order (due-by, date made, id; ids compared
    /// byte by byte, as Swift compares these ASCII slugs) and the count of all that match; nil
    /// when some row has a change dated after `date` and must be folded, so the view cannot order
    /// the answer alone. The conditions are those of `commitments(_:on:recordedAsOf:on:)`.
    static func firstCommitments(
        _ filter: CommitmentFilter, on date: CalendarDate, limit: Int, on connection: isolated Connection
    ) throws -> (rows: [CommitmentRow], total: Int)? {
        let later = try connection.query(
            "SELECT EXISTS (SELECT 1 FROM view_commitments WHERE latest_date > \(date.description)::date)")
        guard try later.first?.decode(Bool.self, column: 0) == false else { return nil }
        let schema = CommitmentsView.commitments
        // The count, then the rows: a window count would make the server read and sort every row,
        // where the order's index lets it read only the first ones.
        let total: Int = try connection.query(current(.count, filter, on: date).plannedForItsValues())[0]
            .decode(column: 0)
        var rows: [CommitmentRow] = []
        for row in try connection.query(current(.first(limit), filter, on: date).plannedForItsValues()) {
            let commitment = try schema.decode(row)
            rows.append(
                CommitmentRow(
                    state: commitment.state, followUps: commitment.followUpCount,
                    schedule: commitment.state.schedule(on: date)))
        }
        try addAnsweredRequests(
            to: &rows, on: date, recordedAsOf: nil, only: rows.map(\.state.commitmentID), on: connection)
        return (rows, total)
    }

    /// What to read of the current rows.
    enum CurrentRead {
        /// Every row, unordered.
        case all
        /// How many there are.
        case count
        /// The first ones in the list's order (ids byte by byte, as Swift compares these slugs).
        case first(Int)
    }

    /// The current rows that answer `date` (nothing recorded of them is dated after it) and pass
    /// `filter`: the conditions both the whole list and its first screen read the view with.
    /// `.count` and `.first` are read only once no row has a later date (`firstCommitments`), so
    /// they leave that condition out: a condition the planner folds away (each statement is
    /// planned for its values), which lets the count read only the status index.
    static func current(_ read: CurrentRead, _ filter: CommitmentFilter, on date: CalendarDate) -> PostgresQuery {
        let statuses = filter.viewStatuses
        var columns = CommitmentsView.commitments.columnList()
        var order = ""
        var everyRowAnswers = true
        switch read {
        case .all: everyRowAnswers = false
        case .count: columns = "count(*)"
        case .first(let limit):
            order = #"ORDER BY due_by NULLS LAST, made_on NULLS LAST, commitment_id COLLATE "C" LIMIT "# + String(limit)
        }
        return """
            SELECT \(unescaped: columns) FROM view_commitments
            WHERE (\(everyRowAnswers) OR latest_date IS NULL OR latest_date <= \(date.description)::date)
              AND (\(statuses == nil) OR status = ANY(\(statuses ?? [])::text[]))
              AND (\(!filter.overdueOnly) OR due_by < \(date.description)::date)
              AND (\(filter.ownerID == nil) OR owner_id = \(filter.ownerID ?? ""))
              AND (\(filter.sector == nil) OR owner_sector = \(filter.sector ?? ""))
              AND (\(filter.topic == nil) OR \(filter.topic ?? "") = ANY(topics))
            \(unescaped: order)
            """
    }

    static func commitments(
        _ filter: CommitmentFilter, on date: CalendarDate, recordedAsOf: Timestamp?, on connection: isolated Connection
    ) throws -> [CommitmentRow] {
        var rows: [CommitmentRow] = []
        let folded: [String]
        if recordedAsOf == nil {
            let schema = CommitmentsView.commitments
            let stored = try connection.query(current(.all, filter, on: date))
            for row in stored {
                let commitment = try schema.decode(row)
                rows.append(
                    CommitmentRow(
                        state: commitment.state, followUps: commitment.followUpCount,
                        schedule: commitment.state.schedule(on: date)))
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
        try addAnsweredRequests(to: &rows, on: date, recordedAsOf: recordedAsOf, on: connection)
        rows.removeAll { !filter.admits($0) }
        return rows
    }

    /// A commitment responds to a request when either event says so: the commitment's own
    /// `respondsToRequestIds`, or an answer to the request that names the commitment. `only`
    /// names the commitments of `rows` when they are a few of many (a first screen).
    static func addAnsweredRequests(
        to rows: inout [CommitmentRow], on date: CalendarDate, recordedAsOf: Timestamp?, only: [String]? = nil,
        on connection: isolated Connection
    ) throws {
        let answered = try answerLinks(on: date, recordedAsOf: recordedAsOf, naming: only, on: connection)
        for index in rows.indices {
            for request in answered[rows[index].state.commitmentID] ?? []
            where !rows[index].state.respondsToRequestIDs.contains(request) {
                rows[index].state.respondsToRequestIDs.append(request)
            }
        }
    }

    /// For each commitment (of `commitments`, when given), the requests whose answers name it, in
    /// request order: answers dated on or before `date`, in their version as recorded by
    /// `recordedAsOf` (now, when nil; a retracted answer has no current version).
    static func answerLinks(
        on date: CalendarDate, recordedAsOf: Timestamp?, naming commitments: [String]? = nil,
        on connection: isolated Connection
    ) throws -> [String: [String]] {
        let query: PostgresQuery = """
            SELECT c.id, v.data::jsonb->>'requestId' AS request_id
            FROM view_versions v, jsonb_array_elements_text(coalesce(v.data::jsonb->'commitmentIds', '[]')) AS c(id)
            WHERE v.type = 'RequestAnswered' AND (v.on_date IS NULL OR v.on_date <= \(date.description)::date)
              -- Only answers that name commitments are parsed: their data holds the key as text.
              AND strpos(v.data, '"commitmentIds"') > 0
              -- Given commitments, the answers that name one of them, found by the view's index.
              AND (\(commitments == nil) OR (v.data::jsonb -> 'commitmentIds') ?| \(commitments ?? [])::text[])
              AND (\(commitments == nil) OR c.id = ANY(\(commitments ?? [])::text[]))
              AND CASE WHEN \(recordedAsOf == nil) THEN v.recorded_until IS NULL
                       ELSE v.recorded_from <= \(recordedAsOf?.microseconds ?? 0)::bigint
                            AND (v.recorded_until IS NULL OR v.recorded_until > \(recordedAsOf?.microseconds ?? 0)::bigint)
                  END
            ORDER BY request_id
            """
        // Planned for its values, so that the index serves the given commitments.
        let rows = try connection.query(commitments == nil ? query : query.plannedForItsValues())
        var links: [String: [String]] = [:]
        for row in rows {
            let commitment: String = try row.decode(column: 0)
            guard let request: String = try row.decode(column: 1) else { continue }
            if links[commitment]?.contains(request) != true { links[commitment, default: []].append(request) }
        }
        return links
    }
}
