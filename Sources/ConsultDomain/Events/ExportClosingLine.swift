/// A line that closes an export, after its events (`consult export` writes them; `log --file` and
/// `restore` check them): a stream's head, or the end line.
///
/// `{"head":{"stream":"commitment-x","version":3,"hash":"<64 hex>"}}`: where the stream ends in
/// the exporting store. `{"end":{"events":N,"streams":M,"digest":"<64 hex>"}}`, with
/// `"partial":true` when the export was made with `--since`: the counts of the file's event lines
/// and streams, and SHA-256 over the event lines' hashes (32 bytes each) in file order.
public enum ExportClosingLine: Sendable, Equatable {
    case head(stream: String, version: Int, hash: [UInt8])
    case end(events: Int, streams: Int, digest: [UInt8], partial: Bool)

    /// Whether `value` is meant as a closing line: an object whose only key is `head` or `end`.
    /// Such a line is parsed with `parse`; any other line is an event.
    public static func isClosingLine(_ value: JSONValue) -> Bool {
        guard case .object(let object) = value, object.count == 1, let key = object.keys.first else { return false }
        return key == "head" || key == "end"
    }

    /// Checks a closing line's shape; `value` is one for which `isClosingLine` holds.
    public static func parse(_ value: JSONValue) -> Result<ExportClosingLine, Violations> {
        func fail(_ field: String, _ message: String) -> Result<ExportClosingLine, Violations> {
            .failure(Violations([Violation(field: field, message: message)]))
        }
        guard case .object(let outer) = value, let key = outer.keys.first, let inner = outer[key] else {
            return fail("", "must be a head or end line")
        }
        guard case .object(let object) = inner else {
            return fail(key, "must be an object, not \(inner.typeName)")
        }
        let known = key == "head" ? ["stream", "version", "hash"] : ["events", "streams", "digest", "partial"]
        for field in object.keys where !known.contains(field) {
            return fail("\(key).\(field)", "is not a known field (expected \(known.joined(separator: ", ")))")
        }
        func count(_ field: String, minimum: Int64) -> Int? {
            guard let number = object[field]?.int64Value, number >= minimum, number <= Int32.max else { return nil }
            return Int(number)
        }
        func hash(_ field: String) -> [UInt8]? {
            guard case .string(let text)? = object[field] else { return nil }
            return hexBytes(text)
        }
        if key == "head" {
            guard case .string(let stream)? = object["stream"], !stream.isEmpty else {
                return fail("head.stream", "must be a non-empty string")
            }
            guard let version = count("version", minimum: 1) else {
                return fail("head.version", "must be an integer ≥ 1")
            }
            guard let bytes = hash("hash") else { return fail("head.hash", "must be 64 hexadecimal digits") }
            return .success(.head(stream: stream, version: version, hash: bytes))
        }
        guard let events = count("events", minimum: 0) else { return fail("end.events", "must be an integer ≥ 0") }
        guard let streams = count("streams", minimum: 0) else { return fail("end.streams", "must be an integer ≥ 0") }
        guard let digest = hash("digest") else { return fail("end.digest", "must be 64 hexadecimal digits") }
        var partial = false
        switch object["partial"] {
        case nil: break
        case .bool(let value)?: partial = value
        case let other?: return fail("end.partial", "must be true or false, not \(other.typeName)")
        }
        return .success(.end(events: events, streams: streams, digest: digest, partial: partial))
    }

    /// The line as `consult export` writes it (keys in this order, lower-case hex).
    public var json: JSONValue {
        var inner = JSONObject()
        var outer = JSONObject()
        switch self {
        case .head(let stream, let version, let hash):
            inner["stream"] = .string(stream)
            inner["version"] = .number(String(version))
            inner["hash"] = .string(Self.hex(hash))
            outer["head"] = .object(inner)
        case .end(let events, let streams, let digest, let partial):
            inner["events"] = .number(String(events))
            inner["streams"] = .number(String(streams))
            inner["digest"] = .string(Self.hex(digest))
            if partial { inner["partial"] = .bool(true) }
            outer["end"] = .object(inner)
        }
        return .object(outer)
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// 64 lower- or upper-case hex digits as 32 bytes; nil otherwise (the hashes of export lines).
    static func hexBytes(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count == 64 else { return nil }
        func value(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for index in stride(from: 0, to: 64, by: 2) {
            guard let high = value(utf8[index]), let low = value(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }
}
