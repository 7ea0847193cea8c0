/// Why some input is not exactly one valid JSON value, and where.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The 0-based byte offset of the problem in the input.
    ///
    /// It points at the offending byte; for an unterminated string it points at the opening quote,
    /// and for an unexpected end of input it equals the input's length.
    public var byteOffset: Int
    /// One clear sentence for people, e.g. `duplicate key "name"` or `invalid UTF-8 byte 0xFF`.
    public var message: String

    /// Creates an error at `byteOffset` with `message`.
    public init(byteOffset: Int, message: String) {
        self.byteOffset = byteOffset
        self.message = message
    }

    /// The message followed by the byte offset, e.g. `unterminated string (at byte 12)`.
    public var description: String {
        "\(message) (at byte \(byteOffset))"
    }
}
