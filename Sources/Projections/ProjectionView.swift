import ConsultDomain
import EventStore
import Postgres

/// A view (projection): tables derived from the log, and how a batch of events changes them.
///
/// `apply` must leave the tables exactly as a replay from the first event up to the batch's end
/// would; the runner stores the checkpoint in the same transaction.
public protocol ProjectionView: Sendable {
    /// The name users give to `--only`, `replay` and that `status` shows.
    var name: String { get }
    /// Bump when the tables or the fold change: the view is then rebuilt from the first event.
    var version: Int { get }
    var tables: [ViewTable] { get }
    func apply(_ batch: ProjectionBatch, suffix: String, on connection: isolated Connection) throws
}

/// The events a view applies in one step, and the versions of the streams they touch.
public struct ProjectionBatch {
    /// The events this view has not applied yet, in log order.
    public let events: [RecordedEvent]
    let records: RecordLoader

    /// The streams of `kind` that the batch's events belong to, in order of first appearance.
    func touched(_ kind: RecordKind) -> [String] {
        var seen: Set<String> = []
        let prefix = kind.rawValue + "-"
        return events.compactMap { event in
            guard event.streamID.hasPrefix(prefix), seen.insert(event.streamID).inserted else { return nil }
            return event.streamID
        }
    }

    func known(_ streams: [String], on connection: isolated Connection) throws -> [String: [RecordVersion]] {
        try records.known(streams, on: connection)
    }
}

/// Every view, in the order a worker applies them.
public enum Views {
    public static let all: [any ProjectionView] = [
        HistoryView(), StakeholdersView(), ConsultationsView(), RequestsView(), CommitmentsView(), FollowUpsView(),
        SearchView(),
    ]

    /// The views named `names` (every view when empty); nil names the unknown ones.
    public static func named(_ names: [String]) -> Result<[any ProjectionView], UnknownViews> {
        guard !names.isEmpty else { return .success(all) }
        let unknown = names.filter { name in !all.contains { $0.name == name || aliases[name] == $0.name } }
        guard unknown.isEmpty else { return .failure(UnknownViews(names: unknown)) }
        return .success(all.filter { view in names.contains { $0 == view.name || aliases[$0] == view.name } })
    }

    static let aliases = ["commitment-history": "history", "followups": "follow-ups"]

    public struct UnknownViews: Error, Sendable {
        public var names: [String]
    }
}
