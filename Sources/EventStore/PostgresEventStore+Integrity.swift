import Foundation
import Postgres

/// Where an application's events belong, for `checkIntegrity`: the store knows no event types,
/// so the application says which stream each type goes to.
public struct StreamPlacementRules: Sendable, Hashable {
    /// Events of `type` go to the stream `prefix` followed by their data's `field`.
    public struct Record: Sendable, Hashable {
        public var type: String
        public var prefix: String
        public var field: String

        public init(type: String, prefix: String, field: String) {
            self.type = type
            self.prefix = prefix
            self.field = field
        }
    }

    /// Events of `type` go to the stream of the event whose id their data's `field` holds.
    public struct TargetEvent: Sendable, Hashable {
        public var type: String
        public var field: String

        public init(type: String, field: String) {
            self.type = type
            self.field = field
        }
    }

    public var records: [Record]
    public var targets: [TargetEvent]

    public init(records: [Record], targets: [TargetEvent]) {
        self.records = records
        self.targets = targets
    }
}

/// What a check of the log found: one sentence per problem.
public struct LogIntegrityReport: Sendable {
    public var eventsChecked = 0
    public var problems: [String] = []
}

extension PostgresEventStore {
    /// Checks the log: its hash chains recomputed (versions contiguous from 1, every event matching
    /// its hash, every stream ending at its recorded head), every event in the stream `placement`
    /// gives it, every epoch recorded, and the guard triggers present and enabled ALWAYS.
    /// `progress` gets the running count of events whose hash was recomputed.
    public func checkIntegrity(
        placement: StreamPlacementRules, progress: @escaping @Sendable (Int) -> Void = { _ in }
    ) async throws -> LogIntegrityReport {
        var report = LogIntegrityReport()
        let chains = try await HashChains.verify(on: connection, progress: progress)
        report.eventsChecked = chains.eventsChecked
        report.problems += chains.problems
        if chains.problemCount > chains.problems.count {
            report.problems.append(
                "… and \(chains.problemCount - chains.problems.count) more problems in the hash chains.")
        }
        let targets = placement.targets
        // An event that goes to its target's stream is checked against the first target field it
        // holds, whatever its type names (a tampered row may hold another type's field).
        var targetFields: [String] = []
        for field in targets.map(\.field) where !targetFields.contains(field) { targetFields.append(field) }
        let misplaced = try await connection.query(
            """
            SELECT e.position, e.stream_id, e.type FROM events e
            LEFT JOIN unnest(\(placement.records.map(\.type))::text[], \(placement.records.map(\.prefix))::text[],
                             \(placement.records.map(\.field))::text[]) AS r(type, prefix, field) ON r.type = e.type
            WHERE e.type <> ALL(\(targets.map(\.type))::text[])
              AND e.stream_id IS DISTINCT FROM r.prefix || (e.data->>r.field)
            UNION ALL
            (SELECT e.position, e.stream_id, e.type FROM events e
             LEFT JOIN LATERAL (
                 SELECT e.data->>f.name AS id FROM unnest(\(targetFields)::text[]) WITH ORDINALITY AS f(name, n)
                 WHERE e.data->>f.name IS NOT NULL ORDER BY f.n LIMIT 1
             ) target ON true
             LEFT JOIN events t ON t.event_id = CASE
                 WHEN target.id ~ '^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$' THEN target.id::uuid END
             WHERE e.type = ANY(\(targets.map(\.type))::text[]) AND t.stream_id IS DISTINCT FROM e.stream_id)
            ORDER BY 1 LIMIT 1
            """)
        if let row = misplaced.first {
            let position: Int64 = try row.decode(column: 0)
            let stream: String = try row.decode(column: 1)
            let type: String = try row.decode(column: 2)
            report.problems.append(
                "Event at position \(position) (\(type)) is in stream \(stream), which is not the one its data names.")
        }
        let epochs = try await connection.query(
            """
            SELECT position FROM events e
            WHERE NOT EXISTS (SELECT 1 FROM consult_log_epochs x WHERE x.epoch = e.epoch)
            ORDER BY position LIMIT 1
            """)
        if let row = epochs.first {
            let position: Int64 = try row.decode(column: 0)
            report.problems.append("Event at position \(position) names an epoch that is not recorded.")
        }
        let triggers = try await connection.query(
            """
            SELECT tgrelid::regclass::text, tgname, tgenabled::text FROM pg_trigger
            WHERE tgrelid IN ('events'::regclass, 'event_stream_heads'::regclass) AND NOT tgisinternal
            """)
        var enabled: [String: String] = [:]
        for row in triggers {
            enabled["\(try row.decode(String.self, column: 0)).\(try row.decode(String.self, column: 1))"] =
                try row.decode(column: 2)
        }
        for (table, name) in Self.guardTriggers {
            switch enabled["\(table).\(name)"] {
            case nil:
                report.problems.append("The trigger \(name) on \(table), which guards the log, is missing.")
            case "A":
                break
            case let state?:
                report.problems.append(
                    "The trigger \(name) on \(table), which guards the log, is not enabled ALWAYS (state \(state)).")
            }
        }
        return report
    }

    /// The triggers that keep the log append-only and its hash chains and heads up to date.
    static let guardTriggers = [
        ("events", "events_refuse_update_delete"), ("events", "events_refuse_truncate"), ("events", "events_chain"),
        ("events", "events_check_chained_hashes"), ("events", "events_advance_stream_heads"),
        ("event_stream_heads", "event_stream_heads_forward_only"),
        ("event_stream_heads", "event_stream_heads_refuse_truncate"),
    ]
}
