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

/// How far `verify` has come.
public enum VerificationProgress: Sendable, Hashable {
    /// Events whose hash was recomputed so far.
    case hashesChecked(Int)
    /// Events replayed so far into scratch tables for `views`.
    case eventsReplayed(Int, views: [String])
}

extension ProjectionRunner {
    /// Checks the log (its hash chains recomputed, stream versions contiguous from 1 and ending at
    /// their recorded heads, every event in the stream its data names, epochs recorded, the guard
    /// triggers present and always enabled), then each view against a fresh replay into temporary
    /// tables up to the view's checkpoint, naming the first differing row.
    ///
    /// `progress` is told how far each part has come.
    public func verify(progress: @escaping @Sendable (VerificationProgress) -> Void = { _ in }) async throws
        -> VerificationReport
    {
        var report = VerificationReport()
        try await verifyLog(&report, progress: progress)
        for (name, events, problem) in try await verifyViews(progress: progress) {
            report.viewsChecked.append((name, events))
            if let problem { report.problems.append(problem) }
        }
        return report
    }

    private func verifyLog(
        _ report: inout VerificationReport, progress: @escaping @Sendable (VerificationProgress) -> Void
    ) async throws {
        let log = try await store.checkIntegrity(placement: Self.placement) { progress(.hashesChecked($0)) }
        report.eventsChecked = Int64(log.eventsChecked)
        report.problems += log.problems
    }

    /// Where each event type goes, as the domain says (`EventType.streamRule`).
    static let placement = StreamPlacementRules(
        records: EventType.allCases.compactMap { type in
            guard case .record(let prefix, let field) = type.streamRule else { return nil }
            return StreamPlacementRules.Record(type: type.rawValue, prefix: prefix + "-", field: field)
        },
        targets: EventType.allCases.compactMap { type in
            guard case .targetEvent(let field) = type.streamRule else { return nil }
            return StreamPlacementRules.TargetEvent(type: type.rawValue, field: field)
        })

    /// Replays the views into temporary tables up to their checkpoints and compares, in one
    /// transaction holding every view's lock (workers wait meanwhile). Views at the same
    /// checkpoint (the usual case) are replayed together, in one pass over the log.
    private func verifyViews(progress: @escaping @Sendable (VerificationProgress) -> Void) async throws -> [(
        String, Int, String?
    )] {
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
                    progress(.eventsReplayed(replayed, views: group.map(\.name)))
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

    /// The first row, by key, that the table `live` holds and `fresh` does not, whole (a row that
    /// differs counts as one only in the view); else the first that only `fresh` holds. One pass
    /// over both, joined on the key (unique in each), where two EXCEPT ALL each read both whole:
    /// 0.35 s against 0.95 s for a table of 95,000 rows.
    static func firstDifference(_ table: ViewTable, live: String, fresh: String, on connection: isolated Connection)
        throws -> String?
    {
        let join = table.key.map { "l.\($0) = f.\($0)" }.joined(separator: " AND ")
        let order = table.key.map { "coalesce(l.\($0), f.\($0))" }.joined(separator: ", ")
        // A row missing on one side is all NULL there; the key, never NULL in a row, says which.
        let present = "l." + table.key[0] + " IS NOT NULL"
        let rows = try connection.query(
            """
            SELECT \(unescaped: present), CASE WHEN \(unescaped: present) THEN row_to_json(l) ELSE row_to_json(f) END::text
            FROM \(unescaped: table.named(live)) l FULL JOIN \(unescaped: table.named(fresh)) f ON \(unescaped: join)
            WHERE l IS DISTINCT FROM f
            ORDER BY \(unescaped: present) DESC, \(unescaped: order) LIMIT 1
            """)
        guard let row = rows.first else { return nil }
        let inView: Bool = try row.decode(column: 0)
        let text: String = try row.decode(column: 1)
        return "in \(table.name), a row \(inView ? "only in the view" : "only in the fresh replay"): \(text)"
    }
}
