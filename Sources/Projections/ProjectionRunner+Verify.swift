import ConsultDomain
import EventStore
import Foundation
import Postgres

/// What `verify` found wrong, one sentence each.
public struct VerificationReport: Sendable {
    public var problems: [String] = []
    /// Views compared with a fresh replay, and the events each replay applied.
    public var viewsChecked: [(name: String, events: Int)] = []
    public var eventsChecked: Int64 = 0

    public var isClean: Bool { problems.isEmpty }
}

extension ProjectionRunner {
    /// Checks the log (its hash chains recomputed, stream versions contiguous from 1 and ending at
    /// their recorded heads, every event in the stream its data names, epochs recorded, the guard
    /// triggers present and always enabled), then each view against a fresh replay into temporary
    /// tables up to the view's checkpoint, naming the first differing row.
    public func verify() async throws -> VerificationReport {
        var report = VerificationReport()
        try await verifyLog(&report)
        for (name, events, problem) in try await verifyViews() {
            report.viewsChecked.append((name, events))
            if let problem { report.problems.append(problem) }
        }
        return report
    }

    private func verifyLog(_ report: inout VerificationReport) async throws {
        // Versions contiguous from 1, every event matching its hash, every stream ending where its
        // recorded head says.
        let chains = try await HashChains.verify(on: connection)
        report.eventsChecked = Int64(chains.eventsChecked)
        report.problems += chains.problems
        if chains.problemCount > chains.problems.count {
            report.problems.append(
                "… and \(chains.problemCount - chains.problems.count) more problems in the hash chains.")
        }
        // Every event is in the stream its data names (a correction or retraction: its target's).
        let streamOf = EventType.allCases.compactMap { type -> String? in
            guard case .record(let prefix, let field) = type.streamRule else { return nil }
            return "WHEN '\(type.rawValue)' THEN '\(prefix)-' || (e.data->>'\(field)')"
        }.joined(separator: " ")
        let misplaced = try await connection.query(
            """
            SELECT e.position, e.stream_id, e.type FROM events e
            WHERE e.type NOT IN ('RecordCorrected', 'RecordRetracted')
              AND e.stream_id IS DISTINCT FROM (CASE e.type \(unescaped: streamOf) END)
            UNION ALL
            (SELECT e.position, e.stream_id, e.type FROM events e
             LEFT JOIN events t ON t.event_id = CASE
                 WHEN coalesce(e.data->>'correctsEventId', e.data->>'retractsEventId')
                      ~ '^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$'
                 THEN coalesce(e.data->>'correctsEventId', e.data->>'retractsEventId')::uuid END
             WHERE e.type IN ('RecordCorrected', 'RecordRetracted') AND t.stream_id IS DISTINCT FROM e.stream_id)
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
    }

    /// The triggers that keep the log append-only and its hash chains and heads up to date.
    static let guardTriggers = [
        ("events", "events_refuse_update_delete"), ("events", "events_refuse_truncate"), ("events", "events_chain"),
        ("events", "events_advance_stream_heads"), ("event_stream_heads", "event_stream_heads_forward_only"),
        ("event_stream_heads", "event_stream_heads_refuse_truncate"),
    ]

    /// Replays the views into temporary tables up to their checkpoints and compares, in one
    /// transaction holding every view's lock (workers wait meanwhile). Views at the same
    /// checkpoint (the usual case) are replayed together, in one pass over the log.
    private func verifyViews() async throws -> [(String, Int, String?)] {
        let epoch = try await store.currentEpoch()
        let limit = batchSize
        let views = self.views
        return try await connection.withTransaction { connection in
            for name in views.map(\.name).sorted() { try Self.lock(name, on: connection) }
            let checkpoints = try Self.checkpoints(views.map(\.name), on: connection)
            var results: [String: (Int, String?)] = [:]
            var groups: [LogPosition: [any ProjectionView]] = [:]
            for view in views {
                guard let end = checkpoints[view.name] else {
                    results[view.name] = (
                        0, "The \(view.name) view has no checkpoint; run `consult project` to build it."
                    )
                    continue
                }
                groups[end, default: []].append(view)
            }
            for (end, group) in groups.sorted(by: { $0.key < $1.key }) {
                let scratch = group.map { Target(view: $0, suffix: "__verify", checkpoint: $0.name + "#verify") }
                for target in scratch {
                    try Self.createTables(
                        of: target.view, suffix: target.suffix, dropFirst: true, temporary: true, on: connection)
                }
                var position = LogPosition.start
                var replayed = 0
                while position < end {
                    let (events, last) = try Self.applyNext(
                        scratch.map { ($0, position) }, epoch: epoch, limit: limit, upTo: end, on: connection)
                    guard let last else { break }
                    replayed += events.count
                    position = last
                }
                for view in group {
                    if position != end {
                        results[view.name] = (
                            replayed,
                            "The \(view.name) view's checkpoint \(end) is not the position of a readable event "
                                + "(a fresh replay stopped at \(position))."
                        )
                        continue
                    }
                    var problem: String?
                    for table in view.tables where problem == nil {
                        if let difference = try Self.firstDifference(table, live: "", fresh: "__verify", on: connection)
                        {
                            problem = "The \(view.name) view differs from a fresh replay: \(difference)"
                        }
                    }
                    results[view.name] = (replayed, problem)
                }
            }
            return views.map { ($0.name, results[$0.name]?.0 ?? 0, results[$0.name]?.1) }
        }
    }

    static func firstDifference(_ table: ViewTable, live: String, fresh: String, on connection: isolated Connection)
        throws -> String?
    {
        let order = table.key.joined(separator: ", ")
        for (from, to, what) in [(live, fresh, "only in the view"), (fresh, live, "only in the fresh replay")] {
            let rows = try connection.query(
                """
                SELECT row_to_json(d)::text FROM (
                    SELECT * FROM \(unescaped: table.named(from)) EXCEPT ALL SELECT * FROM \(unescaped: table.named(to))
                ) d ORDER BY \(unescaped: order) LIMIT 1
                """)
            if let row = rows.first {
                let text: String = try row.decode(column: 0)
                return "in \(table.name), a row \(what): \(text)"
            }
        }
        return nil
    }
}
