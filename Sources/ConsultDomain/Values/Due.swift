/// When a commitment is due: a day (`2023-03-31`), a month (`2023-03`, by its end) or a year
/// (`2025`, by its end). Made only by parsing, so every value is a real period.
public struct Due: Sendable, Hashable, CustomStringConvertible {
    public enum Precision: String, Sendable, Hashable {
        case day, month, year
    }

    public let precision: Precision
    /// The last day the value covers.
    public let dueBy: CalendarDate

    /// Parses `YYYY-MM-DD`, `YYYY-MM` or `YYYY`.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        switch bytes.count {
        case 10:
            guard let date = CalendarDate(text) else { return nil }
            precision = .day
            dueBy = date
        case 7:
            guard bytes[4] == UInt8(ascii: "-"), let year = CalendarDate.number(bytes[0..<4]),
                let month = CalendarDate.number(bytes[5..<7]), (1...12).contains(month),
                let last = CalendarDate(
                    year: year, month: month, day: CalendarDate.daysIn(month: month, year: year))
            else { return nil }
            precision = .month
            dueBy = last
        case 4:
            guard let year = CalendarDate.number(bytes[0..<4]), let last = CalendarDate(year: year, month: 12, day: 31)
            else { return nil }
            precision = .year
            dueBy = last
        default:
            return nil
        }
    }

    /// Why `text` is not a due value, in words for people; nil when it is one.
    public static func problem(with text: String) -> String? {
        if Due(text) != nil { return nil }
        let bytes = Array(text.utf8)
        if bytes.count == 7, bytes[4] == UInt8(ascii: "-"), let month = CalendarDate.number(bytes[5..<7]),
            !(1...12).contains(month)
        {
            return "\"\(text)\" is not a month (months run 01–12)"
        }
        if bytes.count == 10, CalendarDate.number(bytes[0..<4]) != nil {
            return "\"\(text)\" is not a real calendar date"
        }
        return "\"\(text)\" is not a due date: write a day (2023-03-31), a month (2023-03) or a year (2025)"
    }

    /// The value as written: `2023-03-31`, `2023-03` or `2025`.
    public var description: String {
        let full = dueBy.description
        switch precision {
        case .day: return full
        case .month: return String(full.prefix(7))
        case .year: return String(full.prefix(4))
        }
    }
}
