extension JSONValue {
    /// The deepest nesting of arrays and objects that `parse` accepts.
    public static let maximumNestingDepth = 256

    /// Parses exactly one JSON value (RFC 8259) surrounded by optional whitespace.
    ///
    /// The parser is strict: the input must be valid UTF-8 without a byte order mark, object keys must be unique
    /// (compared after unescaping), nesting may not exceed ``maximumNestingDepth``, and nothing but whitespace
    /// (space, tab, LF, CR) may follow the value.
    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        if let result = bytes.withContiguousStorageIfAvailable(parse(buffer:)) {
            return try result.get()
        }
        return try Array(bytes).withUnsafeBufferPointer(parse(buffer:)).get()
    }

    /// Parses exactly one JSON value (RFC 8259) from the UTF-8 of `text`, surrounded by optional whitespace.
    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        var text = text
        return try text.withUTF8(parse(buffer:)).get()
    }

    // Returns a Result because the buffer-access methods only rethrow untyped errors.
    private static func parse(buffer: UnsafeBufferPointer<UInt8>) -> Result<JSONValue, JSONParseError> {
        var parser = JSONParser(input: buffer)
        do throws(JSONParseError) {
            return .success(try parser.parseDocument())
        } catch {
            return .failure(error)
        }
    }
}

/// A recursive-descent parser over validated-as-it-goes UTF-8 bytes.
///
/// Recursion is bounded by `JSONValue.maximumNestingDepth`, so hostile input cannot overflow the stack.
private struct JSONParser {
    private let input: UnsafeBufferPointer<UInt8>
    private var offset = 0
    private var depth = 0
    /// Reused buffer for strings that contain escapes.
    private var scratch: [UInt8] = []

    init(input: UnsafeBufferPointer<UInt8>) {
        self.input = input
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        if input.count >= 3, input[0] == 0xEF, input[1] == 0xBB, input[2] == 0xBF {
            throw JSONParseError(byteOffset: 0, message: "unexpected UTF-8 byte order mark at the start of the input")
        }
        let value = try parseValue()
        skipWhitespace()
        if offset < input.count {
            try checkUTF8(at: offset)
            throw JSONParseError(byteOffset: offset, message: "trailing characters after the JSON value")
        }
        return value
    }

    // MARK: - Values

    private mutating func parseValue() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        guard offset < input.count else {
            throw unexpected(at: offset, expected: "a value")
        }
        switch input[offset] {
        case UInt8(ascii: "{"):
            return try parseObject()
        case UInt8(ascii: "["):
            return try parseArray()
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "t"):
            try parseLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try parseLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try parseLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try parseNumber()
        default:
            throw unexpected(at: offset, expected: "a value")
        }
    }

    private mutating func parseLiteral(_ literal: StaticString) throws(JSONParseError) {
        let bytes = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        for expected in bytes {
            guard offset < input.count, input[offset] == expected else {
                throw unexpected(at: offset, expected: "'\(literal)'")
            }
            offset += 1
        }
    }

    private mutating func enterContainer() throws(JSONParseError) {
        depth += 1
        if depth > JSONValue.maximumNestingDepth {
            throw JSONParseError(
                byteOffset: offset,
                message: "arrays and objects are nested deeper than \(JSONValue.maximumNestingDepth) levels"
            )
        }
        offset += 1
    }

    private mutating func parseArray() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        var elements: [JSONValue] = []
        skipWhitespace()
        if offset < input.count, input[offset] == UInt8(ascii: "]") {
            offset += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            elements.append(try parseValue())
            skipWhitespace()
            guard offset < input.count else {
                throw unexpected(at: offset, expected: "',' or ']'")
            }
            switch input[offset] {
            case UInt8(ascii: ","):
                offset += 1
            case UInt8(ascii: "]"):
                offset += 1
                depth -= 1
                return .array(elements)
            default:
                throw unexpected(at: offset, expected: "',' or ']'")
            }
        }
    }

    private mutating func parseObject() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        var object = JSONObject()
        skipWhitespace()
        if offset < input.count, input[offset] == UInt8(ascii: "}") {
            offset += 1
            depth -= 1
            return .object(object)
        }
        while true {
            skipWhitespace()
            guard offset < input.count, input[offset] == UInt8(ascii: "\"") else {
                throw unexpected(at: offset, expected: "a string key")
            }
            let keyOffset = offset
            let key = try parseString()
            if object.contains(key: key) {
                let quotedKey = JSONValue.string(key).serialized()
                throw JSONParseError(byteOffset: keyOffset, message: "duplicate key \(quotedKey)")
            }
            skipWhitespace()
            guard offset < input.count, input[offset] == UInt8(ascii: ":") else {
                throw unexpected(at: offset, expected: "':'")
            }
            offset += 1
            object.appendNew(key: key, value: try parseValue())
            skipWhitespace()
            guard offset < input.count else {
                throw unexpected(at: offset, expected: "',' or '}'")
            }
            switch input[offset] {
            case UInt8(ascii: ","):
                offset += 1
            case UInt8(ascii: "}"):
                offset += 1
                depth -= 1
                return .object(object)
            default:
                throw unexpected(at: offset, expected: "',' or '}'")
            }
        }
    }

    // MARK: - Numbers

    /// number = [ "-" ] ( "0" / digit1-9 *digit ) [ "." 1*digit ] [ ( "e" / "E" ) [ "-" / "+" ] 1*digit ]
    private mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = offset
        if input[offset] == UInt8(ascii: "-") {
            offset += 1
        }
        guard offset < input.count, isDigit(input[offset]) else {
            throw unexpected(at: offset, expected: "a digit after '-'")
        }
        if input[offset] == UInt8(ascii: "0") {
            if offset + 1 < input.count, isDigit(input[offset + 1]) {
                throw JSONParseError(byteOffset: offset, message: "numbers must not have leading zeros")
            }
            offset += 1
        } else {
            skipDigits()
        }
        if offset < input.count, input[offset] == UInt8(ascii: ".") {
            offset += 1
            guard offset < input.count, isDigit(input[offset]) else {
                throw unexpected(at: offset, expected: "a digit after the decimal point")
            }
            skipDigits()
        }
        if offset < input.count, input[offset] == UInt8(ascii: "e") || input[offset] == UInt8(ascii: "E") {
            offset += 1
            if offset < input.count, input[offset] == UInt8(ascii: "+") || input[offset] == UInt8(ascii: "-") {
                offset += 1
            }
            guard offset < input.count, isDigit(input[offset]) else {
                throw unexpected(at: offset, expected: "a digit in the exponent")
            }
            skipDigits()
        }
        return .number(String(decoding: UnsafeBufferPointer(rebasing: input[start..<offset]), as: UTF8.self))
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private mutating func skipDigits() {
        while offset < input.count, isDigit(input[offset]) {
            offset += 1
        }
    }

    // MARK: - Strings

    /// Parses a string starting at its opening quote and leaves `offset` just past the closing quote.
    private mutating func parseString() throws(JSONParseError) -> String {
        let quote = offset
        let start = offset + 1
        var position = start
        // Fast path: no escapes, so the validated bytes become the String directly.
        while position < input.count {
            let byte = input[position]
            if byte == UInt8(ascii: "\"") {
                offset = position + 1
                return String(decoding: UnsafeBufferPointer(rebasing: input[start..<position]), as: UTF8.self)
            } else if byte == UInt8(ascii: "\\") {
                return try parseEscapedString(quote: quote, start: start, firstEscape: position)
            } else if byte < 0x20 {
                throw controlCharacterInString(at: position)
            } else if byte < 0x80 {
                position += 1
            } else {
                position += try checkUTF8(at: position)
            }
        }
        throw JSONParseError(byteOffset: quote, message: "unterminated string")
    }

    private mutating func parseEscapedString(
        quote: Int,
        start: Int,
        firstEscape: Int
    ) throws(JSONParseError) -> String {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: input[start..<firstEscape]))
        var position = firstEscape
        var runStart = position
        while position < input.count {
            let byte = input[position]
            if byte == UInt8(ascii: "\"") {
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: input[runStart..<position]))
                offset = position + 1
                return String(decoding: scratch, as: UTF8.self)
            } else if byte == UInt8(ascii: "\\") {
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: input[runStart..<position]))
                position = try decodeEscape(at: position, quote: quote)
                runStart = position
            } else if byte < 0x20 {
                throw controlCharacterInString(at: position)
            } else if byte < 0x80 {
                position += 1
            } else {
                position += try checkUTF8(at: position)
            }
        }
        throw JSONParseError(byteOffset: quote, message: "unterminated string")
    }

    /// Decodes the escape whose backslash is at `backslash` into `scratch`; returns the position after it.
    private mutating func decodeEscape(at backslash: Int, quote: Int) throws(JSONParseError) -> Int {
        let position = backslash + 1
        guard position < input.count else {
            throw JSONParseError(byteOffset: quote, message: "unterminated string")
        }
        let simple: UInt8
        switch input[position] {
        case UInt8(ascii: "\""): simple = UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): simple = UInt8(ascii: "\\")
        case UInt8(ascii: "/"): simple = UInt8(ascii: "/")
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"):
            return try decodeUnicodeEscape(at: backslash, quote: quote)
        default:
            try checkUTF8(at: position)
            throw JSONParseError(
                byteOffset: position,
                message: "invalid escape sequence in string: "
                    + "backslash followed by \(characterDescription(at: position))"
            )
        }
        scratch.append(simple)
        return position + 1
    }

    /// Decodes `\uXXXX`, or a surrogate pair `\uXXXX\uXXXX`, whose backslash is at `backslash`.
    private mutating func decodeUnicodeEscape(at backslash: Int, quote: Int) throws(JSONParseError) -> Int {
        let first = try hexQuad(at: backslash + 2, quote: quote)
        var scalarValue = UInt32(first)
        var end = backslash + 6
        switch first {
        case 0xD800...0xDBFF:
            guard end + 1 < input.count, input[end] == UInt8(ascii: "\\"), input[end + 1] == UInt8(ascii: "u") else {
                throw JSONParseError(
                    byteOffset: backslash,
                    message: "high surrogate escape \\u\(hex(first)) is not followed by a low surrogate escape"
                )
            }
            let second = try hexQuad(at: end + 2, quote: quote)
            guard (0xDC00...0xDFFF).contains(second) else {
                throw JSONParseError(
                    byteOffset: backslash,
                    message: "high surrogate escape \\u\(hex(first)) is followed by \\u\(hex(second)), "
                        + "which is not a low surrogate"
                )
            }
            scalarValue = 0x10000 + ((UInt32(first) - 0xD800) << 10) + (UInt32(second) - 0xDC00)
            end += 6
        case 0xDC00...0xDFFF:
            throw JSONParseError(
                byteOffset: backslash,
                message: "low surrogate escape \\u\(hex(first)) is not preceded by a high surrogate escape"
            )
        default:
            break
        }
        appendUTF8(scalarValue)
        return end
    }

    private func hexQuad(at start: Int, quote: Int) throws(JSONParseError) -> UInt16 {
        var value: UInt16 = 0
        for position in start..<(start + 4) {
            guard position < input.count else {
                throw JSONParseError(byteOffset: quote, message: "unterminated string")
            }
            let byte = input[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default:
                try checkUTF8(at: position)
                throw JSONParseError(
                    byteOffset: position,
                    message: "expected a hex digit in a \\u escape, found \(characterDescription(at: position))"
                )
            }
            value = value << 4 | UInt16(digit)
        }
        return value
    }

    private func hex(_ value: UInt16) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }

    /// Appends a Unicode scalar value (never a surrogate) to `scratch` as UTF-8.
    private mutating func appendUTF8(_ value: UInt32) {
        switch value {
        case 0..<0x80:
            scratch.append(UInt8(truncatingIfNeeded: value))
        case 0x80..<0x800:
            scratch.append(UInt8(truncatingIfNeeded: 0xC0 | (value >> 6)))
            scratch.append(UInt8(truncatingIfNeeded: 0x80 | (value & 0x3F)))
        case 0x800..<0x10000:
            scratch.append(UInt8(truncatingIfNeeded: 0xE0 | (value >> 12)))
            scratch.append(UInt8(truncatingIfNeeded: 0x80 | ((value >> 6) & 0x3F)))
            scratch.append(UInt8(truncatingIfNeeded: 0x80 | (value & 0x3F)))
        default:
            scratch.append(UInt8(truncatingIfNeeded: 0xF0 | (value >> 18)))
            scratch.append(UInt8(truncatingIfNeeded: 0x80 | ((value >> 12) & 0x3F)))
            scratch.append(UInt8(truncatingIfNeeded: 0x80 | ((value >> 6) & 0x3F)))
            scratch.append(UInt8(truncatingIfNeeded: 0x80 | (value & 0x3F)))
        }
    }

    private func controlCharacterInString(at position: Int) -> JSONParseError {
        JSONParseError(
            byteOffset: position,
            message: "unescaped control character \(scalarName(UInt32(input[position]))) in string"
        )
    }

    // MARK: - UTF-8 and whitespace

    private mutating func skipWhitespace() {
        while offset < input.count {
            switch input[offset] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                offset += 1
            default:
                return
            }
        }
    }

    /// Checks the UTF-8 sequence starting at `position` (Unicode Table 3-7: no overlong forms, no surrogates,
    /// nothing above U+10FFFF) and returns its length in bytes.
    @discardableResult
    private func checkUTF8(at position: Int) throws(JSONParseError) -> Int {
        let lead = input[position]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0x00...0x7F:
            return 1
        case 0xC2...0xDF:
            length = 2
        case 0xE0:
            length = 3
            secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF:
            length = 3
        case 0xED:
            length = 3
            secondRange = 0x80...0x9F
        case 0xF0:
            length = 4
            secondRange = 0x90...0xBF
        case 0xF1...0xF3:
            length = 4
        case 0xF4:
            length = 4
            secondRange = 0x80...0x8F
        default:
            throw JSONParseError(byteOffset: position, message: "invalid UTF-8 byte \(byteName(lead))")
        }
        for index in 1..<length {
            let continuation = position + index
            guard continuation < input.count else {
                throw JSONParseError(
                    byteOffset: position,
                    message: "incomplete UTF-8 sequence starting with byte \(byteName(lead))"
                )
            }
            let byte = input[continuation]
            let allowed = index == 1 ? secondRange : 0x80...0xBF
            guard allowed.contains(byte) else {
                throw JSONParseError(
                    byteOffset: continuation,
                    message: "invalid UTF-8 byte \(byteName(byte)) after \(byteName(lead))"
                )
            }
        }
        return length
    }

    /// An error for an unexpected byte (or end of input) at `position`; invalid UTF-8 there is reported as such.
    private func unexpected(at position: Int, expected: String) -> JSONParseError {
        guard position < input.count else {
            return JSONParseError(byteOffset: position, message: "unexpected end of input, expected \(expected)")
        }
        do {
            try checkUTF8(at: position)
        } catch {
            return error
        }
        return JSONParseError(
            byteOffset: position,
            message: "unexpected \(characterDescription(at: position)), expected \(expected)"
        )
    }

    /// Describes the character at `position`, which must start a valid UTF-8 sequence, e.g. `character 'x'`.
    private func characterDescription(at position: Int) -> String {
        let lead = input[position]
        if lead < 0x20 || lead == 0x7F {
            return "control character \(scalarName(UInt32(lead)))"
        }
        if lead < 0x80 {
            return "character '\(Character(Unicode.Scalar(lead)))'"
        }
        let length = (try? checkUTF8(at: position)) ?? 1
        let text = String(decoding: UnsafeBufferPointer(rebasing: input[position..<(position + length)]), as: UTF8.self)
        let value = text.unicodeScalars.first?.value ?? 0xFFFD
        return "character '\(text)' (\(scalarName(value)))"
    }

    private func scalarName(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    private func byteName(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return "0x" + (digits.count == 1 ? "0" + digits : digits)
    }
}
