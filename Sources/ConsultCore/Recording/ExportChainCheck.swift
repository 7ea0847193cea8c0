import ConsultDomain
import EventStore
import Foundation

/// The hash chains of an export (`consult export` output), recomputed before it is logged: a line
/// changed, removed or moved after the export was written refuses the whole file.
///
/// Each line's `recorded` holds the exporting store's stream, version, schema version, recording
/// time and hash; the store recomputes the chains (`EventLog.checkExportedChains`).
///
/// An export that starts mid-stream (`export --since`) chains each such stream from the event
/// before it (`recorded.follows`). That event is not in the file, so the store it is logged into
/// must hold it already: logged into a copy that has the earlier part (restored, or logged from an
/// earlier export: event ids are kept), the file continues it; logged into a store without it, the
/// file would be a fragment that neither chains nor passes the rules, and is refused as such.
enum ExportChainCheck {
    /// Throws a `ConsultFailure` (invalid input) naming the first line that does not match.
    ///
    /// When the file has closing lines (an export written by this version: stream heads and the
    /// end line), they are checked too, after the chains: every stream with lines has one head,
    /// equal to its last line; heads come sorted after the events; the end line comes last, with
    /// the file's counts and digest. A file without them (written before) is taken as before.
    static func check(_ parsed: EventFileParser.Parsed, sourceName: String, store: any EventLog) async throws {
        if let first = parsed.closingLines.first, !parsed.isExport {
            throw ConsultFailure(
                .invalidInput,
                "Line \(first.line) of \(sourceName) closes an export (a stream head or the end line), but the file's "
                    + "events carry no \"recorded\" placement: it is not an export; nothing was written.")
        }
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
                    recordedAtMicroseconds: recorded.recordedAt.microseconds, hash: recorded.hash,
                    previousHash: recorded.follows?.hash))
        }
        // The chains cover the events as the exporting store kept them: in the schema version each
        // line says (its data as written), not as upcast for logging.
        let asExported = zip(parsed.events, placements).map { event, placement in
            event.form(placement.schemaVersion) ?? event
        }
        do {
            try await store.checkExportedChains(asExported, placements: placements)
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
        if !parsed.closingLines.isEmpty {
            try checkClosingLines(parsed, placements: placements, sourceName: sourceName)
        }
    }

    /// The heads and end line of an export, against its event lines, in file order.
    static func checkClosingLines(
        _ parsed: EventFileParser.Parsed, placements: [ExportedPlacement], sourceName: String
    ) throws {
        var checker = ExportSeal.Checker()
        var event = 0
        var line = 0
        do {
            for closing in parsed.closingLines {
                while event < parsed.lines.count, parsed.lines[event] < closing.line {
                    line = parsed.lines[event]
                    let placement = placements[event]
                    try checker.event(
                        stream: placement.stream, version: placement.version, hash: placement.hash,
                        follows: placement.previousHash)
                    event += 1
                }
                line = closing.line
                try checker.check(closing.value)
            }
            if event < parsed.lines.count {
                line = parsed.lines[event]
                throw ExportSeal.Problem.eventAfterTrailer
            }
            line = (parsed.lines.last.map { max($0, line) } ?? line)
            try checker.finish()
        } catch let problem as ExportSeal.Problem {
            throw ExportSealFailure.failure(problem, line: line, sourceName: sourceName, sawClosingLines: true)
        }
    }

    /// Inside the append: every event a stream's first line says it follows must be stored
    /// already (or come earlier in the file). Throws a `ConsultFailure` (invalid input) naming the
    /// first line that continues an event this store does not hold.
    static func checkPredecessors(_ parsed: EventFileParser.Parsed, sourceName: String, lookup: any EventLookup)
        throws
    {
        var firstOfStream: [String: Int] = [:]
        for (index, recorded) in parsed.recorded.enumerated() {
            guard let recorded, firstOfStream[recorded.stream] == nil else { continue }
            firstOfStream[recorded.stream] = index
        }
        let continuing = firstOfStream.values.sorted().compactMap { index -> (Int, UUID)? in
            parsed.recorded[index]?.follows.map { (index, $0.id) }
        }
        guard !continuing.isEmpty else { return }
        let stored = try lookup.storedIDs(continuing.map(\.1))
        let inFile = Set(parsed.events.map(\.id))
        guard let (index, id) = continuing.first(where: { !stored.contains($0.1) && !inFile.contains($0.1) }),
            let recorded = parsed.recorded[index]
        else { return }
        let missing = continuing.filter { !stored.contains($0.1) && !inFile.contains($0.1) }.count
        throw ConsultFailure(
            .invalidInput,
            "Line \(parsed.lines[index]) of \(sourceName) continues stream \(recorded.stream) after event "
                + "\(id.uuidString.lowercased()) (its version \(recorded.version - 1)), which this store does not hold: "
                + "log the export it follows first, or a whole export (consult export without --since); "
                + "nothing was written.",
            details: missing > 1 ? ["\(missing) streams of the file continue events this store does not hold."] : [])
    }
}
