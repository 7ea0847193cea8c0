/// RFC 4180 CSV: a header row, CRLF line ends, fields quoted when they need it.
struct CSVWriter {
    private(set) var text = ""

    init(headers: [String]) {
        append(headers)
    }

    mutating func append(_ fields: [String]) {
        text += fields.map(Self.escape).joined(separator: ",") + "\r\n"
    }

    static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
