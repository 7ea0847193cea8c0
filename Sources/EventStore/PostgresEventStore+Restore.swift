import Foundation
import Postgres

/// An event of an export, to be stored exactly as the exporting store held it.
public struct RestoredEvent: Sendable {
    public var id: UUID
    public var stream: String
    public var version: Int
    public var type: String
    public var schemaVersion: Int
    public var recordedAtMicroseconds: Int64
    /// A JSON object, as text (any spacing and key order: stored as jsonb).
    public var data: String
    /// A JSON object, as text.
    public var metadata: String
    /// The hash the export gives it (32 bytes); the store refuses the event unless it computes the same.
    public var hash: [UInt8]

    public init(
        id: UUID, stream: String, version: Int, type: String, schemaVersion: Int, recordedAtMicroseconds: Int64,
        data: String, metadata: String, hash: [UInt8]
    ) {
        self.id = id
        self.stream = stream
        self.version = version
        self.type = type
        self.schemaVersion = schemaVersion
        self.recordedAtMicroseconds = recordedAtMicroseconds
        self.data = data
        self.metadata = metadata
        self.hash = hash
    }
}

/// Why the store refused a restore; nothing was written.
public struct RestoreRefusal: Error, Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// The log holds events already (`events` of them).
        case notEmpty(events: Int)
        /// An event's recomputed hash is not the one given: its content, recording time or place
        /// (or that of the event before it in its stream) is not what was exported.
        case hashMismatch
        /// An event id given twice.
        case idReused
        /// A value the database would not store (e.g. a recording time out of its range).
        case invalidValue
    }

    public var kind: Kind
    /// The restored event it concerns, counted from 1 in the order they were given.
    public var row: Int?
    /// The database's sentence, when it gave one.
    public var message: String
}

extension PostgresEventStore {
    /// SQLSTATE of the chain trigger's refusal of a supplied hash (migration 0009).
    static let hashMismatchState = "CH001"

    /// Loads events into an empty log, exactly: ids, order (the order given), stream versions,
    /// recording times, schema versions, data, metadata, and hashes, which the chain trigger
    /// recomputes and refuses on any difference (migration 0009). One transaction: all or nothing.
    ///
    /// `produce` runs on the connection's thread inside the transaction and hands each event to
    /// `emit`; the events leave as a COPY while it runs, so memory does not grow with their number.
    /// Whatever `produce` throws cancels the COPY and rolls back; the caller hears it, unless the
    /// database had refused an event already sent, which came first (`RestoreRefusal`).
    ///
    /// Emptiness is checked under `LOCK TABLE events IN SHARE ROW EXCLUSIVE MODE`, which waits for
    /// open appends and keeps new ones out until the restore ends, so no event can come in between.
    ///
    /// Where the restored events go in the log's order: all of them get this transaction's id and
    /// the current epoch, and positions in the order given, so `(epoch, tx_id, position)` — the
    /// order readers and exports follow — is the order given. Every later append takes its
    /// transaction id after this transaction has ended (its insert waits for the lock), so it sorts
    /// after all of them, and a reader's gap-safe read sees them at once, as one transaction.
    ///
    /// Returns the number of events stored. Listeners are notified after the commit.
    public func restore(
        _ produce: @escaping @Sendable (_ emit: (RestoredEvent) throws -> Void) throws -> Void
    ) async throws -> Int {
        // Outside the transaction, as in `append`: starting an epoch writes a row.
        let epoch = try await currentEpoch()
        let stored: Int
        do {
            stored = try await connection.withTransaction { connection in
                try connection.query("LOCK TABLE events IN SHARE ROW EXCLUSIVE MODE")
                let counts = try connection.query(
                    "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM event_stream_heads)")
                let events: Int = try counts[0].decode(column: 0)
                let heads: Int = try counts[0].decode(column: 1)
                guard events == 0, heads == 0 else {
                    throw RestoreRefusal(
                        kind: .notEmpty(events: events), row: nil,
                        message: "The store holds \(events) events already.")
                }
                var sent = 0
                let copied = try connection.copyIn(
                    "COPY events (\(Self.copiedColumns), recorded_at, hash) FROM STDIN"
                ) { writer in
                    try produce { event in
                        Self.writeCopiedFields(
                            epoch: epoch, stream: event.stream, version: event.version, type: event.type,
                            schemaVersion: event.schemaVersion, id: event.id, data: event.data,
                            metadata: event.metadata, into: &writer)
                        writer.endField()
                        writer.appendPlain(RecordedEvent.rfc3339(microseconds: event.recordedAtMicroseconds))
                        writer.endField()
                        writer.appendText("\\x" + HashChains.hex(event.hash))
                        try writer.endRow()
                        sent += 1
                    }
                }
                guard copied == sent else {
                    throw PostgresError(
                        kind: .client, message: "The restore stored \(copied) events where \(sent) were sent.")
                }
                return copied
            }
        } catch let error as PostgresError where error.kind == .server {
            throw Self.restoreRefusal(error) ?? error
        }
        if stored > 0 { await notifyListeners() }
        return stored
    }

    /// The refusal a server error during the restore's COPY means, with the event it names (the
    /// COPY's line, which is the event's place in the order given); nil for other errors.
    static func restoreRefusal(_ error: PostgresError) -> RestoreRefusal? {
        // A row's own trigger gives the COPY's line; the check of the whole statement's hashes
        // (migration 0010) gives the row in its hint.
        let row =
            error.context.flatMap { context in
                context.firstMatch(of: #/COPY events, line (\d+)/#).flatMap { Int($0.output.1) }
            }
            ?? error.hint.flatMap { hint in
                hint.firstMatch(of: #/row (\d+) of the statement/#).flatMap { Int($0.output.1) }
            }
        let kind: RestoreRefusal.Kind
        switch error.sqlState {
        case hashMismatchState?: kind = .hashMismatch
        case "23505"? where error.constraint == "events_event_id_key": kind = .idReused
        case let state? where state.hasPrefix("22") && row != nil: kind = .invalidValue
        default: return nil
        }
        return RestoreRefusal(kind: kind, row: row, message: error.message)
    }
}
