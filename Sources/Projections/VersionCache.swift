import ConsultDomain
import EventStore
import Foundation
import Postgres

/// The versions of streams, loaded once per batch (or per question) and shared by the views.
final class VersionCache {
    enum Source {
        /// The log itself, up to and including `upTo`: what a worker folds from.
        case log(upTo: LogPosition)
        /// The history view (`view_versions`): what read commands fold from.
        case history
    }

    let source: Source
    private var loaded: [String: [RecordVersion]] = [:]

    init(_ source: Source) { self.source = source }

    /// Every version of each of `streams` (empty for a stream with no events).
    func versions(of streams: some Sequence<String>, on connection: isolated Connection) throws -> [String:
        [RecordVersion]]
    {
        let missing = Array(Set(streams).subtracting(loaded.keys)).sorted()
        if !missing.isEmpty {
            for stream in missing { loaded[stream] = [] }
            switch source {
            case .log(let end): try loadFromLog(missing, upTo: end, on: connection)
            case .history: try loadFromHistory(missing, on: connection)
            }
        }
        var result: [String: [RecordVersion]] = [:]
        for stream in streams { result[stream] = loaded[stream] ?? [] }
        return result
    }

    private func loadFromLog(_ streams: [String], upTo end: LogPosition, on connection: isolated Connection) throws {
        let rows = try connection.query(
            """
            SELECT stream_id, event_id, type, data::text AS data_text,
                   (extract(epoch FROM recorded_at) * 1000000)::bigint AS recorded_micros
            FROM events
            WHERE stream_id = ANY(\(streams)::text[])
              AND (epoch, tx_id, position) <= (\(end.epoch), \(end.transactionID)::xid8, \(end.position))
            ORDER BY epoch, tx_id, position
            """)
        var events: [String: [LoggedEvent]] = [:]
        for row in rows {
            guard let type = EventType(rawValue: try row.decode(String.self, column: 2)) else { continue }
            let data = try JSONValue.parse(try row.decode(String.self, column: 3)).objectValue ?? JSONObject()
            events[try row.decode(String.self, column: 0), default: []].append(
                LoggedEvent(
                    id: try row.decode(column: 1), type: type, data: data,
                    recordedAt: Timestamp(microseconds: try row.decode(column: 4))))
        }
        for (stream, streamEvents) in events { loaded[stream] = RecordVersion.timeline(of: streamEvents) }
    }

    private func loadFromHistory(_ streams: [String], on connection: isolated Connection) throws {
        let rows = try connection.query(
            """
            SELECT stream_id, event_id, type, sequence, data::text AS data_text, recorded_from, recorded_until
            FROM view_versions WHERE stream_id = ANY(\(streams)::text[])
            ORDER BY stream_id, sequence, recorded_from
            """)
        for row in rows {
            guard let type = EventType(rawValue: try row.decode(String.self, column: 2)) else { continue }
            let data = try JSONValue.parse(try row.decode(String.self, column: 4)).objectValue ?? JSONObject()
            let until: Int64? = try row.decode(column: 6)
            loaded[try row.decode(String.self, column: 0), default: []].append(
                RecordVersion(
                    eventID: try row.decode(column: 1), type: type, sequence: try row.decode(column: 3), data: data,
                    recordedFrom: Timestamp(microseconds: try row.decode(column: 5)),
                    recordedUntil: until.map(Timestamp.init(microseconds:))))
        }
    }
}

/// The records a question or a batch folds, built from versions the question knows.
struct RecordLoader {
    let cache: VersionCache
    let knowledge: Knowledge

    func known(_ streams: some Sequence<String>, on connection: isolated Connection) throws -> [String: [RecordVersion]]
    {
        try cache.versions(of: streams, on: connection).mapValues { $0.filter(knowledge.knows) }
    }

    func stakeholders(_ ids: some Sequence<String>, on connection: isolated Connection) throws -> [String:
        StakeholderRecord]
    {
        var records: [String: StakeholderRecord] = [:]
        for (_, versions) in try known(ids.map(RecordKind.stakeholder.streamID), on: connection) {
            if let record = StakeholderRecord(versions: versions) { records[record.stakeholderID] = record }
        }
        return records
    }

    func consultations(_ ids: some Sequence<String>, on connection: isolated Connection) throws -> [String:
        ConsultationRecord]
    {
        var records: [String: ConsultationRecord] = [:]
        for (_, versions) in try known(ids.map(RecordKind.consultation.streamID), on: connection) {
            if let record = ConsultationRecord(versions: versions) { records[record.consultationID] = record }
        }
        return records
    }

    /// The commitments of `streams` (commitment streams) on `knowledge.asOf`, each with its stream;
    /// a stream whose commitment is retracted or not yet made maps to nil.
    func commitments(streams: [String], on connection: isolated Connection) throws -> [(
        String, CommitmentRecord.State?
    )] {
        let versions = try known(streams, on: connection)
        let records = streams.map { ($0, versions[$0].flatMap(CommitmentRecord.init(versions:))) }
        let consultations = try consultations(records.compactMap { $0.1?.consultationID }, on: connection)
        let stakeholders = try stakeholders(
            records.flatMap { [$0.1?.madeByID, $0.1?.ownerID].compactMap { $0 } }, on: connection)
        return records.map { stream, record in
            (
                stream,
                record.flatMap { record in
                    record.state(
                        consultation: consultations[record.consultationID], maker: stakeholders[record.madeByID],
                        owner: stakeholders[record.ownerID], asOf: knowledge.asOf)
                }
            )
        }
    }
}
