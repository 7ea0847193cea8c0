/// Why a projection operation stopped, with a first sentence for people.
public struct ProjectionError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        /// Another process holds what this one needs (a replay of the same view).
        case busy
        /// The log is held back by an open transaction longer than the caller would wait.
        case heldBack
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
