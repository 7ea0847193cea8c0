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
    private var headers: [String: [RecordVersion]] = [:]

    init(_ source: Source) { self.source = source }

    /// Every version of each of `streams` (empty for a stream with no events).
    func versions(of streams: some Sequence<String>, on connection: isolated Connection) throws -> [String:
        [RecordVersion]]
    {
        try versions(of: streams, cache: \.loaded, types: nil, on: connection)
    }

    /// The versions of the consultations themselves (`ConsultationHeld`) of `streams`, without the
    /// statements: what a commitment needs of its consultation, however many statements it has.
    func consultationVersions(of streams: some Sequence<String>, on connection: isolated Connection) throws
        -> [String: [RecordVersion]]
    {
        try versions(of: streams, cache: \.headers, types: [.consultationHeld], on: connection)
    }

    private func versions(
        of streams: some Sequence<String>, cache: ReferenceWritableKeyPath<VersionCache, [String: [RecordVersion]]>,
        types: [EventType]?, on connection: isolated Connection
    ) throws -> [String: [RecordVersion]] {
        let missing = Array(Set(streams).subtracting(self[keyPath: cache].keys)).sorted()
        if !missing.isEmpty {
            let found: [String: [RecordVersion]]
            switch source {
            case .log(let end): found = try Self.loadFromLog(missing, types: types, upTo: end, on: connection)
            case .history: found = try Self.loadFromHistory(missing, types: types, on: connection)
            }
            for stream in missing { self[keyPath: cache][stream] = found[stream] ?? [] }
        }
        var result: [String: [RecordVersion]] = [:]
        for stream in streams { result[stream] = self[keyPath: cache][stream] ?? [] }
        return result
    }

    /// Folds versions from the stream's events; with `types`, only events of those types and the
    /// corrections and retractions (which may target them) are read.
    static func loadFromLog(
        _ streams: [String], types: [EventType]?, upTo end: LogPosition, on connection: isolated Connection
    ) throws -> [String: [RecordVersion]] {
        // Leaving statements out lets the index of a stream's other events skip a consultation's
        // statements (migration 0005).
        let events = try PostgresEventStore.streamEvents(
            streams, types: types.map { ($0 + [.recordCorrected, .recordRetracted]).map(\.rawValue) },
            exceptType: types == nil ? nil : EventType.statementRecorded.rawValue, upTo: end, on: connection)
        var logged: [String: [LoggedEvent]] = [:]
        for event in events {
            logged[event.streamID, default: []].append(
                try LoggedEvent(
                    id: event.id, typeName: event.type, schemaVersion: event.schemaVersion, dataText: event.data,
                    recordedAt: event.recordedAtMicroseconds, streamVersion: event.streamVersion))
        }
        return logged.mapValues(RecordVersion.timeline(of:))
    }

    static func loadFromHistory(_ streams: [String], types: [EventType]?, on connection: isolated Connection) throws
        -> [String: [RecordVersion]]
    {
        let wanted = types?.map(\.rawValue)
        let schema = HistoryView.versions
        let columns = schema.columnList()
        let rows = try connection.query(
            """
            SELECT \(unescaped: columns) FROM view_versions
            WHERE stream_id = ANY(\(streams)::text[]) AND (\(wanted == nil) OR type = ANY(\(wanted ?? [])::text[]))
            ORDER BY stream_id, sequence, recorded_from
            """)
        var found: [String: [RecordVersion]] = [:]
        for row in rows {
            let version = try schema.decode(row)
            guard let recordVersion = version.recordVersion else { continue }
            found[version.streamID, default: []].append(recordVersion)
        }
        return found
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

    /// The consultations `ids`, without their statements.
    func consultations(_ ids: some Sequence<String>, on connection: isolated Connection) throws -> [String:
        ConsultationRecord]
    {
        var records: [String: ConsultationRecord] = [:]
        let streams = ids.map(RecordKind.consultation.streamID)
        for (_, all) in try cache.consultationVersions(of: streams, on: connection) {
            let versions = all.filter(knowledge.knows)
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
