import ConsultDomain
import EventStore
import Postgres

/// The hash chains of an export (`consult export` output), recomputed before it is logged: a line
/// changed, removed or moved after the export was written refuses the whole file.
///
/// Each line's `recorded` holds the exporting store's stream, version, schema version, recording
/// time and hash; the hash is recomputed as migration 0007 defines it, over data and metadata as
/// PostgreSQL prints them (the server prints them here too, so both sides hash the same text).
enum ExportChainCheck {
    /// Throws a `CommandFailure` (exit 65) naming the first line that does not match.
    static func check(_ parsed: EventFileParser.Parsed, sourceName: String, connection: Connection) async throws {
        if let missing = parsed.recorded.firstIndex(where: { $0 == nil }) {
            throw CommandFailure(
                exitCode: ExitStatus.invalidInput,
                "\(sourceName) is an export, but line \(parsed.lines[missing]) has no \"recorded\" hash; "
                    + "nothing was written.",
                details: ["An export is logged whole, as `consult export` wrote it."])
        }
        var previous: [String: (version: Int, hash: [UInt8])] = [:]
        for start in stride(from: 0, to: parsed.events.count, by: 2000) {
            let range = start..<min(start + 2000, parsed.events.count)
            let canonical = try await connection.query(
                """
                SELECT d::jsonb::text, m::jsonb::text
                FROM unnest(\(range.map { parsed.events[$0].data })::text[], \(range.map { parsed.events[$0].metadata })::text[])
                    WITH ORDINALITY AS x(d, m, n)
                ORDER BY n
                """)
            for (index, row) in zip(range, canonical) {
                let event = parsed.events[index]
                guard let recorded = parsed.recorded[index] else { continue }
                func refuse(_ what: String) -> CommandFailure {
                    CommandFailure(
                        exitCode: ExitStatus.invalidInput,
                        "Line \(parsed.lines[index]) of \(sourceName) \(what); nothing was written.",
                        details: ["The export was changed after `consult export` wrote it."])
                }
                let before = previous[recorded.stream]
                let expected = (before?.version ?? 0) + 1
                guard recorded.version == expected else {
                    throw refuse(
                        "is version \(recorded.version) of stream \(recorded.stream), where version \(expected) "
                            + "comes next: lines were removed or moved")
                }
                let texts = [
                    event.id.postgresText, recorded.stream, String(recorded.version), event.type,
                    String(recorded.schemaVersion), String(recorded.recordedAt.microseconds),
                    try row.decode(String.self, column: 0), try row.decode(String.self, column: 1),
                ]
                guard HashChains.hash(previous: before?.hash ?? HashChains.origin, texts: texts) == recorded.hash else {
                    throw refuse(
                        "(event \(event.id.postgresText)) does not match its hash: it, or the line before it "
                            + "in stream \(recorded.stream), was changed")
                }
                previous[recorded.stream] = (recorded.version, recorded.hash)
            }
        }
    }
}
