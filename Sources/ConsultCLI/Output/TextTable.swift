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
    /// Columns that may be left out, the widest first, when the table cannot fit even with every
    /// other column at its narrowest: better a table without the consultation's title than one
    /// whose ids and dates are cut.
    var droppable: Set<Int> = []
    /// The narrowest a column that may be cut becomes before a column is dropped.
    static let narrowest = 8

    /// The table, its widest columns narrowed (cells cut with an ellipsis) so that each line fits
    /// in `maximumWidth` columns when given.
    func render(maximumWidth: Int? = nil) -> String {
        if let maximumWidth, minimumWidth() > maximumWidth,
            let drop = droppable.filter({ $0 < headers.count }).max(by: { naturalWidth($0) < naturalWidth($1) })
        {
            var narrower = self
            narrower.headers.remove(at: drop)
            narrower.rows = rows.map { row in
                var row = row; if drop < row.count { row.remove(at: drop) }; return row
            }
            func shifted(_ index: Int) -> Int { index > drop ? index - 1 : index }
            narrower.keptWhole = Set(keptWhole.filter { $0 != drop }.map(shifted))
            narrower.droppable = Set(droppable.filter { $0 != drop }.map(shifted))
            return narrower.render(maximumWidth: maximumWidth)
        }
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
            let floor = Self.narrowest
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

    /// The width of column `index`'s widest cell.
    private func naturalWidth(_ index: Int) -> Int {
        ([headers] + rows).map { index < $0.count ? DisplayWidth.of(oneLine($0[index])) : 0 }.max() ?? 0
    }

    /// The width of the table with every column that may be cut at its narrowest.
    private func minimumWidth() -> Int {
        let cells = ([headers] + rows).map { $0.map(oneLine) }
        var total = 2 * max(0, headers.count - 1)
        for index in headers.indices {
            let widest = cells.map { index < $0.count ? DisplayWidth.of($0[index]) : 0 }.max() ?? 0
            total += keptWhole.contains(index) ? widest : min(widest, Self.narrowest)
        }
        return total
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
