extension JSONObject {
    /// The string at `key`, or nil.
    func string(_ key: String) -> String? { self[key]?.stringValue }

    /// The strings of the array at `key` (empty when absent).
    func strings(_ key: String) -> [String] { self[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }

    /// The date at `key`, when it is one.
    func date(_ key: String) -> CalendarDate? { self[key]?.stringValue.flatMap(CalendarDate.init) }
}
