import ConsultDomain
import Testing

/// Parses `bytes`, expecting failure, and returns the error (or records an issue and returns nil).
private func parseError(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> JSONParseError? {
    do throws(JSONParseError) {
        let value = try JSONValue.parse(bytes)
        Issue.record("expected a parse error, got \(value)", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

private func parseError(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> JSONParseError? {
    parseError(Array(text.utf8), sourceLocation: sourceLocation)
}

/// Expects `input` to fail at `offset` with a message containing `fragment`.
private func expectError(
    _ input: [UInt8],
    at offset: Int,
    containing fragment: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard let error = parseError(input, sourceLocation: sourceLocation) else { return }
    #expect(error.byteOffset == offset, "\(error)", sourceLocation: sourceLocation)
    #expect(error.message.contains(fragment), "\(error)", sourceLocation: sourceLocation)
}

private func expectError(
    _ text: String,
    at offset: Int,
    containing fragment: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    expectError(Array(text.utf8), at: offset, containing: fragment, sourceLocation: sourceLocation)
}

@Suite("JSONValue parsing")
struct JSONValueParsingTests {
    @Test("scalars parse to the expected cases")
    func scalars() throws {
        #expect(try JSONValue.parse("null") == .null)
        #expect(try JSONValue.parse("true") == .bool(true))
        #expect(try JSONValue.parse("false") == .bool(false))
        #expect(try JSONValue.parse("\"hi\"") == .string("hi"))
        #expect(try JSONValue.parse("-12.50e+3") == .number("-12.50e+3"))
        #expect(try JSONValue.parse(" \t\r\n[ ] \n") == .array([]))
        #expect(try JSONValue.parse("{ }") == .object(JSONObject()))
    }

    @Test("nested structures parse with members in order")
    func nested() throws {
        let value = try JSONValue.parse(#"{"z":1,"a":[true,null,{"m":"x"}],"k":{}}"#)
        let object = try #require(value.objectValue)
        #expect(object.keys == ["z", "a", "k"])
        #expect(object["a"] == .array([.bool(true), .null, .object(JSONObject([(key: "m", value: .string("x"))]))]))
        #expect(object["k"] == .object(JSONObject()))
    }

    @Test(
        "number lexemes are kept exactly",
        arguments: [
            "0", "-0", "1", "-1", "1.50", "0.0", "1e3", "1E3", "1e+3", "1e-3", "-0.5e-10",
            "123456789012345678901234567890",
        ])
    func numberLexemes(lexeme: String) throws {
        #expect(try JSONValue.parse(lexeme) == .number(lexeme))
        #expect(try JSONValue.parse("[\(lexeme)]") == .array([.number(lexeme)]))
    }

    @Test("escapes decode, including surrogate pairs")
    func escapes() throws {
        let value = try JSONValue.parse(#""a\"b\\c\/d\be\ff\ng\rh\ti\u0041\u00e9\uD55C\ud83d\ude00\u0000""#)
        #expect(value == .string("a\"b\\c/d\u{08}e\u{0C}f\ng\rh\ti" + "Aé한😀\u{0}"))
    }

    @Test("strings without escapes keep multi-byte UTF-8")
    func utf8Strings() throws {
        #expect(try JSONValue.parse("\"한국어 텍스트 😀 é\"") == .string("한국어 텍스트 😀 é"))
        #expect(try JSONValue.parse("\"한국어\\n텍스트\"") == .string("한국어\n텍스트"))
        #expect(try JSONValue.parse("\"\u{7F}\"") == .string("\u{7F}"))
    }

    @Test("non-contiguous collections parse too")
    func nonContiguous() throws {
        let bytes = Array(#"{"a":[1,"한"]}"#.utf8)
        let value = try JSONValue.parse(bytes.lazy.map { $0 })
        #expect(value == .object(JSONObject([(key: "a", value: .array([.number("1"), .string("한")]))])))
        #expect(try JSONValue.parse(bytes[...]) == value)
    }

    @Test("large objects keep working past the lookup-index threshold")
    func largeObject() throws {
        let members = (0..<100).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        let object = try #require(try JSONValue.parse("{\(members)}").objectValue)
        #expect(object.count == 100)
        #expect(object["k57"] == .number("57"))
        #expect(object.keys.first == "k0" && object.keys.last == "k99")
        expectError("{\(members),\"k42\":0}", at: members.utf8.count + 2, containing: #"duplicate key "k42""#)
    }
}

@Suite("JSONValue strictness")
struct JSONValueStrictnessTests {
    @Test("empty or whitespace-only input is an error")
    func emptyInput() {
        expectError("", at: 0, containing: "unexpected end of input, expected a value")
        expectError(" \n\t", at: 3, containing: "unexpected end of input")
    }

    @Test("trailing content after the value is an error")
    func trailingContent() {
        expectError("{} x", at: 3, containing: "trailing characters after the JSON value")
        expectError("1 2", at: 2, containing: "trailing characters")
        expectError("[]]", at: 2, containing: "trailing characters")
        expectError("truex", at: 4, containing: "trailing characters")
        expectError("0x10", at: 1, containing: "trailing characters")
    }

    @Test("only space, tab, LF and CR are whitespace")
    func whitespace() {
        expectError("\u{0C}1", at: 0, containing: "control character U+000C")
        expectError("[1,\u{0B}2]", at: 3, containing: "control character U+000B")
        expectError("\u{A0}1", at: 0, containing: "U+00A0")
        expectError("1\u{2028}", at: 1, containing: "trailing characters")
    }

    @Test("a UTF-8 byte order mark at the start is an error")
    func byteOrderMark() {
        expectError([0xEF, 0xBB, 0xBF, 0x31], at: 0, containing: "byte order mark")
        expectError("\u{FEFF}{}", at: 0, containing: "byte order mark")
    }

    @Test(
        "invalid UTF-8 is an error naming the byte",
        arguments: [
            // (bytes inside a string literal, offset of the problem within the literal, fragment)
            ([0xFF], 0, "invalid UTF-8 byte 0xFF"),
            ([0xF5, 0x80, 0x80, 0x80], 0, "invalid UTF-8 byte 0xF5"),
            ([0x80], 0, "invalid UTF-8 byte 0x80"),
            ([0xC0, 0xAF], 0, "invalid UTF-8 byte 0xC0"),  // overlong "/"
            ([0xC1, 0xBF], 0, "invalid UTF-8 byte 0xC1"),  // overlong
            ([0xE0, 0x80, 0xAF], 1, "invalid UTF-8 byte 0x80 after 0xE0"),  // overlong 3-byte
            ([0xF0, 0x80, 0x80, 0xAF], 1, "invalid UTF-8 byte 0x80 after 0xF0"),  // overlong 4-byte
            ([0xED, 0xA0, 0x80], 1, "invalid UTF-8 byte 0xA0 after 0xED"),  // UTF-8-encoded surrogate U+D800
            ([0xF4, 0x90, 0x80, 0x80], 1, "invalid UTF-8 byte 0x90 after 0xF4"),  // above U+10FFFF
            ([0xEC, 0x95, 0x41], 2, "invalid UTF-8 byte 0x41 after 0xEC"),  // truncated by an ASCII byte
            ([0x61, 0xC3], 1, "incomplete UTF-8 sequence starting with byte 0xC3"),
        ] as [([UInt8], Int, String)])
    func invalidUTF8InString(bytes: [UInt8], offset: Int, fragment: String) {
        let prefix = Array(#"{"k":""#.utf8)
        // Without the closing quote the sequence may run into the end of input; add it only when it cannot merge.
        let input = prefix + bytes + (fragment.hasPrefix("incomplete") ? [] : [0x22, 0x7D])
        expectError(input, at: prefix.count + offset, containing: fragment)
        if !fragment.hasPrefix("incomplete") {
            // The escaped-string path validates UTF-8 as well.
            let escaped = prefix + Array(#"\n"#.utf8) + bytes + [0x22, 0x7D]
            expectError(escaped, at: prefix.count + 2 + offset, containing: fragment)
        }
    }

    @Test("invalid UTF-8 outside strings is an error naming the byte")
    func invalidUTF8OutsideStrings() {
        expectError([0x5B, 0xFF, 0x5D], at: 1, containing: "invalid UTF-8 byte 0xFF")
        expectError([0x5B, 0x31, 0x5D, 0x20, 0xC0, 0x80], at: 4, containing: "invalid UTF-8 byte 0xC0")
        expectError([0x7B, 0x22, 0x61, 0x22, 0xFE], at: 4, containing: "invalid UTF-8 byte 0xFE")
        expectError("[é]", at: 1, containing: "unexpected character 'é' (U+00E9), expected a value")
    }

    @Test("unescaped control characters in strings are errors")
    func controlCharactersInStrings() {
        expectError("\"a\nb\"", at: 2, containing: "unescaped control character U+000A in string")
        expectError("\"a\tb\"", at: 2, containing: "U+0009")
        expectError([0x22, 0x00, 0x22], at: 1, containing: "U+0000")
        expectError("\"\\n\u{1F}\"", at: 3, containing: "U+001F")
    }

    @Test("invalid escapes are errors")
    func invalidEscapes() {
        expectError(
            #""\x""#,
            at: 2,
            containing: "invalid escape sequence in string: backslash followed by character 'x'"
        )
        expectError(#""\U0041""#, at: 2, containing: "invalid escape sequence")
        expectError(#""\'""#, at: 2, containing: "invalid escape sequence")
        expectError(#""\u12G4""#, at: 5, containing: "expected a hex digit in a \\u escape, found character 'G'")
        expectError(#""\u12""#, at: 5, containing: "expected a hex digit")
        expectError(#""\u12"#, at: 0, containing: "unterminated string")
        expectError(#""abc\"#, at: 0, containing: "unterminated string")
    }

    @Test("lone or mismatched surrogate escapes are errors")
    func surrogates() {
        expectError(#""\uD800""#, at: 1, containing: "high surrogate escape \\uD800 is not followed by a low surrogate")
        expectError(#""x\uDBFFy""#, at: 2, containing: "is not followed by a low surrogate")
        expectError(#""\uD800\n""#, at: 1, containing: "is not followed by a low surrogate")
        expectError(#""\uD800\u0041""#, at: 1, containing: "followed by \\u0041, which is not a low surrogate")
        expectError(#""\uD800\uD800""#, at: 1, containing: "which is not a low surrogate")
        expectError(#""\uDC00""#, at: 1, containing: "low surrogate escape \\uDC00 is not preceded by a high surrogate")
        expectError(#""\u0041\uDFFF""#, at: 7, containing: "low surrogate escape")
    }

    @Test(
        "numbers follow the RFC grammar",
        arguments: [
            ("01", 0, "leading zeros"),
            ("-01", 1, "leading zeros"),
            ("00", 0, "leading zeros"),
            ("+1", 0, "unexpected character '+', expected a value"),
            (".5", 0, "unexpected character '.', expected a value"),
            ("1.", 2, "unexpected end of input, expected a digit after the decimal point"),
            ("[1.]", 3, "unexpected character ']', expected a digit after the decimal point"),
            ("1.e3", 2, "expected a digit after the decimal point"),
            ("-", 1, "unexpected end of input, expected a digit after '-'"),
            ("-a", 1, "expected a digit after '-'"),
            ("- 1", 1, "expected a digit after '-'"),
            ("1e", 2, "expected a digit in the exponent"),
            ("1e+", 3, "expected a digit in the exponent"),
            ("NaN", 0, "unexpected character 'N'"),
            ("-Infinity", 1, "expected a digit after '-'"),
            ("Infinity", 0, "unexpected character 'I'"),
            ("0x1F", 1, "trailing characters"),
            ("[0x1F]", 2, "unexpected character 'x', expected ',' or ']'"),
            ("1.5.2", 3, "trailing characters"),
        ] as [(String, Int, String)])
    func numberGrammar(input: String, offset: Int, fragment: String) {
        expectError(input, at: offset, containing: fragment)
    }

    @Test("literals must be exact")
    func literals() {
        expectError("tru", at: 3, containing: "unexpected end of input, expected 'true'")
        expectError("trUe", at: 2, containing: "unexpected character 'U', expected 'true'")
        expectError("True", at: 0, containing: "unexpected character 'T', expected a value")
        expectError("nul", at: 3, containing: "expected 'null'")
        expectError("fals e", at: 4, containing: "expected 'false'")
        expectError("[nil]", at: 2, containing: "expected 'null'")
    }

    @Test("duplicate keys are errors, compared after unescaping")
    func duplicateKeys() {
        expectError(#"{"name":1,"name":2}"#, at: 10, containing: #"duplicate key "name""#)
        expectError(#"{"a":1,"\u0061":2}"#, at: 7, containing: #"duplicate key "a""#)
        expectError(#"{"x":{"k":1,"b":2,"k":3}}"#, at: 18, containing: #"duplicate key "k""#)
        expectError(#"{"a\n":1,"a\u000a":2}"#, at: 9, containing: #"duplicate key "a\n""#)
    }

    @Test("structural errors point at the offending byte")
    func structure() {
        expectError("[1,]", at: 3, containing: "unexpected character ']', expected a value")
        expectError("[1 2]", at: 3, containing: "expected ',' or ']'")
        expectError("[1", at: 2, containing: "unexpected end of input, expected ',' or ']'")
        expectError(#"{"a":1,}"#, at: 7, containing: "unexpected character '}', expected a string key")
        expectError(#"{"a" 1}"#, at: 5, containing: "expected ':'")
        expectError(#"{"a":1 "b":2}"#, at: 7, containing: "expected ',' or '}'")
        expectError("{a:1}", at: 1, containing: "expected a string key")
        expectError("{'a':1}", at: 1, containing: "expected a string key")
        expectError(#"{"a":}"#, at: 5, containing: "expected a value")
        expectError(#"{"a"#, at: 1, containing: "unterminated string")
        expectError(#"["abc"#, at: 1, containing: "unterminated string")
    }

    @Test("nesting up to 256 levels is accepted")
    func nestingLimitAccepted() throws {
        let arrays = String(repeating: "[", count: 256) + String(repeating: "]", count: 256)
        #expect(try JSONValue.parse(arrays).arrayValue != nil)
        let objects = String(repeating: #"{"a":"#, count: 255) + "[]" + String(repeating: "}", count: 255)
        #expect(try JSONValue.parse(objects).objectValue != nil)
    }

    @Test("nesting deeper than 256 levels is an error, without overflowing the stack")
    func nestingLimitExceeded() {
        let arrays = String(repeating: "[", count: 257) + String(repeating: "]", count: 257)
        expectError(arrays, at: 256, containing: "nested deeper than 256 levels")
        expectError(String(repeating: "[", count: 100_000), at: 256, containing: "nested deeper than 256 levels")
        let mixed = String(repeating: #"{"a":["#, count: 200)
        expectError(mixed, at: 128 * 6, containing: "nested deeper than 256 levels")
    }

    @Test("errors describe themselves with message and offset")
    func errorDescription() {
        let error = JSONParseError(byteOffset: 7, message: "unterminated string")
        #expect(error.description == "unterminated string (at byte 7)")
    }
}

@Suite("JSONValue serialisation")
struct JSONValueSerializationTests {
    @Test(
        "serialisation is exact on samples",
        arguments: [
            #"{"a":[1,2.50,-0,1e3],"b":"한국어 \"q\"\n","c":null,"d":true}"#,
            #"[]"#,
            #"{}"#,
            #"[{},[],"",0,false]"#,
            #"{"z":1,"a":2,"m":{"y":[null],"b":-1.5E-7}}"#,
            #""tab\t, bell \u0007, \"quoted\", back\\slash, 한국어 😀""#,
        ])
    func samples(text: String) throws {
        #expect(try JSONValue.parse(text).serialized() == text)
    }

    @Test("escapes that need no escaping are written plainly")
    func unnecessaryEscapes() throws {
        let value = try JSONValue.parse(#""\/ \u0041\u00e9\uD55C \ud83d\ude00 \u007f""#)
        #expect(value.serialized() == "\"/ Aé한 😀 \u{7F}\"")
    }

    @Test("whitespace is removed")
    func compact() throws {
        let value = try JSONValue.parse(" { \"a\" : [ 1 , 2 ] ,\n\t\"b\" : { } } ")
        #expect(value.serialized() == #"{"a":[1,2],"b":{}}"#)
    }

    @Test("control characters are escaped with short forms or lowercase \\u00XX")
    func controlEscapes() {
        let all = String(decoding: (0..<0x20).map { UInt8($0) }, as: UTF8.self)
        let expected =
            #""\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f"#
            + #"\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f""#
        #expect(JSONValue.string(all).serialized() == expected)
        #expect(JSONValue.string("\"\\/\u{7F}é한😀").serialized() == "\"\\\"\\\\/\u{7F}é한😀\"")
    }

    @Test("serialize(into:) appends to an existing buffer")
    func serializeInto() {
        var bytes = Array("x=".utf8)
        JSONValue.array([.number("1"), .string("한")]).serialize(into: &bytes)
        #expect(bytes == Array(#"x=[1,"한"]"#.utf8))
    }

    @Test("object keys are escaped like strings")
    func keyEscaping() {
        let object = JSONObject([(key: "a\"b\n", value: .null)])
        #expect(JSONValue.object(object).serialized() == #"{"a\"b\n":null}"#)
    }
}

@Suite("JSONValue round trips")
struct JSONValueRoundTripTests {
    @Test("parse → serialise → parse gives an equal value and identical text")
    func roundTrip() throws {
        let texts = [
            #"{"a":[1,2.50,-0,1e3],"b":"한국어 \"q\"\n","c":null,"d":true}"#,
            #"{"emoji":"😀","nul":"\u0000","nested":[[[{"x":[]}]]],"n":-123.456e+78}"#,
            #"[1,"two",{"three":3},[4],null,true,false]"#,
        ]
        for text in texts {
            let value = try JSONValue.parse(text)
            let serialized = value.serialized()
            let reparsed = try JSONValue.parse(serialized)
            #expect(reparsed == value)
            #expect(reparsed.serialized() == serialized)
            #expect(reparsed.hashValue == value.hashValue)
        }
    }

    @Test("a few thousand Korean-text objects round-trip")
    func manyObjects() throws {
        var document: [UInt8] = Array("[".utf8)
        var originals: [JSONValue] = []
        for index in 0..<5_000 {
            let object = JSONObject([
                (key: "id", value: .number(String(index))),
                (key: "type", value: .string("상담.기록됨")),
                (key: "text", value: .string("고객이 \(index)번째 상담에서 \"환불\"을 요청했습니다.\n다음 단계: 확인 😀")),
                (key: "score", value: .number("\(index).50")),
                (key: "flags", value: .array([.bool(index.isMultiple(of: 2)), .null])),
            ])
            let value = JSONValue.object(object)
            originals.append(value)
            if index > 0 { document.append(UInt8(ascii: ",")) }
            value.serialize(into: &document)
        }
        document.append(UInt8(ascii: "]"))
        let parsed = try JSONValue.parse(document)
        #expect(parsed == .array(originals))
        var reserialized: [UInt8] = []
        parsed.serialize(into: &reserialized)
        #expect(reserialized == document)
    }
}

@Suite("JSONObject")
struct JSONObjectTests {
    @Test("member order is preserved")
    func order() throws {
        let value = try JSONValue.parse(#"{"b":1,"a":2,"c":3}"#)
        let object = try #require(value.objectValue)
        #expect(object.keys == ["b", "a", "c"])
        #expect(object.members.map(\.value) == [.number("1"), .number("2"), .number("3")])
        #expect(object.map(\.key) == ["b", "a", "c"])
        #expect(object.count == 3)
    }

    @Test("subscript set appends, replaces in place, and removes with nil")
    func subscriptSet() {
        var object = JSONObject()
        object["x"] = .number("1")
        object["y"] = .number("2")
        object["z"] = .number("3")
        #expect(object.keys == ["x", "y", "z"])
        object["x"] = .string("replaced")
        #expect(object.keys == ["x", "y", "z"])
        #expect(object["x"] == .string("replaced"))
        object["y"] = nil
        #expect(object.keys == ["x", "z"])
        #expect(object["y"] == nil)
        object["missing"] = nil
        #expect(object.count == 2)
        object["y"] = .null
        #expect(object.keys == ["x", "z", "y"])
        #expect(object["y"] == .null)
    }

    @Test("subscript semantics hold past the lookup-index threshold")
    func subscriptSetLarge() {
        var object = JSONObject()
        for index in 0..<40 {
            object["k\(index)"] = .number(String(index))
        }
        object["k3"] = .bool(true)
        object["k0"] = nil
        object["k39"] = nil
        object["new"] = .null
        #expect(object.count == 39)
        #expect(object.keys.first == "k1")
        #expect(object.keys[2] == "k3")
        #expect(object["k3"] == .bool(true))
        #expect(object["k20"] == .number("20"))
        #expect(object["k0"] == nil)
        #expect(object.keys.last == "new")
        for index in 1..<30 {
            object["k\(index)"] = nil
        }
        #expect(object.keys == (30..<39).map { "k\($0)" } + ["new"])
        #expect(object["k35"] == .number("35"))
    }

    @Test("init with duplicate keys replaces the earlier value in place")
    func initWithDuplicates() {
        let object = JSONObject([
            (key: "a", value: .number("1")),
            (key: "b", value: .null),
            (key: "a", value: .number("2")),
        ])
        #expect(object.keys == ["a", "b"])
        #expect(object["a"] == .number("2"))
    }

    @Test("equality and hashing compare members in order")
    func equality() {
        let ab = JSONObject([(key: "a", value: .number("1")), (key: "b", value: .number("2"))])
        let ba = JSONObject([(key: "b", value: .number("2")), (key: "a", value: .number("1"))])
        var built = JSONObject()
        built["a"] = .number("1")
        built["b"] = .number("2")
        #expect(ab != ba)
        #expect(ab == built)
        #expect(ab.hashValue == built.hashValue)
        #expect(Set([JSONValue.object(ab), .object(built), .object(ba)]).count == 2)
        #expect(JSONValue.number("1.0") != .number("1"))
    }
}

@Suite("JSONValue accessors")
struct JSONValueAccessorTests {
    @Test(
        "int64Value edge cases",
        arguments: [
            ("9223372036854775807", Int64.max as Int64?),
            ("-9223372036854775808", Int64.min),
            ("9223372036854775808", nil),
            ("-9223372036854775809", nil),
            ("99999999999999999999", nil),
            ("1.0", nil),
            ("1e3", nil),
            ("1E3", nil),
            ("-0", 0),
            ("0", 0),
            ("42", 42),
            ("-42", -42),
            ("+1", nil),
            ("01", nil),
            ("", nil),
            ("-", nil),
        ] as [(String, Int64?)])
    func int64Value(lexeme: String, expected: Int64?) {
        #expect(JSONValue.number(lexeme).int64Value == expected)
    }

    @Test("int64Value is nil for non-numbers")
    func int64ValueNonNumbers() {
        #expect(JSONValue.string("1").int64Value == nil)
        #expect(JSONValue.bool(true).int64Value == nil)
    }

    @Test("typed accessors return values only for their own case")
    func accessors() {
        let values: [JSONValue] = [.null, .bool(false), .number("1"), .string("s"), .array([]), .object(JSONObject())]
        #expect(values.map(\.typeName) == ["null", "boolean", "number", "string", "array", "object"])
        #expect(values.map(\.isNull) == [true, false, false, false, false, false])
        #expect(values.compactMap(\.boolValue) == [false])
        #expect(values.compactMap(\.stringValue) == ["s"])
        #expect(values.compactMap(\.arrayValue) == [[]])
        #expect(values.compactMap(\.objectValue) == [JSONObject()])
    }
}
