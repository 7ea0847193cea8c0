import Foundation

/// An append that was refused. Nothing of the batch was written.
public struct EventStoreError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// A stream was not at the expected version (or another writer got there first): retry.
        case concurrencyConflict
        /// An event id is stored already (or repeated in the batch) with other content.
        case eventIDReused
        /// A correction or retraction targets an event that does not exist.
        case unknownTargetEvent
    }

    /// A stream that was not at the version a writer expected.
    public struct StaleVersion: Sendable, Hashable {
        public var streamID: String
        public var current: Int
        public var expected: Int

        public init(streamID: String, current: Int, expected: Int) {
            self.streamID = streamID
            self.current = current
            self.expected = expected
        }
    }

    public var kind: Kind
    /// The index in the batch of the event concerned, when there is one.
    public var index: Int?
    public var message: String
    /// For a stale `expectedVersion` (retrying the same batch cannot succeed), where the stream is.
    public var stale: StaleVersion?

    public init(kind: Kind, index: Int? = nil, message: String, stale: StaleVersion? = nil) {
        self.kind = kind
        self.index = index
        self.message = message
        self.stale = stale
    }

    public var description: String { message }
}
