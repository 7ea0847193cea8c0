extension JSONValue {
    /// Compact serialisation: no whitespace, members in stored order, numbers as their lexeme,
    /// strings escaping only `"` `\\` and control characters U+0000–U+001F
    /// (as `\n` `\r` `\t` `\b` `\f` or `\u00XX` with lowercase hex);
    /// all other characters, Korean included, written as UTF-8 as-is.
    public func serialized() -> String {
        var bytes: [UInt8] = []
        serialize(into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the compact serialisation described at `serialized()` to `bytes` as UTF-8.
    public func serialize(into bytes: inout [UInt8]) {
        switch self {
        case .null:
            bytes.append(contentsOf: "null".utf8)
        case .bool(let value):
            bytes.append(contentsOf: value ? "true".utf8 : "false".utf8)
        case .number(let lexeme):
            bytes.append(contentsOf: lexeme.utf8)
        case .string(let value):
            Self.serialize(string: value, into: &bytes)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { bytes.append(UInt8(ascii: ",")) }
                element.serialize(into: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let object):
            bytes.append(UInt8(ascii: "{"))
            for (position, member) in object.members.enumerated() {
                if position > 0 { bytes.append(UInt8(ascii: ",")) }
                Self.serialize(string: member.key, into: &bytes)
                bytes.append(UInt8(ascii: ":"))
                member.value.serialize(into: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    private static func serialize(string: String, into bytes: inout [UInt8]) {
        var string = string
        bytes.append(UInt8(ascii: "\""))
        string.withUTF8 { utf8 in
            // Copy runs that need no escaping in one go.
            var runStart = 0
            for (position, byte) in utf8.enumerated() where byte < 0x20 || byte == 0x22 || byte == 0x5C {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<position]))
                appendEscape(for: byte, into: &bytes)
                runStart = position + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static func appendEscape(for byte: UInt8, into bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case 0x22: bytes.append(UInt8(ascii: "\""))
        case 0x5C: bytes.append(UInt8(ascii: "\\"))
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        default:
            let hexDigits: StaticString = "0123456789abcdef"
            bytes.append(contentsOf: "u00".utf8)
            bytes.append(hexDigits.utf8Start[Int(byte >> 4)])
            bytes.append(hexDigits.utf8Start[Int(byte & 0x0F)])
        }
    }
}

extension JSONValue {
    /// The text PostgreSQL prints for this value stored as `jsonb` (`data::text`), which the log's
    /// hash chains cover, so that a writer can compute an event's hash before sending it: object
    /// members ordered by the byte length of their key, then its bytes; `", "` and `": "` between
    /// items; strings escaped as `serialized()` escapes them (as PostgreSQL's `escape_json` does).
    ///
    /// Nil when this code cannot be sure of PostgreSQL's text: a number with an exponent, or a
    /// negative zero, which `numeric` prints otherwise. (A number without them prints as written.)
    public func jsonbText() -> String? {
        var bytes: [UInt8] = []
        guard jsonbText(into: &bytes) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    private func jsonbText(into bytes: inout [UInt8]) -> Bool {
        switch self {
        case .null, .bool, .string:
            serialize(into: &bytes)
        case .number(let lexeme):
            guard Self.printsAsWritten(lexeme) else { return false }
            bytes.append(contentsOf: lexeme.utf8)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { bytes.append(contentsOf: ", ".utf8) }
                guard element.jsonbText(into: &bytes) else { return false }
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let object):
            bytes.append(UInt8(ascii: "{"))
            let members = object.members.sorted { left, right in
                let (a, b) = (left.key.utf8, right.key.utf8)
                return a.count != b.count ? a.count < b.count : a.lexicographicallyPrecedes(b)
            }
            for (position, member) in members.enumerated() {
                if position > 0 { bytes.append(contentsOf: ", ".utf8) }
                JSONValue.string(member.key).serialize(into: &bytes)
                bytes.append(contentsOf: ": ".utf8)
                guard member.value.jsonbText(into: &bytes) else { return false }
            }
            bytes.append(UInt8(ascii: "}"))
        }
        return true
    }

    /// Whether `numeric` prints the JSON number `lexeme` unchanged: no exponent, not a negative zero.
    private static func printsAsWritten(_ lexeme: String) -> Bool {
        let utf8 = lexeme.utf8
        if utf8.contains(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) { return false }
        if utf8.first == UInt8(ascii: "-") {
            return utf8.contains { $0 >= UInt8(ascii: "1") && $0 <= UInt8(ascii: "9") }
        }
        return true
    }
}
