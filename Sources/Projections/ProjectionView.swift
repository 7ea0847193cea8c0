import ConsultDomain
import EventStore
import Foundation
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
    /// The same events, decoded.
    let logged: [LoggedEvent]
    let records: RecordLoader

    /// The streams of `kind` that the batch's events belong to, in order of first appearance.
    func touched(_ kind: RecordKind) -> [String] {
        unique(events.map(\.streamID).filter { $0.hasPrefix(kind.rawValue + "-") })
    }

    /// The streams of `kind` where the batch holds a correction or a retraction: a view recomputes
    /// their rows from the whole stream; new record events elsewhere can be added as they come.
    func corrected(_ kind: RecordKind) -> [String] {
        unique(
            zip(events, logged).filter { !$0.1.isRecordEvent && $0.0.streamID.hasPrefix(kind.rawValue + "-") }
                .map(\.0.streamID))
    }

    /// The streams of `kind` where the batch holds an event of `types`, or a correction or a
    /// retraction (which may change anything).
    func touched(_ kind: RecordKind, by types: Set<EventType>) -> [String] {
        unique(
            zip(events, logged).filter {
                $0.0.streamID.hasPrefix(kind.rawValue + "-")
                    && (types.contains($0.1.type) || !$0.1.isRecordEvent)
            }.map(\.0.streamID))
    }

    /// The consultation streams whose consultation itself (title, kind, date) may have changed: a
    /// `ConsultationHeld`, a correction or a retraction in them. Statements do not count.
    func consultationsChanged() -> [String] {
        unique(
            zip(events, logged).filter {
                $0.0.streamID.hasPrefix("consultation-") && $0.1.type != .statementRecorded
            }.map(\.0.streamID))
    }

    /// The record events of streams of `kind` not in `excluded`, each with its stream.
    func recordEvents(_ kind: RecordKind, excluding excluded: Set<String>) -> [(stream: String, event: LoggedEvent)] {
        zip(events, logged).compactMap { recorded, event in
            guard event.isRecordEvent, recorded.streamID.hasPrefix(kind.rawValue + "-"),
                !excluded.contains(recorded.streamID)
            else { return nil }
            return (recorded.streamID, event)
        }
    }

    func known(_ streams: [String], on connection: isolated Connection) throws -> [String: [RecordVersion]] {
        try records.known(streams, on: connection)
    }

    private func unique(_ streams: [String]) -> [String] {
        var seen: Set<String> = []
        return streams.filter { seen.insert($0).inserted }
    }
}

extension LoggedEvent {
    /// Decodes a stored event.
    init(_ event: RecordedEvent) throws {
        try self.init(
            id: event.id, typeName: event.type, schemaVersion: event.schemaVersion, dataText: event.data,
            recordedAt: event.recordedAtMicroseconds, streamVersion: event.streamVersion)
    }

    /// Decodes an event from the log's columns: its type must be known and its data an object,
    /// which is upcast from the version it was written in to the current one.
    init(id: UUID, typeName: String, schemaVersion: Int, dataText: String, recordedAt: Int64, streamVersion: Int)
        throws
    {
        guard let type = EventType(rawValue: typeName) else {
            throw PostgresError(kind: .client, message: "The log holds an event of unknown type \(typeName).")
        }
        guard let data = try JSONValue.parse(dataText).objectValue else {
            throw PostgresError(kind: .client, message: "The log holds an event whose data is not an object.")
        }
        self.init(
            id: id, type: type, data: Upcasting.upcast(data, of: type, from: schemaVersion),
            recordedAt: Timestamp(microseconds: recordedAt), streamVersion: streamVersion)
    }
}

/// `streams`, then the streams in the first column of `rows` not among them yet (reverse lookups:
/// the rows of a view that name a record a batch changed).
func appendingNew(_ streams: [String], from rows: PostgresRows) throws -> [String] {
    var streams = streams
    var seen = Set(streams)
    for row in rows {
        let stream: String = try row.decode(column: 0)
        if seen.insert(stream).inserted { streams.append(stream) }
    }
    return streams
}

extension ProjectionView {
    /// What the checkpoint records of the view's definition: its `version` and its tables' shape,
    /// hashed (FNV-1a, 31 bits), so that a changed table is rebuilt even if `version` was not bumped.
    public var fingerprint: Int {
        let text =
            "\(version)|\(Upcasting.currentVersions)|"
            + tables.flatMap { $0.createStatements(suffix: "") }.joined(separator: ";")
        var hash: UInt32 = 2_166_136_261
        for byte in text.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return Int(hash & 0x7FFF_FFFF)
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
