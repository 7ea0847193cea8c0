import Foundation

/// One line of a `.jsonl` file: an event as users write it, checked for shape.
///
/// This checks the envelope only: a JSON object with a known `type`, a `data` object, an
/// optional `id` (UUID), `expectedVersion` (integer ≥ 0), `metadata` (object) and `recorded`
/// (written by `consult export`), nothing else, and the data field that names the event's stream.
public struct EventEnvelope: Sendable, Equatable {
    public var type: EventType
    /// The data as written, in schema version `schemaVersion` of its type.
    public var data: JSONObject
    /// The version of `type` the data is written in (`Upcasting.inputVersion`): an earlier one
    /// for input in an old shape, which is upcast before it is checked by the rules and stored.
    public var schemaVersion: Int
    public var id: UUID?
    public var expectedVersion: Int?
    public var metadata: JSONObject
    public var stream: EventStream
    /// Where and when the exporting store recorded the event, and its hash there.
    public var recorded: Recorded?

    /// `"recorded": {"stream": …, "version": …, "schemaVersion": …, "recordedAt": …, "hash": …}`,
    /// as `consult export` writes it: enough to recompute the export's hash chains.
    ///
    /// An export that starts mid-stream (`consult export --since`) adds `"follows": {"id": …,
    /// "hash": …}` to the first line of each stream it does not export from version 1: the event
    /// before it in the exporting store, whose hash its own hash chains from. The store that logs
    /// such a file must hold that event already.
    public struct Recorded: Sendable, Equatable {
        public var stream: String
        public var version: Int
        public var schemaVersion: Int
        public var recordedAt: Timestamp
        /// 32 bytes.
        public var hash: [UInt8]
        /// The event before this one in its stream, when the export starts after it.
        public var follows: Predecessor?

        /// The event a mid-stream export's first line of a stream comes after.
        public struct Predecessor: Sendable, Equatable {
            public var id: UUID
            /// 32 bytes.
            public var hash: [UInt8]

            public init(id: UUID, hash: [UInt8]) {
                self.id = id
                self.hash = hash
            }
        }

        public init(
            stream: String, version: Int, schemaVersion: Int, recordedAt: Timestamp, hash: [UInt8],
            follows: Predecessor? = nil
        ) {
            self.stream = stream
            self.version = version
            self.schemaVersion = schemaVersion
            self.recordedAt = recordedAt
            self.hash = hash
            self.follows = follows
        }

        static func parse(_ value: JSONValue) -> Result<Recorded, Violations> {
            func fail(_ field: String, _ message: String) -> Result<Recorded, Violations> {
                .failure(Violations([Violation(field: "recorded.\(field)", message: message)]))
            }
            guard case .object(let object) = value else {
                return .failure(
                    Violations([Violation(field: "recorded", message: "must be an object, not \(value.typeName)")]))
            }
            for key in object.keys
            where !["stream", "version", "schemaVersion", "recordedAt", "hash", "follows"].contains(key) {
                return fail(
                    key, "is not a known field (expected stream, version, schemaVersion, recordedAt, hash, follows)")
            }
            guard case .string(let stream)? = object["stream"], !stream.isEmpty else {
                return fail("stream", "must be a non-empty string")
            }
            guard let version = object["version"]?.int64Value, version >= 1, version <= Int32.max else {
                return fail("version", "must be an integer ≥ 1")
            }
            guard let schemaVersion = object["schemaVersion"]?.int64Value, schemaVersion >= 1,
                schemaVersion <= Int32.max
            else { return fail("schemaVersion", "must be an integer ≥ 1") }
            guard case .string(let text)? = object["recordedAt"], let recordedAt = Timestamp(rfc3339: text) else {
                return fail("recordedAt", "must be an RFC 3339 time")
            }
            guard case .string(let hex)? = object["hash"], let hash = ExportClosingLine.hexBytes(hex) else {
                return fail("hash", "must be 64 hexadecimal digits")
            }
            var follows: Predecessor?
            if let value = object["follows"] {
                guard case .object(let predecessor) = value,
                    Set(predecessor.keys).isSubset(of: ["id", "hash"])
                else { return fail("follows", "must be an object with id and hash") }
                guard version > 1 else {
                    return fail("follows", "is only for a version after the first (version is 1)")
                }
                guard case .string(let idText)? = predecessor["id"], let id = UUID(uuidString: idText) else {
                    return fail("follows.id", "must be a UUID")
                }
                guard case .string(let hex)? = predecessor["hash"], let hash = ExportClosingLine.hexBytes(hex) else {
                    return fail("follows.hash", "must be 64 hexadecimal digits")
                }
                follows = Predecessor(id: id, hash: hash)
            }
            return .success(
                Recorded(
                    stream: stream, version: Int(version), schemaVersion: Int(schemaVersion), recordedAt: recordedAt,
                    hash: hash, follows: follows))
        }
    }

    /// The data upcast to the type's current version: what the rules check and the store keeps.
    public var currentData: JSONObject { Upcasting.upcast(data, of: type, from: schemaVersion) }

    /// The envelope's keys, in the order `export` writes them.
    public static let keys = ["type", "id", "expectedVersion", "data", "metadata", "recorded"]

    public init(
        type: EventType, data: JSONObject, schemaVersion: Int? = nil, id: UUID? = nil, expectedVersion: Int? = nil,
        metadata: JSONObject = JSONObject(), stream: EventStream, recorded: Recorded? = nil
    ) {
        self.type = type
        self.data = data
        self.schemaVersion = schemaVersion ?? type.schemaVersion
        self.id = id
        self.expectedVersion = expectedVersion
        self.metadata = metadata
        self.stream = stream
        self.recorded = recorded
    }

    /// Checks `value` and returns the envelope, or every violation found.
    public static func parse(_ value: JSONValue) -> Result<EventEnvelope, Violations> {
        var violations: [Violation] = []
        guard case .object(let object) = value else {
            return .failure(Violations([Violation(field: "", message: "must be a JSON object, not \(value.typeName)")]))
        }
        for key in object.keys where !keys.contains(key) {
            violations.append(
                Violation(field: key, message: "is not a known field (expected \(keys.joined(separator: ", ")))"))
        }

        var type: EventType?
        switch object["type"] {
        case nil:
            violations.append(Violation(field: "type", message: "is required"))
        case .string(let name)?:
            type = EventType(rawValue: name)
            if type == nil {
                violations.append(Violation(field: "type", message: "\"\(name)\" is not a known event type"))
            }
        case let other?:
            violations.append(Violation(field: "type", message: "must be a string, not \(other.typeName)"))
        }

        var data: JSONObject?
        switch object["data"] {
        case nil: violations.append(Violation(field: "data", message: "is required"))
        case .object(let value)?: data = value
        case let other?:
            violations.append(Violation(field: "data", message: "must be an object, not \(other.typeName)"))
        }

        var id: UUID?
        switch object["id"] {
        case nil: break
        case .string(let text)?:
            id = UUID(uuidString: text)
            if id == nil { violations.append(Violation(field: "id", message: "\"\(text)\" is not a UUID")) }
        case let other?:
            violations.append(Violation(field: "id", message: "must be a UUID string, not \(other.typeName)"))
        }

        var expectedVersion: Int?
        switch object["expectedVersion"] {
        case nil: break
        case let value? where value.int64Value.map({ $0 >= 0 && $0 <= Int32.max }) == true:
            expectedVersion = value.int64Value.map { Int($0) }
        case let other?:
            violations.append(
                Violation(field: "expectedVersion", message: "must be an integer ≥ 0, not \(describe(other))"))
        }

        var metadata = JSONObject()
        switch object["metadata"] {
        case nil: break
        case .object(let value)?: metadata = value
        case let other?:
            violations.append(Violation(field: "metadata", message: "must be an object, not \(other.typeName)"))
        }

        var recorded: Recorded?
        if let value = object["recorded"] {
            switch Recorded.parse(value) {
            case .success(let parsed): recorded = parsed
            case .failure(let found): violations += found.items
            }
        }

        if recorded != nil && object["id"] == nil {
            violations.append(
                Violation(field: "id", message: "is required with recorded (an exported event keeps its id)"))
        }

        if containsNul(value) { violations += nulCharacters(in: value, path: "") }

        var schemaVersion: Int?
        if let type, let data {
            switch Upcasting.inputVersion(of: type, data: data) {
            case .success(let version):
                schemaVersion = version
                if let recorded, recorded.schemaVersion != version {
                    violations.append(
                        Violation(
                            field: "recorded.schemaVersion",
                            message:
                                "is \(recorded.schemaVersion), but the data is written in version \(version) of "
                                + "\(type.rawValue)"
                                + (recorded.schemaVersion > type.schemaVersion
                                    ? " (this consult knows versions up to \(type.schemaVersion))" : "")))
                }
            case .failure(let violation):
                violations.append(violation)
            }
        }

        var stream: EventStream?
        if let type, let data {
            switch type.streamRule {
            case .record(let prefix, let field):
                switch data[field] {
                case .string(let slug)? where Slug.isValid(slug):
                    stream = .named("\(prefix)-\(slug)")
                case .string(let text)?:
                    violations.append(
                        Violation(field: "data.\(field)", message: "\"\(text)\" is not a valid id (\(Slug.rule))"))
                case nil:
                    violations.append(Violation(field: "data.\(field)", message: "is required"))
                case let other?:
                    violations.append(
                        Violation(field: "data.\(field)", message: "must be a string, not \(other.typeName)"))
                }
            case .targetEvent(let field):
                switch data[field] {
                case .string(let text)?:
                    if let target = UUID(uuidString: text) {
                        stream = .ofEvent(target)
                    } else {
                        violations.append(Violation(field: "data.\(field)", message: "\"\(text)\" is not a UUID"))
                    }
                case nil:
                    violations.append(Violation(field: "data.\(field)", message: "is required"))
                case let other?:
                    violations.append(
                        Violation(field: "data.\(field)", message: "must be a UUID string, not \(other.typeName)"))
                }
            }
        }

        guard violations.isEmpty, let type, let data, let stream else {
            return .failure(Violations(violations))
        }
        return .success(
            EventEnvelope(
                type: type, data: data, schemaVersion: schemaVersion, id: id, expectedVersion: expectedVersion,
                metadata: metadata, stream: stream, recorded: recorded))
    }

    /// Whether any key or string in `value` holds U+0000: the quick test before naming where.
    private static func containsNul(_ value: JSONValue) -> Bool {
        switch value {
        case .string(let text): text.utf8.contains(0)
        case .array(let elements): elements.contains(where: containsNul)
        case .object(let object): object.members.contains { $0.key.utf8.contains(0) || containsNul($0.value) }
        default: false
        }
    }

    /// PostgreSQL cannot store U+0000 in text or jsonb, so it is refused up front.
    private static func nulCharacters(in value: JSONValue, path: String) -> [Violation] {
        switch value {
        case .string(let text) where text.utf8.contains(0):
            return [Violation(field: path, message: "contains the character U+0000, which cannot be stored")]
        case .array(let elements):
            return elements.enumerated().flatMap { nulCharacters(in: $1, path: "\(path)[\($0)]") }
        case .object(let object):
            return object.members.flatMap { member -> [Violation] in
                let field = path.isEmpty ? member.key : "\(path).\(member.key)"
                if member.key.utf8.contains(0) {
                    return [Violation(field: path, message: "has a key containing U+0000, which cannot be stored")]
                }
                return nulCharacters(in: member.value, path: field)
            }
        default:
            return []
        }
    }

    private static func describe(_ value: JSONValue) -> String {
        if case .number(let lexeme) = value { return lexeme }
        return value.typeName
    }
}

/// Which stream an event goes to.
public enum EventStream: Sendable, Hashable {
    /// e.g. `commitment-msit-gpu-2024`.
    case named(String)
    /// The stream of the event with this id (corrections and retractions).
    case ofEvent(UUID)
}

/// One rule an input broke: the field (a dotted path, `data.summary`) and why.
public struct Violation: Error, Sendable, Hashable, CustomStringConvertible {
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { field.isEmpty ? message : "\(field) \(message)" }
}

/// Every violation found in one input.
public struct Violations: Error, Sendable, Hashable {
    public var items: [Violation]
    public init(_ items: [Violation]) { self.items = items }
}
