import Foundation
import Postgres

/// The log's hash chains (migration 0007), recomputed outside the database.
///
/// Each event's hash is SHA-256 over the hash of the previous event of its stream (32 zero bytes
/// for the first) followed by the event's encoding: `consult-event-1\n`, then for each of event
/// id, stream id, stream version, type, schema version, recorded_at in microseconds, data and
/// metadata, `<length in UTF-8 bytes>:<text>`, the texts as PostgreSQL prints them.
public enum HashChains {
    /// What a check of the chains found.
    public struct Report: Sendable {
        public var eventsChecked = 0
        public var streamsChecked = 0
        /// The first problems, in the order found (stream by stream), one sentence each.
        public var problems: [String] = []
        /// All problems found, `problems` holding the first of them.
        public var problemCount = 0
    }

    /// The hash of a stream's first event's predecessor.
    public static let origin = [UInt8](repeating: 0, count: 32)

    /// The hash that follows `previous` for an event whose eight fields print as `fields`.
    public static func hash(previous: some Sequence<UInt8>, fields: [UnsafeBufferPointer<UInt8>]) -> [UInt8] {
        var hasher = start(previous)
        for field in fields { add(UnsafeRawBufferPointer(field), to: &hasher) }
        return hasher.finalize()
    }

    /// The same, for fields given as strings (their UTF-8 bytes).
    public static func hash(previous: some Sequence<UInt8>, texts: [String]) -> [UInt8] {
        var hasher = start(previous)
        for text in texts { Array(text.utf8).withUnsafeBytes { add($0, to: &hasher) } }
        return hasher.finalize()
    }

    private static func start(_ previous: some Sequence<UInt8>) -> SHA256 {
        var hasher = SHA256()
        hasher.update(previous)
        hasher.update(Array("consult-event-1\n".utf8))
        return hasher
    }

    private static func add(_ field: UnsafeRawBufferPointer, to hasher: inout SHA256) {
        hasher.update(Array("\(field.count):".utf8))
        hasher.update(field)
    }

    /// The columns `hash(previous:fields:)` takes, in order, then position and the stored hash.
    static let columns = """
        event_id::text AS id_text, stream_id, stream_version::text AS version_text, type,
        schema_version::text AS schema_text, ((extract(epoch FROM recorded_at) * 1000000)::bigint)::text AS micros_text,
        data::text AS data_text, metadata::text AS metadata_text, position, encode(hash, 'hex') AS hash_hex,
        stream_version
        """

    /// Recomputes every stream's chain, and compares each stream's last event with its recorded head.
    ///
    /// Streams are read in pages in (stream, version) order, so memory holds one page and the heads.
    /// Each event is checked against the stored hash of the event before it, so one edited event
    /// is named alone and does not make the rest of its stream look wrong.
    ///
    /// The heads and every page are read in one REPEATABLE READ transaction, so events appended
    /// meanwhile (and the heads they move) are not half seen.
    /// `progress` gets the running count of events checked after each page.
    public static func verify(
        on connection: Connection, pageSize: Int = 5000, maximumProblems: Int = 20,
        progress: @escaping @Sendable (Int) -> Void = { _ in }
    ) async throws -> Report {
        try await connection.withTransaction(.repeatableRead) { connection in
            try verify(on: connection, pageSize: pageSize, maximumProblems: maximumProblems, progress: progress)
        }
    }

    static func verify(
        on connection: isolated Connection, pageSize: Int, maximumProblems: Int, progress: (Int) -> Void
    ) throws -> Report {
        var report = Report()
        func problem(_ sentence: String) {
            report.problemCount += 1
            if report.problems.count < maximumProblems { report.problems.append(sentence) }
        }
        var heads: [String: (version: Int, hash: String)] = [:]
        for row in try connection.query("SELECT stream_id, version, encode(hash, 'hex') FROM event_stream_heads") {
            heads[try row.decode(column: 0)] = (try row.decode(column: 1), try row.decode(column: 2))
        }

        var stream: String?
        var lastVersion = 0
        var lastHash = ""
        var previous = origin
        func endStream() {
            guard let stream else { return }
            report.streamsChecked += 1
            guard let head = heads.removeValue(forKey: stream) else {
                problem(
                    "Stream \(stream) has no recorded head: the heads table was edited, "
                        + "or its events were inserted with the log's triggers disabled.")
                return
            }
            if head.version > lastVersion {
                problem(
                    "Stream \(stream) ends at version \(lastVersion), but its version \(head.version) was recorded: "
                        + "its last \(head.version - lastVersion == 1 ? "event was" : "events were") deleted.")
            } else if head.version < lastVersion {
                problem(
                    "Stream \(stream) has version \(lastVersion), but its recorded head is version \(head.version): "
                        + "events were added with the log's triggers disabled.")
            } else if head.hash != lastHash {
                problem("The last event of stream \(stream) (version \(lastVersion)) is not the one that was recorded.")
            }
        }

        var after: (stream: String, version: Int)?
        while true {
            let rows: PostgresRows
            if let after {
                rows = try connection.query(
                    """
                    SELECT \(unescaped: columns) FROM events
                    WHERE (stream_id, stream_version) > (\(after.stream), \(after.version))
                    ORDER BY stream_id, stream_version LIMIT \(pageSize)
                    """)
            } else {
                rows = try connection.query(
                    "SELECT \(unescaped: columns) FROM events ORDER BY stream_id, stream_version LIMIT \(pageSize)")
            }
            for row in rows {
                let streamID: String = try row.decode(column: 1)
                let version: Int = try row.decode(column: 10)
                let position: Int64 = try row.decode(column: 8)
                let stored: String = try row.decode(column: 9)
                let eventID: String = try row.decode(column: 0)
                if streamID != stream {
                    endStream()
                    stream = streamID
                    lastVersion = 0
                    previous = origin
                }
                if version != lastVersion + 1 {
                    problem(
                        lastVersion == 0
                            ? "Stream \(streamID) begins at version \(version): the events before it were deleted."
                            : "Stream \(streamID) goes from version \(lastVersion) to \(version): "
                                + "the events between were deleted, or versions were changed.")
                    // The chain is broken here; what follows is checked against the stored hash.
                    previous = hexBytes(stored) ?? origin
                } else {
                    // The texts stay in the page's result, which outlives this loop body.
                    let fields = (0..<8).map {
                        row.withBytes(column: $0) { $0 } ?? UnsafeBufferPointer(start: nil, count: 0)
                    }
                    if hex(hash(previous: previous, fields: fields)) != stored {
                        problem(
                            "Event \(eventID) (position \(position), stream \(streamID), version \(version)) "
                                + "does not match its hash: it, or the event before it in its stream, was "
                                + "changed after it was written (content, recording time or place).")
                    }
                    previous = hexBytes(stored) ?? origin
                }
                lastVersion = version
                lastHash = stored
                report.eventsChecked += 1
                after = (streamID, version)
            }
            progress(report.eventsChecked)
            if rows.count < pageSize { break }
        }
        endStream()
        for (streamID, head) in heads.sorted(by: { $0.key < $1.key }) {
            problem(
                "Stream \(streamID) was recorded up to version \(head.version), but none of its events is left: "
                    + "they were deleted.")
        }
        return report
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func hexBytes(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        func value(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            default: nil
            }
        }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: utf8.count, by: 2) {
            guard let high = value(utf8[index]), let low = value(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }
}
