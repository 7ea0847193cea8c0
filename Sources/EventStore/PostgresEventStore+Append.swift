import Foundation
import Postgres

extension PostgresEventStore {
    /// Appends a batch in one transaction: every event is written, or none is.
    ///
    /// - An event whose id is stored already (or earlier in the batch) with the same type, data and
    ///   metadata is a no-op, reported as `.duplicate`; with other content the batch is refused.
    /// - `expectedVersion` is checked per stream. A mismatch, or another writer taking the same
    ///   (stream, version) first, refuses the batch with `.concurrencyConflict`. A batch without
    ///   expectations that loses such a race is simply retried: it never asked for a version.
    /// - Listeners are notified after the commit, never inside the transaction: a NOTIFY in the
    ///   transaction would serialize the commits of all writers.
    /// - `check` runs inside the append's transaction (again on every retry), reading the log
    ///   through `EventLookup`; whatever it throws refuses the batch and reaches the caller unchanged.
    /// - With `dryRun`, everything happens (checks, versions, duplicates, conflicts) but the
    ///   transaction is rolled back: the outcomes say what would have been written.
    /// - `written` gets the count of rows the COPY has sent so far, every `writtenInterval` rows:
    ///   the rows leave while they are produced and the server stores them as they come, so the
    ///   count follows the write (the last piece, the positions and the commit come after it).
    public func append(
        _ events: [ProposedEvent], check: (@Sendable (any EventLookup) throws -> Void)?, dryRun: Bool = false,
        written: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil
    ) async throws -> [AppendOutcome] {
        guard !events.isEmpty else { return [] }
        let expectsVersions = events.contains { $0.expectedVersion != nil }
        // Outside the transaction: starting a new epoch writes a row, and a transaction that writes
        // before reading stream versions could get a transaction id below a later version's, which
        // would put its events out of version order in the log.
        let epoch = try await currentEpoch()
        let mayHash = try await mayInsertHash()
        var attempt = 0
        while true {
            attempt += 1
            do {
                let outcomes: [AppendOutcome]
                if check == nil, !dryRun, events.count == 1, events[0].earlierForm == nil,
                    case .stream(let streamID) = events[0].stream
                {
                    outcomes = [try await appendOne(events[0], to: streamID, epoch: epoch, mayHash: mayHash)]
                } else {
                    do {
                        outcomes = try await connection.withTransaction { connection in
                            try check?(PostgresEventLookup(connection: connection))
                            let outcomes = try Self.appendBatch(
                                events, epoch: epoch, mayHash: mayHash, on: connection, written: written)
                            if dryRun { throw DryRunRolledBack(result: outcomes) }
                            return outcomes
                        }
                    } catch let rolledBack as DryRunRolledBack<[AppendOutcome]> {
                        return rolledBack.result
                    }
                }
                if outcomes.contains(where: { if case .appended = $0 { true } else { false } }) {
                    await notifyListeners()
                }
                return outcomes
            } catch let caught where Self.serverError(caught) != nil {
                // The same at COMMIT as in the body (none is raised at COMMIT today: no deferred
                // constraints, READ COMMITTED), so a later change cannot slip past the retry.
                guard let error = Self.serverError(caught) else { throw caught }
                let lostRace = Self.isLostRace(error)
                let idRace = error.isUniqueViolation && error.constraint == "events_event_id_key"
                if (idRace || (lostRace && !expectsVersions)) && attempt < 20 {
                    continue
                }
                if lostRace { throw Self.lostRaceConflict }
                throw caught
            }
        }
    }

    /// One event to a named stream in one statement (its own transaction): one round trip
    /// instead of five. Same rules as a batch: a stored id with the same content is a duplicate,
    /// with other content is refused; `expectedVersion` is checked; the insert reads the stream's
    /// version before the transaction id is assigned (at the insert), as `appendBatch` does.
    private func appendOne(_ event: ProposedEvent, to streamID: String, epoch: Int32, mayHash suppliesHash: Bool)
        async throws -> AppendOutcome
    {
        // With the right to supply the hash, it is computed in the insert itself, so the row trigger
        // does not run; the check of the statement's hashes (migration 0010) runs either way.
        let hashColumn = suppliesHash ? ", hash" : ""
        let previousColumn = suppliesHash ? ", h.hash AS previous" : ""
        let hashValue =
            suppliesHash
            ? """
            , sha256(COALESCE(current.previous, decode(repeat('00', 32), 'hex')) || consult_event_encoding(
                input.id, input.stream, current.version + 1, input.type, input.schema_version, now(),
                input.data, input.metadata))
            """ : ""
        let rows = try await connection.query(
            """
            WITH input AS (
                SELECT \(event.id)::uuid AS id, \(streamID)::text AS stream, \(event.type)::text AS type,
                       \(event.schemaVersion)::int AS schema_version, \(event.data)::jsonb AS data,
                       \(event.metadata)::jsonb AS metadata
            ), existing AS (
                SELECT position, stream_id, e.type = input.type AND e.data = input.data
                       AND e.metadata = input.metadata AS same
                FROM events e, input WHERE e.event_id = input.id
            ), current AS (
                SELECT COALESCE(h.stream_version, 0) AS version \(unescaped: previousColumn)
                FROM (SELECT 1) AS one LEFT JOIN LATERAL (
                    SELECT stream_version \(unescaped: hashColumn) FROM events WHERE stream_id = \(streamID)
                    ORDER BY stream_version DESC LIMIT 1
                ) h ON true
            ), inserted AS (
                INSERT INTO events (epoch, stream_id, stream_version, type, schema_version, event_id, data, metadata
                                    \(unescaped: hashColumn))
                SELECT \(epoch), input.stream, current.version + 1, input.type, input.schema_version, input.id,
                       input.data, input.metadata \(unescaped: hashValue)
                FROM current, input
                WHERE NOT EXISTS (SELECT 1 FROM existing)
                  AND (\(event.expectedVersion)::int IS NULL OR current.version = \(event.expectedVersion)::int)
                RETURNING position, stream_version
            )
            SELECT 'appended', position, stream_version, '' FROM inserted
            UNION ALL SELECT CASE WHEN same THEN 'duplicate' ELSE 'reused' END, position, 0, stream_id FROM existing
            UNION ALL SELECT 'conflict', 0, current.version, '' FROM current
            WHERE NOT EXISTS (SELECT 1 FROM existing)
              AND \(event.expectedVersion)::int IS NOT NULL AND current.version <> \(event.expectedVersion)::int
            """)
        guard let row = rows.first else {
            throw PostgresError(kind: .client, message: "An append returned no outcome.")
        }
        switch try row.decode(String.self, column: 0) {
        case "appended":
            return .appended(
                position: try row.decode(column: 1), streamID: streamID, version: try row.decode(column: 2))
        case "duplicate":
            return .duplicate(position: try row.decode(column: 1), streamID: try row.decode(column: 3))
        case "reused":
            throw EventStoreError(
                kind: .eventIDReused, index: 0,
                message: "Event id \(event.id.postgresText) is stored already with different content.")
        default:
            let current: Int = try row.decode(column: 2)
            throw EventStoreError(
                kind: .concurrencyConflict, index: 0,
                message: "Stream \(streamID) is at version \(current), not the expected "
                    + "\(event.expectedVersion ?? 0); nothing was written.",
                stale: .init(streamID: streamID, current: current, expected: event.expectedVersion ?? 0))
        }
    }

    public func appendInParts<Result: Sendable>(
        dryRun: Bool, _ body: @Sendable (any EventLookup, any PartAppender) throws -> Result
    ) async throws -> Result {
        // Read outside the transaction, as `append` does.
        let epoch = try await currentEpoch()
        let mayHash = try await mayInsertHash()
        let (result, appended): (Result, Bool)
        do {
            (result, appended) = try await connection.withTransaction { connection in
                let appender = PostgresPartAppender(connection: connection, epoch: epoch, mayHash: mayHash)
                let result = try body(PostgresEventLookup(connection: connection), appender)
                if dryRun { throw DryRunRolledBack(result: result) }
                return (result, appender.lastPosition != nil)
            }
        } catch let rolledBack as DryRunRolledBack<Result> {
            return rolledBack.result
        } catch let caught where Self.serverError(caught) != nil {
            // No retry: the parts were produced once.
            guard let error = Self.serverError(caught) else { throw caught }
            throw Self.isLostRace(error) ? Self.lostRaceConflict : caught
        }
        if appended { await notifyListeners() }
        return result
    }

    /// Rows between two reports of an append's progress.
    static let writtenInterval = 500

    /// The body of the append transaction. Its first write is the insert, after the stream versions
    /// were read, so its transaction id is above those of the versions it follows.
    static func appendBatch(
        _ events: [ProposedEvent], epoch knownEpoch: Int32? = nil, after earlierPart: Int64 = 0, mayHash: Bool = false,
        on connection: isolated Connection, written: ((_ done: Int, _ total: Int) -> Void)? = nil
    ) throws -> [AppendOutcome] {
        let epoch =
            try knownEpoch ?? connection.query("SELECT consult_log_epoch()")[0].decode(Int32.self, column: 0)

        // 1. Ids stored already: same content is a no-op, other content is refused.
        //    An id an earlier part of the same batch wrote (this transaction's) is "in the batch".
        var stored: [UUID: (position: Int64, streamID: String)] = [:]
        var earlierInBatch = Set<UUID>()
        let storedRows = try connection.query(
            """
            SELECT event_id, position, stream_id, tx_id = pg_current_xact_id() FROM events
            WHERE event_id = ANY(\(events.map(\.id))::uuid[])
            """)
        for row in storedRows {
            let id = try row.decode(UUID.self, column: 0)
            stored[id] = (try row.decode(column: 1), try row.decode(column: 2))
            if try row.decode(Bool.self, column: 3) { earlierInBatch.insert(id) }
        }
        if !stored.isEmpty {
            try checkSameContent(events, stored: stored, earlierInBatch: earlierInBatch, on: connection)
        }

        // 2. Which stream each event goes to; corrections follow their target.
        var streamOfEvent: [UUID: String] = stored.mapValues(\.streamID)
        let targets = events.compactMap { event -> UUID? in
            if case .streamOfEvent(let target) = event.stream { target } else { nil }
        }
        if !targets.isEmpty {
            let rows = try connection.query(
                "SELECT event_id, stream_id FROM events WHERE event_id = ANY(\(targets)::uuid[])")
            for row in rows {
                streamOfEvent[try row.decode(UUID.self, column: 0)] = try row.decode(String.self, column: 1)
            }
        }
        var firstIndexOfID: [UUID: Int] = [:]
        var plan: [(index: Int, streamID: String)] = []
        var outcomes: [AppendOutcome?] = Array(repeating: nil, count: events.count)
        var duplicatesInBatch: [(index: Int, of: Int)] = []
        for (index, event) in events.enumerated() {
            if let existing = stored[event.id] {
                outcomes[index] = .duplicate(position: existing.position, streamID: existing.streamID)
                continue
            }
            if let first = firstIndexOfID[event.id] {
                let original = events[first]
                guard original.type == event.type, original.data == event.data, original.metadata == event.metadata
                else {
                    throw EventStoreError(
                        kind: .eventIDReused, index: index,
                        message: "Event id \(event.id.postgresText) appears twice in the batch with different content.")
                }
                duplicatesInBatch.append((index, first))
                continue
            }
            firstIndexOfID[event.id] = index
            let streamID: String
            switch event.stream {
            case .stream(let name):
                streamID = name
            case .streamOfEvent(let target):
                guard let targetStream = streamOfEvent[target] else {
                    throw EventStoreError(
                        kind: .unknownTargetEvent, index: index,
                        message: "No event with id \(target.postgresText) is stored or earlier in the batch.")
                }
                streamID = targetStream
            }
            streamOfEvent[event.id] = streamID
            plan.append((index, streamID))
        }
        guard !plan.isEmpty else { return outcomes.compactMap { $0 } }

        // 3. Stream versions, checked against the writer's expectations, and, when this writer
        //    computes hashes, the hash of each stream's last event, which the next one chains from.
        let hashedAt =
            mayHash && plan.contains { events[$0.index].isJSONBText } ? try recordingMicros(on: connection) : nil
        let headColumn = hashedAt == nil ? "NULL::text" : "encode(h.hash, 'hex')"
        let headHashColumn = hashedAt == nil ? "" : ", hash"
        let streams = Array(Set(plan.map(\.streamID)))
        var version: [String: Int] = [:]
        var headHash: [String: [UInt8]] = [:]
        let versionRows = try connection.query(
            """
            SELECT s.id, COALESCE(h.stream_version, 0), \(unescaped: headColumn)
            FROM unnest(\(streams)::text[]) AS s(id)
            LEFT JOIN LATERAL (
                SELECT stream_version \(unescaped: headHashColumn) FROM events e WHERE e.stream_id = s.id
                ORDER BY stream_version DESC LIMIT 1
            ) h ON true
            """)
        for row in versionRows {
            let stream = try row.decode(String.self, column: 0)
            version[stream] = try row.decode(Int.self, column: 1)
            headHash[stream] = try row.decode(String?.self, column: 2).flatMap(HashChains.hexBytes)
        }
        var assigned: [(index: Int, streamID: String, version: Int)] = []
        for step in plan {
            let event = events[step.index]
            let current = version[step.streamID] ?? 0
            if let expected = event.expectedVersion, expected != current {
                throw EventStoreError(
                    kind: .concurrencyConflict, index: step.index,
                    message: "Stream \(step.streamID) is at version \(current), not the expected \(expected); "
                        + "nothing was written.",
                    stale: .init(streamID: step.streamID, current: current, expected: expected))
            }
            version[step.streamID] = current + 1
            assigned.append((step.index, step.streamID, current + 1))
        }

        // 4. The hashes this writer can compute (`ProposedEvent.isJSONBText`), chained in batch
        //    order; the database checks them all at the end of the statement (migration 0010) and
        //    computes the others row by row.
        let hashes = hashedAt.map { micros in
            chainedHashes(
                assigned.map { (events[$0.index], $0.streamID, $0.version) }, heads: headHash, at: micros)
        }

        // 5. One COPY for the whole batch, streamed while it is written, rows in batch order so
        //    positions follow it. Positions are then read back by this transaction's id, in order
        //    (those after an earlier part's, when the batch is written in parts).
        let columns = hashes == nil ? Self.copiedColumns : Self.copiedColumns + ", hash"
        try connection.copyIn("COPY events (\(columns)) FROM STDIN") { writer in
            for (sent, step) in assigned.enumerated() {
                if let written, sent % Self.writtenInterval == 0, sent > 0 { written(sent, assigned.count) }
                let event = events[step.index]
                Self.writeCopiedFields(
                    epoch: epoch, stream: step.streamID, version: step.version, type: event.type,
                    schemaVersion: event.schemaVersion, id: event.id, data: event.data, metadata: event.metadata,
                    into: &writer)
                if let hashes {
                    writer.endField()
                    if let hash = hashes[sent] {
                        writer.appendText("\\x" + HashChains.hex(hash))
                    } else {
                        writer.appendNull()
                    }
                }
                try writer.endRow()
            }
        }
        written?(assigned.count, assigned.count)
        let positions = try connection.query(
            """
            SELECT position FROM events
            WHERE epoch = \(epoch) AND tx_id = pg_current_xact_id() AND position > \(earlierPart)
            ORDER BY position
            """)
        guard positions.count == assigned.count else {
            throw PostgresError(
                kind: .client,
                message:
                    "The append stored \(positions.count) events where \(assigned.count) were sent; nothing was written."
            )
        }
        for (step, row) in zip(assigned, positions) {
            outcomes[step.index] = .appended(
                position: try row.decode(Int64.self, column: 0), streamID: step.streamID, version: step.version)
        }
        for duplicate in duplicatesInBatch {
            if case .appended(let position, let streamID, _) = outcomes[duplicate.of] {
                outcomes[duplicate.index] = .duplicate(position: position, streamID: streamID)
            }
        }
        return outcomes.compactMap { $0 }
    }

    /// The recording time this transaction's rows get by default (`now()`), in microseconds as the
    /// chains print it.
    static func recordingMicros(on connection: isolated Connection) throws -> String {
        try connection.query("SELECT ((extract(epoch FROM now()) * 1000000)::bigint)::text")[0].decode(column: 0)
    }

    /// The hash of each event of `rows` (in batch order) that this writer can compute: its data
    /// and metadata as jsonb prints them, and the event before it in its stream stored (`heads`),
    /// or hashed here; nil for the others, which the row trigger computes. `micros` is the
    /// recording time the rows get by default.
    static func chainedHashes(
        _ rows: [(event: ProposedEvent, streamID: String, version: Int)], heads: [String: [UInt8]], at micros: String
    ) -> [[UInt8]?] {
        var last: [String: [UInt8]?] = [:]
        return rows.map { row in
            let previous: [UInt8]? =
                row.version == 1 ? HashChains.origin : (last[row.streamID] ?? heads[row.streamID])
            var hash: [UInt8]?
            if row.event.isJSONBText, let previous {
                hash = HashChains.hash(
                    previous: previous,
                    texts: [
                        row.event.id.postgresText, row.streamID, String(row.version), row.event.type,
                        String(row.event.schemaVersion), micros, row.event.data, row.event.metadata,
                    ])
            }
            last[row.streamID] = .some(hash)
            return hash
        }
    }

    /// Refuses the batch if an id stored already comes with other type, data or metadata.
    /// jsonb equality, so key order and spacing do not count as different content. An event stored
    /// in an earlier schema version has the same content when it equals the proposed event's
    /// earlier form (input written in that version).
    private static func checkSameContent(
        _ events: [ProposedEvent], stored: [UUID: (position: Int64, streamID: String)], earlierInBatch: Set<UUID>,
        on connection: isolated Connection
    ) throws {
        let duplicates = events.indices.filter { stored[events[$0].id] != nil }
        var differingIndex: Int?
        for chunk in chunked(duplicates, size: { events[$0].data.utf8.count + events[$0].metadata.utf8.count }) {
            let differing = try connection.query(
                """
                SELECT r.i FROM unnest(
                    \(Array(chunk))::int[], \(chunk.map { events[$0].id })::uuid[], \(chunk.map { events[$0].type })::text[],
                    \(chunk.map { events[$0].data })::jsonb[], \(chunk.map { events[$0].metadata })::jsonb[],
                    \(chunk.map { events[$0].earlierForm?.schemaVersion ?? events[$0].schemaVersion })::int[],
                    \(chunk.map { events[$0].earlierForm?.data ?? events[$0].data })::jsonb[]
                ) AS r(i, id, t, d, m, fv, fd)
                JOIN events e ON e.event_id = r.id
                WHERE e.type <> r.t OR e.metadata <> r.m
                   OR NOT (e.data = r.d OR (e.schema_version = r.fv AND e.data = r.fd))
                ORDER BY r.i LIMIT 1
                """)
            if let row = differing.first {
                differingIndex = try row.decode(Int.self, column: 0)
                break
            }
        }
        if let index = differingIndex {
            let id = events[index].id
            throw EventStoreError(
                kind: .eventIDReused, index: index,
                message: earlierInBatch.contains(id)
                    ? "Event id \(id.postgresText) appears twice in the batch with different content."
                    : "Event id \(id.postgresText) is stored already with different content.")
        }
    }
}

/// Rows per statement, and bytes of event data per statement, when a batch is sent in parts.
let appendChunkRows = 10_000
let appendChunkBytes = 32 << 20

/// `items` in consecutive parts of at most `appendChunkRows` items and about `appendChunkBytes`.
func chunked<Item>(_ items: [Item], size: (Item) -> Int) -> [ArraySlice<Item>] {
    var chunks: [ArraySlice<Item>] = []
    var start = 0
    var bytes = 0
    for (index, item) in items.enumerated() {
        if index > start && (index - start >= appendChunkRows || bytes + size(item) > appendChunkBytes) {
            chunks.append(items[start..<index])
            start = index
            bytes = 0
        }
        bytes += size(item)
    }
    if start < items.count { chunks.append(items[start...]) }
    return chunks
}

extension PostgresEventStore {
    /// The server's error an append failed with, in its body or at its COMMIT.
    static func serverError(_ error: any Error) -> PostgresError? {
        if let error = error as? PostgresError { return error }
        if let error = error as? PostgresTransactionError, error.rollbackError == nil, !error.isCommitOutcomeUnknown {
            return error.commitError
        }
        return nil
    }

    /// A writer without expectations lost a race for a stream version (or a deadlock or
    /// serialization failure ended its transaction).
    static func isLostRace(_ error: PostgresError) -> Bool {
        (error.isUniqueViolation && error.constraint == "events_stream_version_key")
            || error.sqlState == "40P01" || error.sqlState == "40001"
    }

    /// What a lost race that is not retried means for the writer.
    static let lostRaceConflict = EventStoreError(
        kind: .concurrencyConflict,
        message: "Another writer appended to the same stream at the same moment; nothing was written.")

    /// Tells listeners that events were committed; a failure is logged, the events are stored.
    func notifyListeners() async {
        do {
            try await connection.notify(channel: Self.notificationChannel)
        } catch {
            logger.warning("could not notify listeners", metadata: ["error": "\(error)"])
        }
    }

    /// The columns every COPY into `events` fills, in order (a restore adds `recorded_at` and `hash`).
    static let copiedColumns = "epoch, stream_id, stream_version, type, schema_version, event_id, data, metadata"

    /// One row's fields for `copiedColumns`, without ending the row.
    static func writeCopiedFields(
        epoch: Int32, stream: String, version: Int, type: String, schemaVersion: Int, id: UUID, data: String,
        metadata: String, into writer: inout CopyInWriter
    ) {
        writer.appendPlain(epoch)
        writer.endField()
        writer.appendText(stream)
        writer.endField()
        writer.appendPlain(version)
        writer.endField()
        writer.appendText(type)
        writer.endField()
        writer.appendPlain(schemaVersion)
        writer.endField()
        writer.appendPlain(id)
        writer.endField()
        writer.appendText(data)
        writer.endField()
        writer.appendText(metadata)
    }
}

/// Writes the parts of one batch on the transaction's connection; remembers the last position
/// written, so that each part reads back only its own.
private final class PostgresPartAppender: PartAppender, @unchecked Sendable {
    let connection: Connection
    let epoch: Int32
    let mayHash: Bool
    private(set) var lastPosition: Int64?

    init(connection: Connection, epoch: Int32, mayHash: Bool) {
        self.connection = connection
        self.epoch = epoch
        self.mayHash = mayHash
    }

    func append(_ events: [ProposedEvent]) throws -> [AppendOutcome] {
        guard !events.isEmpty else { return [] }
        let outcomes = try connection.assumeIsolated { connection in
            try PostgresEventStore.appendBatch(
                events, epoch: epoch, after: lastPosition ?? 0, mayHash: mayHash, on: connection)
        }
        for case .appended(let position, _, _) in outcomes { lastPosition = max(lastPosition ?? 0, position) }
        return outcomes
    }
}

/// Ends a dry run's transaction with a rollback, carrying what it came to (the outcomes that would
/// have been written, or what `appendInParts`' body returned).
private struct DryRunRolledBack<Result: Sendable>: Error {
    var result: Result
}
