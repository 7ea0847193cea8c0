import Foundation

/// Checks an event's data against its type's fields: presence, JSON types, unknown fields, ids,
/// dates, enums, lengths. Pure; every violation names the field path and why.
public enum ShapeRules {
    /// Violations of `data` for an event of `type` written in schema `version` (the current one
    /// when nil); fields are reported as `data.<path>`.
    public static func check(_ data: JSONObject, of type: EventType, version: Int? = nil) -> [Violation] {
        let version = version ?? type.schemaVersion
        guard let fields = Upcasting.fields(of: type, version: version) else {
            return [
                Violation(
                    field: "data",
                    message: "is written in version \(version) of \(type.rawValue), which this consult does not know "
                        + "(it knows versions up to \(type.schemaVersion))")
            ]
        }
        let what = version == type.schemaVersion ? type.rawValue : "\(type.rawValue) version \(version)"
        var violations = check(data, fields: fields, path: "data", what: what)
        if type == .consultationHeld, version == type.schemaVersion,
            let starts = data["startsOn"]?.stringValue.flatMap(CalendarDate.init),
            let ends = data["endsOn"]?.stringValue.flatMap(CalendarDate.init), ends < starts
        {
            violations.append(
                Violation(field: "data.endsOn", message: "\(ends) is before startsOn (\(starts))"))
        }
        if type == .stakeholderChanged {
            let changeable = ["name", "title", "affiliationId", "party", "sector"]
            if !changeable.contains(where: { data[$0] != nil }) {
                violations.append(
                    Violation(
                        field: "data",
                        message: "changes nothing: give at least one of \(changeable.joined(separator: ", "))"))
            }
        }
        return violations
    }

    /// Violations of `object` against `fields`.
    static func check(_ object: JSONObject, fields: [FieldSpec], path: String, what: String) -> [Violation] {
        var violations: [Violation] = []
        let known = Set(fields.map(\.name))
        for key in object.keys where !known.contains(key) {
            violations.append(
                Violation(
                    field: "\(path).\(key)",
                    message: "is not a field of \(what) (its fields: \(fields.map(\.name).joined(separator: ", ")))"))
        }
        for field in fields {
            let fieldPath = "\(path).\(field.name)"
            guard let value = object[field.name] else {
                if field.isRequired { violations.append(Violation(field: fieldPath, message: "is required")) }
                continue
            }
            violations += check(value, as: field.type, path: fieldPath)
        }
        return violations
    }

    /// Violations of one value against its type.
    public static func check(_ value: JSONValue, as type: FieldType, path: String) -> [Violation] {
        func fail(_ message: String) -> [Violation] { [Violation(field: path, message: message)] }
        switch type {
        case .slug:
            guard case .string(let text) = value else { return fail("must be an id (a string), not \(value.typeName)") }
            return Slug.isValid(text) ? [] : fail("\(quoted(text)) is not a valid id (\(Slug.rule) characters)")
        case .text(let maximum):
            guard case .string(let text) = value else { return fail("must be text (a string), not \(value.typeName)") }
            if text.isEmpty || text.allSatisfy(\.isWhitespace) { return fail("must not be empty") }
            // A character is at least one byte: counting characters (grapheme breaking) is needed
            // only when the bytes exceed the limit.
            if text.utf8.count > maximum, case let count = text.count, count > maximum {
                return fail("is \(count) characters long; at most \(maximum) are allowed")
            }
            return []
        case .tag:
            guard case .string(let text) = value else { return fail("must be a string, not \(value.typeName)") }
            if text.isEmpty || (text.utf8.count > 50 && text.count > 50) || text.first?.isWhitespace == true
                || text.last?.isWhitespace == true
            {
                return fail("\(quoted(text)) is not a topic (1–50 characters, no blanks at either end)")
            }
            return []
        case .date:
            guard case .string(let text) = value else {
                return fail("must be a date string (YYYY-MM-DD), not \(value.typeName)")
            }
            if CalendarDate(text) != nil { return [] }
            return fail(
                Array(text.utf8).count == 10 && text.utf8.filter { $0 == UInt8(ascii: "-") }.count == 2
                    ? "\(quoted(text)) is not a real calendar date"
                    : "\(quoted(text)) is not a date (write YYYY-MM-DD)")
        case .due:
            guard case .string(let text) = value else {
                return fail("must be a string (2023-03-31, 2023-03 or 2025), not \(value.typeName)")
            }
            return Due.problem(with: text).map(fail) ?? []
        case .oneOf(let words):
            guard case .string(let text) = value else { return fail("must be a string, not \(value.typeName)") }
            return words.contains(text) ? [] : fail("\(quoted(text)) is not one of \(words.joined(separator: ", "))")
        case .uuid:
            guard case .string(let text) = value else { return fail("must be an event id (a UUID string)") }
            return UUID(uuidString: text) == nil ? fail("\(quoted(text)) is not a UUID") : []
        case .url:
            guard case .string(let text) = value else { return fail("must be a URL string, not \(value.typeName)") }
            let lower = text.lowercased()
            let scheme = lower.hasPrefix("https://") ? 8 : lower.hasPrefix("http://") ? 7 : 0
            guard scheme > 0, text.count > scheme, text.count <= 2000, !text.contains(where: { $0.isWhitespace })
            else { return fail("\(quoted(text)) is not an http(s) URL") }
            return []
        case .list(let element, let nonEmpty):
            guard case .array(let items) = value else {
                return fail("must be a list (an array), not \(value.typeName)")
            }
            if nonEmpty && items.isEmpty { return fail("must have at least one entry") }
            return items.enumerated().flatMap { check($1, as: element, path: "\(path)[\($0)]") }
        case .object(let name, let fields):
            guard case .object(let object) = value else {
                return fail("must be a \(name) object, not \(value.typeName)")
            }
            return check(object, fields: fields, path: path, what: "a \(name)")
        case .changes:
            guard case .object(let object) = value else {
                return fail("must be an object of the fields to replace, not \(value.typeName)")
            }
            return object.isEmpty ? fail("must replace at least one field") : []
        }
    }

    /// A value quoted for a message, shortened when long.
    static func quoted(_ text: String) -> String {
        text.count > 60 ? "\"\(text.prefix(57))…\"" : "\"\(text)\""
    }
}
