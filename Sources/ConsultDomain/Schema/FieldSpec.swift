/// What one field of an event's data must hold.
public struct FieldSpec: Sendable {
    public var name: String
    public var type: FieldType
    public var isRequired: Bool

    public static func required(_ name: String, _ type: FieldType) -> FieldSpec {
        FieldSpec(name: name, type: type, isRequired: true)
    }

    public static func optional(_ name: String, _ type: FieldType) -> FieldSpec {
        FieldSpec(name: name, type: type, isRequired: false)
    }
}

/// The kinds of value event data holds.
public indirect enum FieldType: Sendable {
    /// An id users choose (`Slug`).
    case slug
    /// Text of 1 to `maximum` characters, not only blanks. A character is what a reader sees as
    /// one: an extended grapheme cluster (Swift's `Character`), so `한` counts 1, and so does `é`
    /// written as `e` plus a combining accent.
    case text(maximum: Int)
    /// A free tag (topics): 1–50 characters, no blanks at either end.
    case tag
    /// `YYYY-MM-DD`, a real calendar date.
    case date
    /// A day, month or year (`Due`).
    case due
    /// One of the listed words.
    case oneOf([String])
    /// A UUID (event ids).
    case uuid
    /// An `http` or `https` URL, at most 2,000 characters.
    case url
    /// A JSON array of values of one type.
    case list(of: FieldType, nonEmpty: Bool)
    /// A JSON object with these fields (participants, sources).
    case object(name: String, fields: [FieldSpec])
    /// `RecordCorrected.changes`: an object checked against the target event's type.
    case changes
}
