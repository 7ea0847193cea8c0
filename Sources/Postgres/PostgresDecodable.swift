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
        guard let value = parseInteger(postgresText, as: Int64.self) else { return nil }
        self = value
    }
}

extension Int: PostgresDecodable {
    public init?(postgresText: UnsafeBufferPointer<UInt8>) {
        guard let value = parseInteger(postgresText, as: Int.self) else { return nil }
        self = value
    }
}

extension Int32: PostgresDecodable {
    public init?(postgresText: UnsafeBufferPointer<UInt8>) {
        guard let value = parseInteger(postgresText, as: Int32.self) else { return nil }
        self = value
    }
}

extension UInt64: PostgresDecodable {
    public init?(postgresText: UnsafeBufferPointer<UInt8>) {
        guard let value = parseInteger(postgresText, as: UInt64.self) else { return nil }
        self = value
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
    /// PostgreSQL prints a uuid as 36 lower-case characters, 8-4-4-4-12; parsed directly (Foundation's
    /// `UUID(uuidString:)` goes through `sscanf`, which showed up in read profiles).
    public init?(postgresText: UnsafeBufferPointer<UInt8>) {
        guard postgresText.count == 36 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        var high: UInt8? = nil
        for (offset, character) in postgresText.enumerated() {
            if offset == 8 || offset == 13 || offset == 18 || offset == 23 {
                guard character == UInt8(ascii: "-") else { return nil }
                continue
            }
            let nibble: UInt8
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = character - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = character - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = character - UInt8(ascii: "A") + 10
            default: return nil
            }
            if let first = high {
                bytes.append(first << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        guard bytes.count == 16 else { return nil }
        self.init(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9],
                bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }
}

/// A decimal integer (optional leading `-`), or nil when the text is not one or does not fit.
func parseInteger<Value: FixedWidthInteger>(_ text: UnsafeBufferPointer<UInt8>, as: Value.Type) -> Value? {
    var index = text.startIndex
    let negative = index < text.endIndex && text[index] == UInt8(ascii: "-")
    if negative {
        guard Value.isSigned else { return nil }
        index += 1
    }
    guard index < text.endIndex else { return nil }
    var value: Value = 0
    while index < text.endIndex {
        let digit = text[index]
        guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return nil }
        let (times, overflowTimes) = value.multipliedReportingOverflow(by: 10)
        let (next, overflowAdd) =
            negative
            ? times.subtractingReportingOverflow(Value(digit - UInt8(ascii: "0")))
            : times.addingReportingOverflow(Value(digit - UInt8(ascii: "0")))
        guard !overflowTimes, !overflowAdd else { return nil }
        value = next
        index += 1
    }
    return value
}
