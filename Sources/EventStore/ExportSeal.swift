import Foundation

/// The lines that close an export, after its events: one head per stream that has lines in the
/// file, sorted by stream id (bytes of UTF-8), then the end line.
///
/// The per-stream chains show a line changed, or removed or moved inside its stream. They cannot
/// show a stream's last lines removed (the chain that is left is whole), nor two lines of different
/// streams swapped, nor the file cut after a whole stream. The heads show the first: each says
/// which version and hash its stream ends at in the store. The end line shows the rest: it counts
/// the events and streams, and its digest is SHA-256 over the event lines' hashes (32 bytes each)
/// in file order, so the order across streams and the file's last line are covered too.
public enum ExportSeal {
    /// `{"head":{"stream":…,"version":…,"hash":…}}`: where a stream ends in the exporting store.
    public struct Head: Sendable, Hashable {
        public var stream: String
        public var version: Int
        /// 32 bytes.
        public var hash: [UInt8]

        public init(stream: String, version: Int, hash: [UInt8]) {
            self.stream = stream
            self.version = version
            self.hash = hash
        }
    }

    /// `{"end":{"events":…,"streams":…,"digest":…}}`, with `"partial":true` when the export was made
    /// with `--since` (it continues an earlier one, so it cannot be restored on its own).
    public struct End: Sendable, Hashable {
        public var events: Int
        public var streams: Int
        /// 32 bytes.
        public var digest: [UInt8]
        public var partial: Bool

        public init(events: Int, streams: Int, digest: [UInt8], partial: Bool = false) {
            self.events = events
            self.streams = streams
            self.digest = digest
            self.partial = partial
        }
    }

    /// What a store wrote after the events of an export: the heads, sorted, and the end.
    public struct Trailer: Sendable, Hashable {
        public var heads: [Head]
        public var end: End
    }

    /// SHA-256 over the event hashes of an export, in file order.
    public struct Digest: Sendable {
        private var hasher = SHA256()
        public private(set) var count = 0

        public init() {}

        public mutating func add(_ hash: [UInt8]) {
            hasher.update(hash)
            count += 1
        }

        public func finalize() -> [UInt8] { hasher.finalize() }
    }

    /// Whether `a` sorts before `b` in an export's heads: by the bytes of their UTF-8, as
    /// `ORDER BY stream_id COLLATE "C"` sorts them.
    public static func precedes(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// Why an export's closing lines do not hold.
    public enum Problem: Error, Sendable, Hashable {
        /// An event line after a head or the end line.
        case eventAfterTrailer
        /// A line after the end line.
        case lineAfterEnd
        /// The line is `found` of its stream where `expected` comes next: lines were removed or moved.
        case versionOutOfOrder(stream: String, found: Int, expected: Int)
        /// A head for a stream with no lines in the file, or a second head for one.
        case headWithoutLines(stream: String)
        /// Heads are not sorted by stream id.
        case headOutOfOrder(stream: String)
        /// A head that is not where its stream's lines end: the stream's last lines were removed,
        /// or the head was changed.
        case headMismatch(stream: String, headVersion: Int, lastVersion: Int)
        /// Streams with lines but no head (`missing` of them; `stream` is the first, by id).
        case missingHeads(stream: String, missing: Int)
        /// The end line's counts differ from the file's.
        case countMismatch(what: String, said: Int, found: Int)
        /// The digest of the event lines differs from the end line's.
        case digestMismatch
        /// The input stopped before the end line.
        case noEnd
    }

    /// Checks an export's lines as they come, in bounded memory: per stream, its last version and
    /// hash (dropped when its head has been checked), and the running digest.
    public struct Checker: Sendable {
        private var last: [String: (version: Int, hash: [UInt8])] = [:]
        private var digest = Digest()
        /// Streams with event lines so far.
        public private(set) var streams = 0
        private var lastHead: String?
        /// Whether a head or the end line has come.
        public private(set) var sawTrailer = false
        public private(set) var ended = false

        public init() {}

        /// An event line: version `version` of `stream`, with `hash`; `follows` is the hash of
        /// version − 1 when the line says it continues the stream from outside the file.
        public mutating func event(stream: String, version: Int, hash: [UInt8], follows: [UInt8]? = nil) throws(Problem)
        {
            guard !ended else { throw .lineAfterEnd }
            guard !sawTrailer else { throw .eventAfterTrailer }
            let previous = last[stream]
            let expected = previous.map { $0.version + 1 } ?? (follows == nil ? 1 : version)
            guard version == expected else {
                throw .versionOutOfOrder(stream: stream, found: version, expected: expected)
            }
            if previous == nil { streams += 1 }
            last[stream] = (version, hash)
            digest.add(hash)
        }

        /// A head line.
        public mutating func head(_ head: Head) throws(Problem) {
            guard !ended else { throw .lineAfterEnd }
            sawTrailer = true
            if let lastHead, !ExportSeal.precedes(lastHead, head.stream) {
                throw lastHead == head.stream
                    ? .headWithoutLines(stream: head.stream) : .headOutOfOrder(stream: head.stream)
            }
            lastHead = head.stream
            guard let tail = last.removeValue(forKey: head.stream) else {
                throw .headWithoutLines(stream: head.stream)
            }
            guard tail.version == head.version, tail.hash == head.hash else {
                throw .headMismatch(stream: head.stream, headVersion: head.version, lastVersion: tail.version)
            }
        }

        /// The end line.
        public mutating func end(_ end: End) throws(Problem) {
            guard !ended else { throw .lineAfterEnd }
            sawTrailer = true
            ended = true
            if let first = last.keys.min(by: ExportSeal.precedes) {
                throw .missingHeads(stream: first, missing: last.count)
            }
            guard end.events == digest.count else {
                throw .countMismatch(what: "events", said: end.events, found: digest.count)
            }
            guard end.streams == streams else {
                throw .countMismatch(what: "streams", said: end.streams, found: streams)
            }
            guard end.digest == digest.finalize() else { throw .digestMismatch }
        }

        /// At the end of the input: the end line must have come.
        public func finish() throws(Problem) {
            guard ended else { throw .noEnd }
        }
    }
}
