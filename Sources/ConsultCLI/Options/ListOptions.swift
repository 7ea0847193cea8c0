import ArgumentParser

/// How a list read command prints its rows: `--limit N` keeps the first N, in the command's usual
/// order, in every format.
///
/// Only a table says what it left out, on stderr: JSON and CSV are read by programs, so their
/// stdout holds the rows and nothing else, and a note on stderr would only be noise there.
struct ListOptions: ParsableArguments {
    @Option(
        name: .customLong("limit"), parsing: .unconditional,
        help: ArgumentHelp("Only the first N rows, in the usual order (any format).", valueName: "N"))
    var limitText: String?

    func validate() throws {
        guard let limitText else { return }
        guard let value = Int(limitText) else {
            throw ValidationError("--limit takes a number of rows, 1 or more; \"\(limitText)\" is not a number.")
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

    /// Prints the first rows of `list`, rendered by `render`; see `show(_:format:shown:of:noun:)`.
    func show(_ list: RecordList, format: OutputFormat, noun: String, render: (RecordList) -> String) {
        let first = list.prefix(limit)
        show(render(first), format: format, shown: first.rows.count, of: list.rows.count, noun: noun)
    }

    /// Prints `text` (the rendered rows); when a table shows `shown` of `total` rows, says so on
    /// stderr, naming the rows with `noun` ("commitments").
    func show(_ text: String, format: OutputFormat, shown: Int, of total: Int, noun: String) {
        Output.write(text)
        if format == .table, shown < total {
            Output.error("Showing \(shown) of \(total) \(noun); --limit raises or removes the cut.")
        }
    }
}
