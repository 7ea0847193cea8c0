import Foundation
import Postgres

/// Where and when a store recorded an event, as its export says (each line's `recorded`).
public struct ExportedPlacement: Sendable, Hashable {
    public var stream: String
    public var version: Int
    public var schemaVersion: Int
    public var recordedAtMicroseconds: Int64
    /// 32 bytes.
    public var hash: [UInt8]
    /// The hash of the event before this one in its stream, when the export starts after it
    /// (`export --since`): the chain of a stream the file does not hold from version 1 starts there.
    public var previousHash: [UInt8]?

    public init(
        stream: String, version: Int, schemaVersion: Int, recordedAtMicroseconds: Int64, hash: [UInt8],
        previousHash: [UInt8]? = nil
    ) {
        self.stream = stream
        self.version = version
        self.schemaVersion = schemaVersion
        self.recordedAtMicroseconds = recordedAtMicroseconds
        self.hash = hash
        self.previousHash = previousHash
    }
}

/// Why an export's chains do not hold, at `index` of the batch.
public struct ExportChainMismatch: Error, Sendable, Hashable {
    public enum Reason: Sendable, Hashable {
        /// The line is `found` of its stream where `expected` comes next: lines were removed or moved.
        case versionOutOfOrder(stream: String, found: Int, expected: Int)
        /// The line (or the one before it in its stream) was changed.
        case hashMismatch(stream: String)
        /// The event has no placement to check.
        case missingPlacement
    }

    public var index: Int
    public var reason: Reason
}

extension HashChains {
    /// Recomputes the chains of `events` from their `placements`; `canonical(i)` gives event i's
    /// data and metadata as the store prints them. Throws `ExportChainMismatch` at the first event
    /// whose version does not come next in its stream or whose hash does not follow.
    ///
    /// A stream's chain starts at version 1 from the origin, or, in an export that starts
    /// mid-stream, at the first line's version from the hash it says it follows: removing that
    /// line leaves the next one without a predecessor, which is caught as a version out of order.
    static func checkExport(
        _ events: [ProposedEvent], placements: [ExportedPlacement], range: Range<Int>? = nil,
        previous: inout [String: (version: Int, hash: [UInt8])], canonical: (Int) throws -> (String, String)
    ) throws {
        for index in range ?? events.indices {
            let event = events[index]
            let placement = placements[index]
            let before =
                previous[placement.stream] ?? placement.previousHash.map { (placement.version - 1, $0) }
            let expected = (before?.version ?? 0) + 1
            guard placement.version == expected else {
                throw ExportChainMismatch(
                    index: index,
                    reason: .versionOutOfOrder(stream: placement.stream, found: placement.version, expected: expected))
            }
            let (data, metadata) = try canonical(index)
            let texts = [
                event.id.postgresText, placement.stream, String(placement.version), event.type,
                String(placement.schemaVersion), String(placement.recordedAtMicroseconds), data, metadata,
            ]
            guard hash(previous: before?.hash ?? origin, texts: texts) == placement.hash else {
                throw ExportChainMismatch(index: index, reason: .hashMismatch(stream: placement.stream))
            }
            previous[placement.stream] = (placement.version, placement.hash)
        }
    }

    /// The same, over a whole batch at once.
    static func checkExport(
        _ events: [ProposedEvent], placements: [ExportedPlacement], canonical: (Int) throws -> (String, String)
    ) throws {
        guard events.count == placements.count else {
            throw ExportChainMismatch(index: min(events.count, placements.count), reason: .missingPlacement)
        }
        var previous: [String: (version: Int, hash: [UInt8])] = [:]
        try checkExport(events, placements: placements, previous: &previous, canonical: canonical)
    }
}

extension PostgresEventStore {
    /// Recomputes the hash chains of an export (`consult export` output) before it is logged: a
    /// line changed, removed or moved after the export was written refuses the whole file.
    ///
    /// The hash is recomputed as migration 0007 defines it, over data and metadata as PostgreSQL
    /// prints them: the server prints them here too, so both sides hash the same text.
    public func checkExportedChains(_ events: [ProposedEvent], placements: [ExportedPlacement]) async throws {
        guard events.count == placements.count else {
            throw ExportChainMismatch(index: min(events.count, placements.count), reason: .missingPlacement)
        }
        var previous: [String: (version: Int, hash: [UInt8])] = [:]
        for start in stride(from: 0, to: events.count, by: 2000) {
            let range = start..<min(start + 2000, events.count)
            let rows = try await connection.query(
                """
                SELECT d::jsonb::text, m::jsonb::text
                FROM unnest(\(range.map { events[$0].data })::text[], \(range.map { events[$0].metadata })::text[])
                    WITH ORDINALITY AS x(d, m, n)
                ORDER BY n
                """)
            let canonical = try rows.map {
                (try $0.decode(String.self, column: 0), try $0.decode(String.self, column: 1))
            }
            guard canonical.count == range.count else {
                throw PostgresError(
                    kind: .client, message: "The server printed \(canonical.count) of \(range.count) events.")
            }
            try HashChains.checkExport(
                events, placements: placements, range: range, previous: &previous,
                canonical: { canonical[$0 - start] })
        }
    }
}
