import ConsultCore
import ConsultDomain
import Hummingbird

/// A request's query parameters, checked: an unknown name, a repeated single value or a value of
/// the wrong form is a 400 naming it.
struct QueryParameters: Sendable {
    /// The longest value of any parameter, in Unicode scalars (as JSON Schema's `maxLength` counts):
    /// no id, name, topic or date is near it, and a refusal need not echo a page of text.
    static let maximumLength = 1000

    private var values: [String: [String]] = [:]

    /// With `ignoringEmpty`, a parameter with an empty value counts as absent (a page's GET form
    /// sends its blank fields so).
    init(_ request: Request, allowed: [String], ignoringEmpty: Bool = false) throws {
        for (key, value) in request.uri.queryParameters where !(ignoringEmpty && value.isEmpty) {
            let name = String(key)
            guard allowed.contains(name) else {
                throw Problem(
                    status: .badRequest,
                    detail: "\(Self.printable(name)) is not a parameter here; "
                        + (allowed.isEmpty
                            ? "this route takes none." : "the parameters are \(allowed.joined(separator: ", "))."))
            }
            // PostgreSQL's text holds no NUL, and libpq would cut the value there (a search for
            // "\0abc" would search for nothing, and list everything).
            guard !value.contains("\0") else {
                throw Problem(
                    status: .badRequest, detail: "\(name) contains a NUL character, which no record can hold.")
            }
            guard value.unicodeScalars.count <= Self.maximumLength else {
                throw Problem(
                    status: .badRequest,
                    detail: "\(name) is \(value.unicodeScalars.count) characters long; a parameter takes at most "
                        + "\(Self.maximumLength).")
            }
            values[name, default: []].append(String(value))
        }
    }

    /// A parameter given at most once; given twice, a 400.
    func one(_ name: String) throws -> String? {
        guard let given = values[name] else { return nil }
        guard given.count == 1 else {
            throw Problem(status: .badRequest, detail: "\(name) is given \(given.count) times; give it once.")
        }
        return given[0]
    }

    /// A parameter that may repeat (`status=open&status=stalled`).
    func all(_ name: String) -> [String] { values[name] ?? [] }

    /// `true`, `false`, or absent (false). Only those two, as the OpenAPI document declares a
    /// boolean: a bare `?outstanding` or `=1` is refused rather than read one way or the other.
    func flag(_ name: String) throws -> Bool {
        guard let value = try one(name) else { return false }
        switch value {
        case "true": return true
        case "false": return false
        default:
            throw Problem(
                status: .badRequest, detail: "\(name) takes true or false; \"\(Self.printable(value))\" is neither.")
        }
    }

    /// A whole number from `range`, or nil when absent.
    func integer(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let value = try one(name) else { return nil }
        guard let number = Int(value), range.contains(number) else {
            throw Problem(
                status: .badRequest,
                detail: "\(name) takes a whole number from \(range.lowerBound) to \(range.upperBound); "
                    + "\"\(Self.printable(value))\" is not one.")
        }
        return number
    }

    /// Input echoed in a message, with control characters escaped and cut short.
    static func printable(_ text: String) -> String {
        EventFileParser.printable(String(text.prefix(80)))
    }
}

/// `limit` and `cursor`: which part of a list an answer holds. The cursor is the position of the
/// first item in the list, as the previous answer's `next` gave it.
struct Page: Sendable {
    static let maximumLimit = 1000
    var limit: Int
    var start: Int

    init(_ parameters: QueryParameters) throws {
        limit = try parameters.integer("limit", in: 1...Self.maximumLimit) ?? Self.maximumLimit
        start = try parameters.integer("cursor", in: 0...Int(Int32.max)) ?? 0
    }

    /// `{"items": […], "next": …, "asOf": …, "recordedAsOf": …}` for this page of `items`.
    func list(_ items: [JSONObject], asOf: CalendarDate, recordedAsOf: Timestamp?) -> Reply {
        let end = min(items.count, start + limit)
        let shown = start < end ? Array(items[start..<end]) : []
        var object = JSONObject()
        object["items"] = .array(shown.map(JSONValue.object))
        object["next"] = end < items.count ? .string(String(end)) : .null
        object["asOf"] = .string(asOf.description)
        object["recordedAsOf"] = recordedAsOf.map { .string($0.description) } ?? .null
        return Reply(
            contentType: "application/json; charset=utf-8", body: JSONValue.object(object).serialized() + "\n")
    }
}
