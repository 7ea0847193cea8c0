import ConsultDomain
import EventStore

extension ExportSeal.Checker {
    /// A closing line of an export (a stream head or the end line), in file order.
    mutating func check(_ line: ExportClosingLine) throws(ExportSeal.Problem) {
        switch line {
        case .head(let stream, let version, let hash):
            try head(ExportSeal.Head(stream: stream, version: version, hash: hash))
        case .end(let events, let streams, let digest, let partial):
            try end(ExportSeal.End(events: events, streams: streams, digest: digest, partial: partial))
        }
    }
}

/// What a problem with an export's closing lines means for the person whose file it is: one
/// sentence naming the line (exit 65, nothing written).
enum ExportSealFailure {
    /// `line` is where the problem was found; `sawClosingLines` whether the file had any head or
    /// end line before it stopped.
    static func failure(_ problem: ExportSeal.Problem, line: Int, sourceName: String, sawClosingLines: Bool)
        -> ConsultFailure
    {
        let changed = ["The export was changed after `consult export` wrote it."]
        let what: String
        switch problem {
        case .eventAfterTrailer:
            what = "is an event after the export's closing lines (stream heads and end line): lines were moved or added"
        case .lineAfterEnd:
            what = "comes after the export's end line, which is its last: lines were added"
        case .versionOutOfOrder(let stream, let found, let expected):
            what =
                "is version \(found) of stream \(stream), where version \(expected) comes next: lines were removed or "
                + "moved"
        case .headWithoutLines(let stream):
            what =
                "is a head of stream \(stream), which has no lines before it or has a head already: lines were removed "
                + "or moved"
        case .headOutOfOrder(let stream):
            what = "is the head of stream \(stream) out of order (heads come sorted by stream id): lines were moved"
        case .headMismatch(let stream, let headVersion, let lastVersion) where headVersion > lastVersion:
            what =
                "says stream \(stream) ends at version \(headVersion), but its lines end at version \(lastVersion): "
                + "the stream's last \(headVersion - lastVersion == 1 ? "line was" : "lines were") removed"
        case .headMismatch(let stream, _, let lastVersion):
            what =
                "is the head of stream \(stream), and it does not match the stream's last line (version "
                + "\(lastVersion)): the head or that line was changed"
        case .missingHeads(let stream, let missing):
            what =
                "ends the export, but stream \(stream)\(missing > 1 ? " and \(missing - 1) more have" : " has") no head "
                + "line: lines were removed"
        case .countMismatch(let counted, let said, let found):
            what = "(the end line) counts \(said) \(counted), but the file has \(found): lines were removed or added"
        case .digestMismatch:
            what =
                "(the end line) does not match the file's event lines (their digest differs): lines were moved, such "
                + "as two lines of different streams swapped, or the end line was changed"
        case .noEnd where sawClosingLines:
            return ConsultFailure(
                .invalidInput,
                "\(sourceName) ends at line \(line) without the export's end line: the file was cut; nothing was "
                    + "written.", details: changed)
        case .noEnd:
            return ConsultFailure(
                .invalidInput,
                "\(sourceName) is not a complete export written by this version of consult: it has no stream heads "
                    + "and no end line; nothing was written.",
                details: [
                    "An export written by an older version, or a file cut short, cannot show that nothing is missing. "
                        + "consult log --file takes an older export (with new recording times)."
                ])
        }
        return ConsultFailure(
            .invalidInput, "Line \(line) of \(sourceName) \(what); nothing was written.", details: changed)
    }
}
