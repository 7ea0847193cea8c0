/// An instant, in microseconds since 1970-01-01T00:00:00Z: when an event was recorded, or the
/// `--recorded-as-of` instant a question is asked at.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var microseconds: Int64

    public init(microseconds: Int64) { self.microseconds = microseconds }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.microseconds < rhs.microseconds }

    /// Parses RFC 3339: `2024-05-01T09:00:00+09:00`, `2024-05-01T00:00:00.123456Z` (a space may
    /// stand for `T`; up to 6 fraction digits are kept, more are cut).
    public init?(rfc3339 text: String) {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ count: Int) -> Int? {
            guard index + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + count] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            index += count
            return value
        }
        func expect(_ characters: String) -> Bool {
            guard index < bytes.count, characters.utf8.contains(bytes[index]) else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2),
            let date = CalendarDate(year: year, month: month, day: day), expect("Tt "),
            let hour = number(2), expect(":"), let minute = number(2), expect(":"), let second = number(2),
            hour < 24, minute < 60, second < 61
        else { return nil }
        var micros = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                if digits < 6 { micros = micros * 10 + Int(bytes[index] - 48) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 6) { micros *= 10 }
        }
        var offsetSeconds = 0
        if expect("Zz") {
        } else if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            index += 1
            guard let hours = number(2), expect(":"), let minutes = number(2), hours < 24, minutes < 60 else {
                return nil
            }
            offsetSeconds = sign * (hours * 3600 + minutes * 60)
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }
        let seconds =
            Int64(date.dayNumber) * 86_400 + Int64(hour * 3600 + minute * 60 + min(second, 59))
            - Int64(offsetSeconds)
        self.init(microseconds: seconds * 1_000_000 + Int64(micros))
    }

    /// The last microsecond of `date` in a zone `offsetSeconds` east of UTC: a bare date given for
    /// `--recorded-as-of` means the end of that day.
    public static func endOfDay(_ date: CalendarDate, offsetSeconds: Int) -> Timestamp {
        let start = (Int64(date.dayNumber) * 86_400 - Int64(offsetSeconds)) * 1_000_000
        return Timestamp(microseconds: start + 86_400 * 1_000_000 - 1)
    }

    /// The first microsecond of `date` in a zone `offsetSeconds` east of UTC: a bare date given for
    /// `--since` means the start of that day.
    public static func startOfDay(_ date: CalendarDate, offsetSeconds: Int) -> Timestamp {
        Timestamp(microseconds: (Int64(date.dayNumber) * 86_400 - Int64(offsetSeconds)) * 1_000_000)
    }

    /// RFC 3339 in UTC with microseconds, e.g. `2024-05-01T00:00:00.000000Z`.
    public var description: String {
        let seconds = microseconds >= 0 ? microseconds / 1_000_000 : (microseconds - 999_999) / 1_000_000
        let micros = microseconds - seconds * 1_000_000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let inDay = seconds - days * 86_400
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        var fraction = String(micros)
        fraction = String(repeating: "0", count: 6 - fraction.count) + fraction
        return "\(CalendarDate(dayNumber: Int(days)))T\(two(inDay / 3600)):\(two(inDay / 60 % 60)):\(two(inDay % 60))."
            + fraction + "Z"
    }
}
