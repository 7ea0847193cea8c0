import ArgumentParser
import ConsultCore
import ConsultDomain
import Foundation

/// Parsers for the structured values of `consult log <kind>` flags (`--participant`, `--source`,
/// `--change`, UUIDs).
///
/// They check only the syntax, so a malformed value is a usage error (exit 64). What the values
/// mean (a role within its list, a real date, a slug) is left to the domain rules, which check
/// every event the same way whether it comes from flags or from a file.
public enum LogFlagValues {
    /// The keys `--source` and `--evidence` take, in the order the schema lists them.
    static let sourceKeys: [String] = {
        guard case .object(_, let fields) = EventSchema.source else { return [] }
        return fields.map(\.name)
    }()

    /// `2f0b8f9e-4c1e-4a53-9d0e-0c6c1b2f7a10`.
    static func uuid(_ text: String) throws -> UUID {
        guard let id = UUID(uuidString: text) else {
            throw ValidationError("not a UUID (e.g. 2f0b8f9e-4c1e-4a53-9d0e-0c6c1b2f7a10)")
        }
        return id
    }

    /// `lee-jong-ho:host` → `{"stakeholderId": "lee-jong-ho", "role": "host"}`.
    public static func participant(_ text: String) throws -> JSONValue {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw ValidationError("write STAKEHOLDER-ID:ROLE, e.g. lee-jong-ho:host")
        }
        return .object(JSONObject([("stakeholderId", .string(String(parts[0]))), ("role", .string(String(parts[1])))]))
    }

    /// `publisher=뉴스토마토,title=…,url=https://…,publishedOn=2023-03-08` → a source object.
    ///
    /// A comma separates pairs only where a `key=` follows it, so titles may contain commas.
    public static func source(_ text: String) throws -> JSONValue {
        let example = "e.g. publisher=뉴스토마토,publishedOn=2023-03-08"
        var values: [String: String] = [:]
        for pair in splitPairs(text) {
            guard let equals = pair.firstIndex(of: "=") else {
                throw ValidationError("write KEY=VALUE pairs separated by commas, \(example)")
            }
            let key = camelCase(String(pair[..<equals]))
            guard sourceKeys.contains(key) else {
                throw ValidationError(
                    "unknown key \"\(pair[..<equals])\" (the keys are \(sourceKeys.joined(separator: ", ")))")
            }
            guard values[key] == nil else { throw ValidationError("the key \"\(key)\" is given twice") }
            values[key] = String(pair[pair.index(after: equals)...])
        }
        return .object(JSONObject(sourceKeys.compactMap { key in values[key].map { (key, .string($0)) } }))
    }

    /// `due=2023-06` → (`due`, `"2023-06"`); `topics=["data"]` → (`topics`, `["data"]`); `due=null`
    /// removes the field.
    ///
    /// The value is JSON when it parses as `null`, a quoted string, an array or an object; anything
    /// else is taken as text. No data field holds a number or a boolean, so `due=2025` is the year
    /// 2025 written as text, which is what the user means.
    public static func change(_ text: String) throws -> FieldChange {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
            throw ValidationError("write FIELD=VALUE, e.g. due=2023-06 or 'topics=[\"data\"]' or due=null")
        }
        let raw = String(text[text.index(after: equals)...])
        return FieldChange(field: camelCase(String(text[..<equals])), value: jsonIfMeant(raw) ?? .string(raw))
    }

    /// `raw` as JSON when it is `null`, a quoted string, an array or an object; nil otherwise.
    private static func jsonIfMeant(_ raw: String) -> JSONValue? {
        guard let parsed = try? JSONValue.parse(raw) else { return nil }
        switch parsed {
        case .null, .string, .array, .object: return parsed
        case .bool, .number: return nil
        }
    }

    /// One field a correction replaces.
    public struct FieldChange: Sendable {
        public var field: String
        public var value: JSONValue
    }

    /// `published-on` → `publishedOn`; data field names are camelCase, flags kebab-case, and
    /// either spelling is accepted.
    static func camelCase(_ name: String) -> String {
        let words = name.split(separator: "-", omittingEmptySubsequences: false)
        guard let first = words.first else { return name }
        return String(first) + words.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// Splits `a=1,b=x,y,c=2` into `a=1`, `b=x,y`, `c=2`: a comma ends a pair only when a key
    /// (letters and `-`) and `=` come right after it.
    static func splitPairs(_ text: String) -> [Substring] {
        var pairs: [Substring] = []
        var start = text.startIndex
        var index = text.startIndex
        while index < text.endIndex {
            if text[index] == ",", startsWithKey(text[text.index(after: index)...]) {
                pairs.append(text[start..<index])
                start = text.index(after: index)
            }
            index = text.index(after: index)
        }
        pairs.append(text[start...])
        return pairs
    }

    private static func startsWithKey(_ text: Substring) -> Bool {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else { return false }
        return text[..<equals].allSatisfy { ($0.isASCII && $0.isLetter) || $0 == "-" }
    }
}

extension JSONValue {
    /// An array of strings, or nil (the field left out) when there are none.
    static func strings(ifAny values: [String]) -> JSONValue? {
        values.isEmpty ? nil : strings(values)
    }
}
