/// A plain-text table whose columns line up by display width, so Korean text aligns.
struct TextTable {
    var headers: [String]
    var rows: [[String]] = []

    /// On a terminal, cells longer than this many columns are cut with an ellipsis. Output that
    /// goes to a file or a pipe (no `maximumWidth`) is never cut.
    var maximumCellWidth = 60
    /// Columns never cut (ids, dates, positions): a person copies them into the next command.
    /// Only the other columns narrow to fit; if that is not enough, the line is wider.
    var keptWhole: Set<Int> = []

    /// The table, its widest columns narrowed (cells cut with an ellipsis) so that each line fits
    /// in `maximumWidth` columns when given.
    func render(maximumWidth: Int? = nil) -> String {
        let cells = ([headers] + rows).map { $0.map(oneLine) }
        var widths = Array(repeating: 0, count: headers.count)
        let maximumCellWidth = maximumWidth == nil ? Int.max : self.maximumCellWidth
        for row in cells {
            for (index, cell) in row.enumerated() where index < widths.count {
                let width = DisplayWidth.of(cell)
                widths[index] = max(widths[index], keptWhole.contains(index) ? width : min(maximumCellWidth, width))
            }
        }
        if let maximumWidth {
            let gaps = 2 * max(0, widths.count - 1)
            let floor = 6
            while widths.reduce(0, +) + gaps > maximumWidth,
                let widest = widths.indices.filter({ !keptWhole.contains($0) }).max(by: { widths[$0] < widths[$1] }),
                widths[widest] > floor
            {
                widths[widest] -= 1
            }
        }
        var out = ""
        for row in cells {
            var line = ""
            for (index, cell) in row.enumerated() where index < widths.count {
                let fitted = Self.truncate(cell, to: widths[index])
                line += fitted
                if index < row.count - 1 {
                    line += String(repeating: " ", count: widths[index] - DisplayWidth.of(fitted) + 2)
                }
            }
            while line.hasSuffix(" ") { line.removeLast() }
            out += line + "\n"
        }
        return out
    }

    private func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline || $0 == "\t" ? " " : $0 })
    }

    static func truncate(_ text: String, to width: Int) -> String {
        guard DisplayWidth.of(text) > width else { return text }
        var out = ""
        var used = 0
        for character in text {
            let next = DisplayWidth.of(String(character))
            if used + next > width - 1 { break }
            out.append(character)
            used += next
        }
        return out + "…"
    }
}
