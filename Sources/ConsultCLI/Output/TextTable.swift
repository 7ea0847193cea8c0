/// A plain-text table whose columns line up by display width, so Korean text aligns.
struct TextTable {
    var headers: [String]
    var rows: [[String]] = []

    /// Cells longer than this many columns are cut with an ellipsis.
    var maximumCellWidth = 60

    func render() -> String {
        let cells = ([headers] + rows).map { $0.map { truncate(oneLine($0)) } }
        var widths = Array(repeating: 0, count: headers.count)
        for row in cells {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], DisplayWidth.of(cell))
            }
        }
        var out = ""
        for row in cells {
            var line = ""
            for (index, cell) in row.enumerated() {
                line += cell
                if index < row.count - 1 {
                    line += String(repeating: " ", count: widths[index] - DisplayWidth.of(cell) + 2)
                }
            }
            out += line + "\n"
        }
        return out
    }

    private func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline || $0 == "\t" ? " " : $0 })
    }

    private func truncate(_ text: String) -> String {
        guard DisplayWidth.of(text) > maximumCellWidth else { return text }
        var out = ""
        var width = 0
        for scalar in text.unicodeScalars {
            let next = DisplayWidth.of(scalar)
            if width + next > maximumCellWidth - 1 { break }
            out.unicodeScalars.append(scalar)
            width += next
        }
        return out + "…"
    }
}
