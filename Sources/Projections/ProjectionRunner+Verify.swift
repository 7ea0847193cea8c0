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
    /// Checks the log (stream versions contiguous from 1, append-only triggers present and always
    /// enabled), then each view against a fresh replay into temporary tables up to the view's
    /// checkpoint, naming the first differing row.
    public func verify() async throws -> VerificationReport {
        var report = VerificationReport()
        try await verifyLog(&report)
        for view in views {
            let (events, problem) = try await verify(view)
            report.viewsChecked.append((view.name, events))
            if let problem { report.problems.append(problem) }
        }
        return report
    }

    private func verifyLog(_ report: inout VerificationReport) async throws {
        report.eventsChecked = try await connection.query("SELECT count(*) FROM events")[0].decode(column: 0)
        let streams = try await connection.query(
            """
            SELECT stream_id, count(*), min(stream_version), max(stream_version) FROM events
            GROUP BY stream_id HAVING min(stream_version) <> 1 OR max(stream_version) <> count(*)
            ORDER BY stream_id LIMIT 1
            """)
        if let row = streams.first {
            let stream: String = try row.decode(column: 0)
            let count: Int64 = try row.decode(column: 1)
            let low: Int64 = try row.decode(column: 2)
            let high: Int64 = try row.decode(column: 3)
            report.problems.append(
                "Stream \(stream) has \(count) events but versions \(low)–\(high): its versions are not contiguous.")
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
            SELECT tgname, tgenabled::text FROM pg_trigger
            WHERE tgrelid = 'events'::regclass AND NOT tgisinternal
            """)
        var enabled: [String: String] = [:]
        for row in triggers { enabled[try row.decode(column: 0)] = try row.decode(column: 1) }
        for name in ["events_refuse_update_delete", "events_refuse_truncate"] {
            switch enabled[name] {
            case nil:
                report.problems.append("The append-only trigger \(name) on events is missing.")
            case "A":
                break
            default:
                report.problems.append(
                    "The append-only trigger \(name) on events is not enabled ALWAYS (state \(enabled[name]!)).")
            }
        }
    }

    /// Replays `view` into temporary tables up to its checkpoint, under its lock, and compares.
    private func verify(_ view: any ProjectionView) async throws -> (Int, String?) {
        let epoch = try await store.currentEpoch()
        let limit = batchSize
        let live = Target.live(view)
        let scratch = Target(view: view, suffix: "__verify", checkpoint: view.name + "#verify")
        return try await connection.withTransaction { connection in
            try Self.lock(live.checkpoint, on: connection)
            guard let end = try Self.checkpoints([live.checkpoint], on: connection)[live.checkpoint] else {
                return (0, "The \(view.name) view has no checkpoint; run `consult project` to build it.")
            }
            try Self.createTables(of: view, suffix: scratch.suffix, dropFirst: true, temporary: true, on: connection)
            var position = LogPosition.start
            var replayed = 0
            while position < end {
                let (events, last) = try Self.applyNext(
                    [(scratch, position)], epoch: epoch, limit: limit, upTo: end, on: connection)
                guard let last else { break }
                replayed += events.count
                position = last
            }
            if position != end {
                return (
                    replayed,
                    "The \(view.name) view's checkpoint \(end) is not the position of a readable event "
                        + "(a fresh replay stopped at \(position))."
                )
            }
            for table in view.tables {
                if let difference = try Self.firstDifference(
                    table, live: live.suffix, fresh: scratch.suffix, on: connection)
                {
                    return (replayed, "The \(view.name) view differs from a fresh replay: \(difference)")
                }
            }
            return (replayed, nil)
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
