import ConsultDomain
import Foundation

/// RFC 4180 CSV: a header row, CRLF line ends, fields quoted when they need it. The CLI's
/// `--format csv` and the web's open data write rows with it, so both are the same bytes.
public struct CSVWriter: Sendable {
    public private(set) var text = ""

    public init(headers: [String]) {
        append(headers)
    }

    public mutating func append(_ fields: [String]) {
        text += fields.map(Self.escape).joined(separator: ",") + "\r\n"
    }

    public static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Rows of a read (`RecordJSON` objects) as CSV: a column per key of `keys`, arrays joined
    /// with `;` (SPEC.md).
    public static func rows(_ rows: [JSONObject], keys: [String]) -> String {
        var csv = CSVWriter(headers: keys)
        for row in rows { csv.append(keys.map { cell(row[$0] ?? .null, separator: ";") }) }
        return csv.text
    }

    /// A JSON value as one cell: arrays joined, objects as their scalar values joined with `:`.
    public static func cell(_ value: JSONValue, separator: String) -> String {
        switch value {
        case .null: return ""
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let lexeme): return lexeme
        case .string(let text): return text
        case .array(let items): return items.map { cell($0, separator: separator) }.joined(separator: separator)
        case .object(let object):
            return object.members.compactMap { member -> String? in
                switch member.value {
                case .array, .object, .null: return nil
                default: return cell(member.value, separator: separator)
                }
            }.joined(separator: ":")
        }
    }
}
