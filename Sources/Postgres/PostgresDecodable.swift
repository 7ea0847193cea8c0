import Foundation

/// A Swift value that can be read from PostgreSQL's text format.
public protocol PostgresDecodable: Sendable {
    /// Parses the column's text; nil when it is not a valid value of this type.
    init?(postgresText: UnsafeBufferPointer<UInt8>)
    /// The value for SQL NULL, if this type has one.
    static var postgresNull: Self? { get }
}

extension PostgresDecodable {
    public static var postgresNull: Self? { nil }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public init?(postgresText: UnsafeBufferPointer<UInt8>) {
        guard let value = Wrapped(postgresText: postgresText) else { return nil }
        self = .some(value)
    }

    public static var postgresNull: Self? { .some(.none) }
}

extension String: PostgresDecodable {
    public init?(postgresText: UnsafeBufferPointer<UInt8>) {
        self = String(decoding: postgresText, as: UTF8.self)
    }
}

extension Int64: PostgresDecodable {
    public init?(postgresText: UnsafeBufferPointer<UInt8>) {
        self.init(String(decoding: postgresText, as: UTF8.self))
    }
}

extension Int: PostgresDecodable {
    public init?(postgresText: UnsafeBufferPointer<UInt8>) {
        self.init(String(decoding: postgresText, as: UTF8.self))
    }
}

extension Int32: PostgresDecodable {
    public init?(postgresText: UnsafeBufferPointer<UInt8>) {
        self.init(String(decoding: postgresText, as: UTF8.self))
    }
}

extension UInt64: PostgresDecodable {
    public init?(postgresText: UnsafeBufferPointer<UInt8>) {
        self.init(String(decoding: postgresText, as: UTF8.self))
    }
}

extension Double: PostgresDecodable {
    public init?(postgresText: UnsafeBufferPointer<UInt8>) {
        self.init(String(decoding: postgresText, as: UTF8.self))
    }
}

extension Bool: PostgresDecodable {
    public init?(postgresText: UnsafeBufferPointer<UInt8>) {
        switch postgresText.first {
        case UInt8(ascii: "t"): self = true
        case UInt8(ascii: "f"): self = false
        default: return nil
        }
    }
}

extension UUID: PostgresDecodable {
    public init?(postgresText: UnsafeBufferPointer<UInt8>) {
        self.init(uuidString: String(decoding: postgresText, as: UTF8.self))
    }
}
