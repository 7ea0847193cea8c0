/// A JSON value that keeps object member order and number lexemes, so re-serialising is deterministic.
///
/// Parse with `JSONValue.parse(_:)`; write with `serialized()` or `serialize(into:)`.
/// Values built by hand are not validated: a `.number` whose lexeme is not a valid JSON number serialises as-is.
public enum JSONValue: Sendable, Equatable, Hashable {
    /// The literal `null`.
    case null
    /// The literals `true` and `false`.
    case bool(Bool)
    /// A number, kept as its lexeme exactly as written, e.g. `"1.50"`, `"-0"`, `"1e3"`.
    ///
    /// Equality and hashing compare lexemes, so `1.0` and `1` are different values.
    case number(String)
    /// A string, already unescaped.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object whose members keep their order.
    case object(JSONObject)
}

extension JSONValue {
    /// The string when this is `.string`; `nil` otherwise.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The object when this is `.object`; `nil` otherwise.
    public var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// The elements when this is `.array`; `nil` otherwise.
    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The boolean when this is `.bool`; `nil` otherwise.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// Whether this is `.null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The number as an Int64 when the lexeme is an integer (no fraction, no exponent) that fits; nil otherwise.
    ///
    /// `-0` gives `0`. Lexemes that are not JSON integers (`+1`, `01`, `1.0`, `1e3`) give `nil`.
    public var int64Value: Int64? {
        guard case .number(let lexeme) = self else { return nil }
        var bytes = lexeme.utf8.makeIterator()
        guard var byte = bytes.next() else { return nil }
        let negative = byte == UInt8(ascii: "-")
        if negative {
            guard let next = bytes.next() else { return nil }
            byte = next
        }
        // Accumulate as a negative number so that Int64.min is reachable.
        var result: Int64 = 0
        var digitCount = 0
        var leadingZero = false
        while true {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            if digitCount == 0 {
                leadingZero = byte == UInt8(ascii: "0")
            } else if leadingZero {
                return nil
            }
            let (shifted, overflowMultiply) = result.multipliedReportingOverflow(by: 10)
            let (next, overflowSubtract) = shifted.subtractingReportingOverflow(Int64(byte &- UInt8(ascii: "0")))
            guard !overflowMultiply, !overflowSubtract else { return nil }
            result = next
            digitCount += 1
            guard let following = bytes.next() else { break }
            byte = following
        }
        if negative { return result }
        let (positive, overflow) = (0 as Int64).subtractingReportingOverflow(result)
        return overflow ? nil : positive
    }

    /// The JSON type name for error messages: "null", "boolean", "number", "string", "array", "object".
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

extension JSONValue {
    /// The same value with every object's keys in sorted order: two values that differ only in
    /// key order (as jsonb compares them) become equal.
    public var sortedKeys: JSONValue {
        switch self {
        case .object(let object):
            .object(JSONObject(object.members.map { ($0.key, $0.value.sortedKeys) }.sorted { $0.0 < $1.0 }))
        case .array(let items): .array(items.map(\.sortedKeys))
        default: self
        }
    }
}
