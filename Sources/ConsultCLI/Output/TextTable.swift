/// A plain-text table whose columns line up by display width, so Korean text aligns.
struct TextTable {
    var headers: [String]
    var rows: [[String]] = []
    /// Per row, the cells that hold a search match: column → the match's place in the cell, in
    /// characters. Such a cell shows the match in brackets, and a cut keeps it in view, with the
    /// text on either side (`…앞부분 [매칭] 뒷부분…`).
    var matches: [[Int: Range<Int>]] = []

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
            narrower.matches = matches.map { marked in
                Dictionary(uniqueKeysWithValues: marked.filter { $0.key != drop }.map { (shifted($0.key), $0.value) })
            }
            func shifted(_ index: Int) -> Int { index > drop ? index - 1 : index }
            narrower.keptWhole = Set(keptWhole.filter { $0 != drop }.map(shifted))
            narrower.droppable = Set(droppable.filter { $0 != drop }.map(shifted))
            return narrower.render(maximumWidth: maximumWidth)
        }
        let cells = ([headers] + marked()).map { $0.map(oneLine) }
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
        for (number, row) in cells.enumerated() {
            var line = ""
            for (index, cell) in row.enumerated() where index < widths.count {
                let match = number > 0 && number - 1 < matches.count ? matches[number - 1][index] : nil
                let fitted =
                    match.map { Self.window(oneLine(rows[number - 1][index]), around: $0, width: widths[index]) }
                    ?? Self.truncate(cell, to: widths[index])
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

    /// The rows with each match in brackets.
    private func marked() -> [[String]] {
        rows.enumerated().map { number, row in
            guard number < matches.count, !matches[number].isEmpty else { return row }
            return row.enumerated().map { index, cell in
                matches[number][index].map { Self.window(cell, around: $0, width: .max) } ?? cell
            }
        }
    }

    /// The width of column `index`'s widest cell.
    private func naturalWidth(_ index: Int) -> Int {
        ([headers] + marked()).map { index < $0.count ? DisplayWidth.of(oneLine($0[index])) : 0 }.max() ?? 0
    }

    /// The width of the table with every column that may be cut at its narrowest.
    private func minimumWidth() -> Int {
        let cells = ([headers] + marked()).map { $0.map(oneLine) }
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

    /// `text` with the characters of `match` in brackets, in at most `width` columns: when it does
    /// not fit, the text around the match is cut on either side (with `…`), as evenly as it goes,
    /// so the match stays in view however long the text; with no room for more, the match alone (cut
    /// at its end when it is too wide itself).
    static func window(_ text: String, around match: Range<Int>, width: Int) -> String {
        let characters = Array(text)
        let lower = min(max(0, match.lowerBound), characters.count)
        let upper = min(max(lower, match.upperBound), characters.count)
        func piece(_ from: Int, _ to: Int) -> String { String(characters[from..<to]) }
        let whole = piece(0, lower) + "[" + piece(lower, upper) + "]" + piece(upper, characters.count)
        guard DisplayWidth.of(whole) > width else { return whole }
        func widthOf(_ from: Int, _ to: Int) -> Int {
            DisplayWidth.of(piece(from, lower)) + DisplayWidth.of(piece(lower, upper)) + 2
                + DisplayWidth.of(piece(upper, to)) + (from > 0 ? 1 : 0) + (to < characters.count ? 1 : 0)
        }
        guard widthOf(lower, upper) <= width else {
            // No room for the text around it: the match alone, or as much of it as fits.
            let alone = "[" + piece(lower, upper) + "]"
            return DisplayWidth.of(alone) <= width ? alone : truncate("[" + piece(lower, characters.count), to: width)
        }
        var from = lower
        var to = upper
        while true {
            // Widen the side with less context first; stop when neither side fits another character.
            let leftFirst = DisplayWidth.of(piece(from, lower)) <= DisplayWidth.of(piece(upper, to))
            let left = from > 0 && widthOf(from - 1, to) <= width
            let right = to < characters.count && widthOf(from, to + 1) <= width
            if left && (leftFirst || !right) {
                from -= 1
            } else if right {
                to += 1
            } else {
                break
            }
        }
        return (from > 0 ? "…" : "") + piece(from, lower) + "[" + piece(lower, upper) + "]" + piece(upper, to)
            + (to < characters.count ? "…" : "")
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
