import Foundation
import Postgres

/// Where an export starts (`consult export --since`).
public enum ExportStart: Sendable, Hashable {
    /// The events after this log position (the positions `consult log` prints).
    case afterPosition(Int64)
    /// The events from the first one, by position, recorded at or after this instant
    /// (microseconds since 1970).
    case recordedSince(microseconds: Int64)
}

/// One line of an export: the event, its hash (hex) and, for the first line of a stream that an
/// export does not hold from version 1, the event before it (`follows`).
public struct ExportedEvent: Sendable {
    /// The event an export that starts mid-stream follows: its id and its hash (hex).
    public struct Predecessor: Sendable, Hashable {
        public var id: UUID
        public var hash: String
    }

    public var event: RecordedEvent
    public var hash: String
    public var follows: Predecessor?
}

extension PostgresEventStore {
    /// Every event of one consistent snapshot (after `start`, when given), in log order, in pages
    /// (bounded memory). `total` gets the count of events the export holds, before the first page.
    ///
    /// Unlike `readAll`, this includes events that committed after an older transaction still
    /// open: an export should hold everything committed, not only what a tailing reader may see.
    ///
    /// Why a partial export is cut by position: a stream's events take positions in version
    /// order (each version is inserted after the one before it committed), so the events after a
    /// position are, in every stream, all its versions from some version on — a tail that chains
    /// from the event before it, which `follows` names. Recording times do not have that property
    /// (`recorded_at` is when the writing transaction began), so a start given as a time is taken
    /// as the position of the first event recorded at or after it: nothing recorded then or later
    /// is left out, and no stream is cut in the middle.
    ///
    /// Returns what closes the export (`ExportSeal`): the head of each stream with events in it,
    /// from `event_stream_heads` in the same snapshot, and the counts and digest of the events.
    /// A head that is not where its stream's exported events end means the log was changed behind
    /// the triggers' back: the export fails (`ExportHeadMismatch`) before its closing lines.
    @discardableResult
    public func exportAll(
        since start: ExportStart? = nil, pageSize: Int = 1000, total: (@Sendable (Int) -> Void)? = nil,
        _ body: @Sendable @escaping ([ExportedEvent]) throws -> Void
    ) async throws -> ExportSeal.Trailer {
        try await connection.withTransaction(.repeatableRead) { connection in
            let after: Int64
            switch start {
            case nil:
                after = .min
            case .afterPosition(let position):
                after = position
            case .recordedSince(let microseconds):
                let rows = try connection.query(
                    """
                    SELECT min(position) FROM events
                    WHERE recorded_at >= timestamptz 'epoch' + \(microseconds)::float8 * interval '1 microsecond'
                    """)
                guard let first = try rows.first?.decode(Int64?.self, column: 0) else {
                    total?(0)
                    let partial = try connection.query("SELECT EXISTS (SELECT 1 FROM events)")[0].decode(
                        Bool.self, column: 0)
                    return ExportSeal.Trailer(
                        heads: [],
                        end: ExportSeal.End(events: 0, streams: 0, digest: SHA256.hash([]), partial: partial))
                }
                after = first - 1
            }
            if let total {
                total(
                    try connection.query("SELECT count(*) FROM events WHERE position > \(after)")[0].decode(
                        Int.self, column: 0))
            }
            // The event before each stream's first exported one, when that is not version 1.
            var predecessors: [String: ExportedEvent.Predecessor] = [:]
            if start != nil {
                let rows = try connection.query(
                    """
                    SELECT e.stream_id, e.event_id, encode(e.hash, 'hex')
                    FROM (SELECT stream_id, min(stream_version) AS first FROM events WHERE position > \(after)
                          GROUP BY stream_id) f
                    JOIN events e ON e.stream_id = f.stream_id AND e.stream_version = f.first - 1
                    """)
                for row in rows {
                    predecessors[try row.decode(String.self, column: 0)] = ExportedEvent.Predecessor(
                        id: try row.decode(UUID.self, column: 1), hash: try row.decode(String.self, column: 2))
                }
            }
            var cursor = LogPosition.start
            var last: [String: (version: Int, hash: String)] = [:]
            var digest = ExportSeal.Digest()
            while true {
                let rows = try connection.query(
                    """
                    SELECT \(unescaped: Self.columns), encode(hash, 'hex') AS hash_hex FROM events
                    WHERE (epoch, tx_id, position) > (\(cursor.epoch), \(cursor.transactionID)::xid8, \(cursor.position))
                      AND position > \(after)
                    ORDER BY epoch, tx_id, position
                    LIMIT \(pageSize)
                    """)
                let events = try rows.map { row in
                    let event = try Self.decodeEvent(row)
                    return ExportedEvent(
                        event: event, hash: try row.decode(String.self, column: 11),
                        follows: predecessors.removeValue(forKey: event.streamID))
                }
                guard let lastEvent = events.last else { break }
                for exported in events {
                    last[exported.event.streamID] = (exported.event.streamVersion, exported.hash)
                    digest.add(HashChains.hexBytes(exported.hash) ?? [])
                }
                try body(events)
                cursor = lastEvent.event.logPosition
            }
            let heads = try Self.streamHeads(after: start == nil ? nil : after, on: connection)
            for head in heads {
                guard let tail = last.removeValue(forKey: head.stream) else {
                    throw ExportHeadMismatch(stream: head.stream, headVersion: head.version, lastVersion: nil)
                }
                guard tail.version == head.version, tail.hash == HashChains.hex(head.hash) else {
                    throw ExportHeadMismatch(stream: head.stream, headVersion: head.version, lastVersion: tail.version)
                }
            }
            if let stream = last.keys.min(by: ExportSeal.precedes) {
                throw ExportHeadMismatch(stream: stream, headVersion: nil, lastVersion: last[stream]?.version)
            }
            // Partial: the export leaves out events before its start (`--since 0` leaves out none).
            var partial = false
            if start != nil {
                partial = try connection.query("SELECT EXISTS (SELECT 1 FROM events WHERE position <= \(after))")[0]
                    .decode(Bool.self, column: 0)
            }
            return ExportSeal.Trailer(
                heads: heads,
                end: ExportSeal.End(
                    events: digest.count, streams: heads.count, digest: digest.finalize(), partial: partial))
        }
    }

    /// The recorded heads of every stream, or of those with events after position `after`,
    /// sorted by stream id as bytes.
    static func streamHeads(after: Int64?, on connection: isolated Connection) throws -> [ExportSeal.Head] {
        let rows: PostgresRows
        if let after {
            rows = try connection.query(
                """
                SELECT stream_id, version, encode(hash, 'hex') FROM event_stream_heads
                WHERE stream_id IN (SELECT stream_id FROM events WHERE position > \(after))
                ORDER BY stream_id COLLATE "C"
                """)
        } else {
            rows = try connection.query(
                "SELECT stream_id, version, encode(hash, 'hex') FROM event_stream_heads ORDER BY stream_id COLLATE \"C\""
            )
        }
        return try rows.map { row in
            ExportSeal.Head(
                stream: try row.decode(column: 0), version: try row.decode(column: 1),
                hash: HashChains.hexBytes(try row.decode(String.self, column: 2)) ?? [])
        }
    }
}

/// An export found a stream whose recorded head is not where its events end: its last events
/// were deleted (`headVersion` > `lastVersion`), events were inserted with the triggers disabled,
/// or a head or event was edited. The store was tampered with; the export stops before its
/// closing lines, so the file it wrote is not a complete export.
public struct ExportHeadMismatch: Error, Sendable, Hashable {
    public var stream: String
    /// nil: the stream has events in the export but no recorded head.
    public var headVersion: Int?
    /// nil: the stream has a recorded head but no events.
    public var lastVersion: Int?

    /// One sentence for people.
    public var message: String {
        let what: String
        switch (headVersion, lastVersion) {
        case (nil, _):
            what = "has events but no recorded head"
        case (let head?, nil):
            what = "was recorded up to version \(head) but has no events left"
        case (let head?, let last?) where head == last:
            what = "ends at version \(last) as recorded, but its last event is not the one recorded"
        case (let head?, let last?):
            what = "was recorded up to version \(head) but its events end at version \(last)"
        }
        return "The store was tampered with: stream \(stream) \(what); the export is incomplete (it has no "
            + "closing lines). Run consult verify to see every change."
    }
}
