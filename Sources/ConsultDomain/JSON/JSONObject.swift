// Written here rather than stored in swift-collections' OrderedDictionary, because that was slower
// on the parse-and-serialise path that every logged event takes. Measured on this project's machine
// (2 cores, release build, CPU time, OrderedDictionary 1.6.0 with one lookup per parsed key): the
// 10,000 lines of `tools/generate-dataset 10000` (5.4 MB), parsed and serialised 100,000 times, ran
// at 415,000–419,000 lines/s with this type and 352,000–370,000 with OrderedDictionary (12–16%
// slower, three rounds each); the 92 lines of examples/sample-dataset.jsonl at 439,000–453,000
// against 354,000–387,000. Callgrind counted 49,400 against 53,600 instructions a line. (tools/fuzz
// also compiles this module's files alone with swiftc, which a package import would complicate.)

/// The members of a JSON object, in order; duplicate keys are impossible (the parser refuses them).
///
/// Equality and hashing compare the members in order, so `{"a":1,"b":2}` differs from `{"b":2,"a":1}`.
public struct JSONObject: Sendable, Equatable, Hashable, Sequence {
    /// One member: a key and its value.
    public typealias Element = (key: String, value: JSONValue)

    /// Small objects are searched linearly; from this size on a key → position index is kept. The
    /// rows the reads print (up to 26 keys, tens of thousands of them at once) stay below it.
    private static let indexThreshold = 32

    private var storage: [Element]
    /// Position of each key in `storage`; `nil` while the object is smaller than `indexThreshold`.
    private var index: [String: Int]?

    /// Creates an empty object.
    public init() {
        storage = []
        index = nil
    }

    /// Creates an object from members in order; a later duplicate key replaces the earlier value in place.
    public init(_ members: [(key: String, value: JSONValue)]) {
        self.init()
        storage.reserveCapacity(members.count)
        for member in members {
            self[member.key] = member.value
        }
    }

    /// Creates an object from members in order whose keys the caller knows are distinct, without
    /// looking any of them up: how a read's rows are built, tens of thousands at a time.
    public init(distinctMembers members: [(key: String, value: JSONValue)]) {
        storage = members
        index = nil
        rebuildIndex()
    }

    /// The members in order.
    public var members: [(key: String, value: JSONValue)] { storage }

    /// The keys in order.
    public var keys: [String] { storage.map(\.key) }

    /// The number of members.
    public var count: Int { storage.count }

    /// Whether the object has no members.
    public var isEmpty: Bool { storage.isEmpty }

    /// The value for `key`, or `nil` when absent.
    ///
    /// Setting a new key appends it at the end, setting an existing key replaces its value in place,
    /// and setting `nil` removes the member.
    public subscript(key: String) -> JSONValue? {
        get {
            guard let position = position(of: key) else { return nil }
            return storage[position].value
        }
        set {
            let position = position(of: key)
            switch (position, newValue) {
            case (let position?, let value?):
                storage[position].value = value
            case (let position?, nil):
                storage.remove(at: position)
                rebuildIndex()
            case (nil, let value?):
                appendNew(key: key, value: value)
            case (nil, nil):
                break
            }
        }
    }

    /// Returns an iterator over the members in order.
    public func makeIterator() -> IndexingIterator<[Element]> {
        storage.makeIterator()
    }

    /// Whether a member with `key` exists.
    func contains(key: String) -> Bool {
        position(of: key) != nil
    }

    /// Appends a member whose key the caller knows is not present yet.
    mutating func appendNew(key: String, value: JSONValue) {
        storage.append((key: key, value: value))
        if index != nil {
            index?[key] = storage.count - 1
        } else if storage.count >= Self.indexThreshold {
            rebuildIndex()
        }
    }

    private func position(of key: String) -> Int? {
        if let index { return index[key] }
        return storage.firstIndex { $0.key == key }
    }

    private mutating func rebuildIndex() {
        guard storage.count >= Self.indexThreshold else {
            index = nil
            return
        }
        var rebuilt = [String: Int](minimumCapacity: storage.count)
        for (position, member) in storage.enumerated() {
            rebuilt[member.key] = position
        }
        index = rebuilt
    }

    /// Compares members in order; the lookup index plays no part.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.storage.count == rhs.storage.count else { return false }
        for (left, right) in zip(lhs.storage, rhs.storage) where left.key != right.key || left.value != right.value {
            return false
        }
        return true
    }

    /// Hashes members in order, consistently with `==`.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage.count)
        for member in storage {
            hasher.combine(member.key)
            hasher.combine(member.value)
        }
    }
}
