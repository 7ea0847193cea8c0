import ArgumentParser
import ConsultCore

/// How a list read command prints its rows: `--limit N` keeps the first N, in the command's usual
/// order, in every format; a table taller than the terminal goes through a pager.
///
/// Only a table says what it left out, on stderr: JSON and CSV are read by programs, so their
/// stdout holds the rows and nothing else, and a note on stderr would only be noise there. For
/// the same reason only a table is paged, and only when stdout is a terminal.
struct ListOptions: ParsableArguments {
    @Option(
        name: .customLong("limit"), parsing: .unconditional,
        help: ArgumentHelp("Only the first N rows, in the usual order (any format).", valueName: "N"))
    var limitText: String?
    @Flag(
        name: .customLong("no-pager"),
        help: "Print a table taller than the terminal directly, not through $CONSULT_PAGER, $PAGER or less.")
    var noPager = false

    func validate() throws {
        guard let limitText else { return }
        guard let value = Int(limitText) else {
            throw ValidationError(
                "--limit takes a number of rows, 1 or more; \"\(EventFileParser.printable(limitText))\" is not a number."
            )
        }
        if value < 1 {
            throw ValidationError("--limit takes a number of rows, 1 or more; leave it out to show every row.")
        }
    }

    /// The most rows to print; nil for every row.
    var limit: Int? { limitText.flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil } }

    /// The first rows of `rows`, as many as the limit allows.
    func cut<Row>(_ rows: [Row]) -> [Row] {
        limit.map { Array(rows.prefix($0)) } ?? rows
    }

    /// Prints the first rows of `list`, rendered by `render`; see `show(_:output:shown:of:noun:)`.
    func show(
        _ list: RecordList, output: OutputOptions, noun: String, total: Int? = nil, render: (RecordList) -> String
    ) async {
        let first = list.prefix(limit)
        if output.format == .json {
            // Megabytes at scale, never paged: written as they are serialized.
            first.writeJSON(preamble: output.preamble, to: Output.write(bytes:))
            return
        }
        await show(render(first), output: output, shown: first.rows.count, of: total ?? list.rows.count, noun: noun)
    }

    /// Prints `text` (the rendered rows) after `output`'s preamble, through the pager when it is a
    /// table too tall for the terminal; when a table shows `shown` of `total` rows, says so on
    /// stderr afterwards, naming the rows with `noun` ("commitments").
    func show(_ text: String, output: OutputOptions, shown: Int, of total: Int, noun: String) async {
        let format = output.format
        let notice =
            format == .table && shown < total
            ? "Showing \(shown) of \(total) \(noun); --limit raises or removes the cut." : nil
        // Lines are counted only for a table on a terminal, and over bytes: a JSON answer of
        // megabytes is printed as it is.
        if format == .table, !noPager, Terminal.rows() != nil,
            Self.tallerThanTerminal(text.utf8.count { $0 == UInt8(ascii: "\n") } + (notice == nil ? 0 : 1)),
            let pager = Pager.chosen(), await pager.show(text)
        {
            // The pager showed it.
        } else {
            Output.write(output.preamble + text)
        }
        if let notice { Output.error(notice) }
    }

    /// Whether `lines` lines, with the shell's prompt after them, take more lines than stdout's
    /// terminal has: false when stdout is not a terminal.
    static func tallerThanTerminal(_ lines: Int) -> Bool {
        guard let rows = Terminal.rows() else { return false }
        return lines + 1 > rows
    }
}
