import ConsultDomain
import EventStore

/// The hash chains of an export (`consult export` output), recomputed before it is logged: a line
/// changed, removed or moved after the export was written refuses the whole file.
///
/// Each line's `recorded` holds the exporting store's stream, version, schema version, recording
/// time and hash; the store recomputes the chains (`EventLog.checkExportedChains`).
enum ExportChainCheck {
    /// Throws a `ConsultFailure` (invalid input) naming the first line that does not match.
    static func check(_ parsed: EventFileParser.Parsed, sourceName: String, store: any EventLog) async throws {
        var placements: [ExportedPlacement] = []
        placements.reserveCapacity(parsed.recorded.count)
        for (index, recorded) in parsed.recorded.enumerated() {
            guard let recorded else {
                throw ConsultFailure(
                    .invalidInput,
                    "\(sourceName) is an export, but line \(parsed.lines[index]) has no \"recorded\" hash; "
                        + "nothing was written.",
                    details: ["An export is logged whole, as `consult export` wrote it."])
            }
            placements.append(
                ExportedPlacement(
                    stream: recorded.stream, version: recorded.version, schemaVersion: recorded.schemaVersion,
                    recordedAtMicroseconds: recorded.recordedAt.microseconds, hash: recorded.hash))
        }
        do {
            try await store.checkExportedChains(parsed.events, placements: placements)
        } catch let mismatch as ExportChainMismatch where parsed.events.indices.contains(mismatch.index) {
            let what: String
            switch mismatch.reason {
            case .versionOutOfOrder(let stream, let found, let expected):
                what =
                    "is version \(found) of stream \(stream), where version \(expected) comes next: lines were "
                    + "removed or moved"
            case .missingPlacement:
                what = "has no \"recorded\" placement"
            case .hashMismatch(let stream):
                what =
                    "(event \(parsed.events[mismatch.index].id.uuidString.lowercased())) does not match its hash: "
                    + "it, or the line before it in stream \(stream), was changed"
            }
            throw ConsultFailure(
                .invalidInput, "Line \(parsed.lines[mismatch.index]) of \(sourceName) \(what); nothing was written.",
                details: ["The export was changed after `consult export` wrote it."])
        }
    }
}
