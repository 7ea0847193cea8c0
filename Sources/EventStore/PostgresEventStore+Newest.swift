import Foundation
import Postgres

/// Which streams `newestEvents` reads.
public enum StreamSelection: Sendable, Hashable {
    /// These streams.
    case named([String])
    /// Every stream whose id starts with this text (`commitment-`).
    case prefixed(String)
}

extension PostgresEventStore {
    /// The newest `limit` events of `streams`, newest first (the log order, reversed): what a feed
    /// shows. Events of `excludedTypes` are left out, and so are the events that refer to one of
    /// them by the event id in one of `referenceFields` of their data (a correction or retraction
    /// of a left-out event).
    ///
    /// Why these are committed events and not only those below the snapshot's xmin (as `readAll`
    /// takes): a feed is read, not tailed; nobody checkpoints on it, so it shows what is committed.
    /// Named streams are found through the `(stream_id, stream_version)` key's index; a prefix walks
    /// the log order index backwards and stops at `limit`.
    public func newestEvents(
        in streams: StreamSelection, excludedTypes: [String] = [], referenceFields: [String] = [], limit: Int
    ) async throws -> [RecordedEvent] {
        let query: PostgresQuery
        switch streams {
        case .named(let streamIDs):
            guard !streamIDs.isEmpty else { return [] }
            query = """
                SELECT \(unescaped: Self.columns) FROM events e
                WHERE e.stream_id = ANY(\(streamIDs)::text[])
                  AND NOT (e.type = ANY(\(excludedTypes)::text[]))
                  AND NOT EXISTS (
                      SELECT 1 FROM events t
                      WHERE t.event_id = ANY(ARRAY(
                          SELECT (e.data->>f)::uuid FROM unnest(\(referenceFields)::text[]) AS f
                          WHERE e.data->>f IS NOT NULL))
                        AND t.type = ANY(\(excludedTypes)::text[]))
                ORDER BY e.epoch DESC, e.tx_id DESC, e.position DESC
                LIMIT \(max(0, limit))
                """
        case .prefixed(let prefix):
            query = """
                SELECT \(unescaped: Self.columns) FROM events e
                WHERE e.stream_id LIKE \(Self.likePattern(prefix))
                  AND NOT (e.type = ANY(\(excludedTypes)::text[]))
                  AND NOT EXISTS (
                      SELECT 1 FROM events t
                      WHERE t.event_id = ANY(ARRAY(
                          SELECT (e.data->>f)::uuid FROM unnest(\(referenceFields)::text[]) AS f
                          WHERE e.data->>f IS NOT NULL))
                        AND t.type = ANY(\(excludedTypes)::text[]))
                ORDER BY e.epoch DESC, e.tx_id DESC, e.position DESC
                LIMIT \(max(0, limit))
                """
        }
        return try await connection.query(query.plannedForItsValues()).map(Self.decodeEvent)
    }

    /// `text` matched literally at the start of a `LIKE` pattern.
    static func likePattern(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped + "%"
    }
}
