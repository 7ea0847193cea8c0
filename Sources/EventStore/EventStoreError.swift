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

    public var kind: Kind
    /// The index in the batch of the event concerned, when there is one.
    public var index: Int?
    public var message: String

    public init(kind: Kind, index: Int? = nil, message: String) {
        self.kind = kind
        self.index = index
        self.message = message
    }

    public var description: String { message }
}
