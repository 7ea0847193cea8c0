import ArgumentParser

/// How read commands print.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case table, json, csv
}

struct OutputOptions: ParsableArguments {
    @Option(help: "Output format: table, json or csv (RFC 4180, CRLF line ends; add --bom for Excel).")
    var format: OutputFormat = .table
    @Flag(help: "With --format csv: start with a UTF-8 byte-order mark, so that Excel reads Korean text right.")
    var bom = false

    func validate() throws {
        if bom, format != .csv {
            throw ValidationError(
                "--bom goes with --format csv only: it marks a CSV file as UTF-8 for Excel (--format is \(format)).")
        }
    }

    /// What the output starts with: the byte-order mark U+FEFF (EF BB BF in UTF-8) with `--bom`,
    /// without which Excel reads a CSV file in the system's legacy code page and garbles Korean.
    var preamble: String { bom ? "\u{FEFF}" : "" }
}
