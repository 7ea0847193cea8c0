/// Ids users choose: `^[a-z0-9][a-z0-9._-]{0,99}$`, e.g. `msit`, `ai-strategy-dialogue-3`.
public enum Slug {
    public static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, bytes.count <= 100, isLowerAlphanumeric(first) else { return false }
        return bytes.allSatisfy {
            isLowerAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-")
        }
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    /// The rule, for error messages.
    public static let rule = "lowercase letters, digits, '.', '_' or '-', starting with a letter or digit, at most 100"
}
