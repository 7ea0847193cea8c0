/// A SQL statement with its parameters.
///
/// Interpolated values become `$n` parameters, never text in the SQL:
///
///     let query: PostgresQuery = "SELECT * FROM items WHERE owner = \(owner)"
///     // sql: "SELECT * FROM items WHERE owner = $1", bindings: [owner]
///
/// SQL built at run time has to be spelled `PostgresQuery(unsafeSQL:)` or
/// `\(unescaped: …)`, so every such place is visible in review.
public struct PostgresQuery: Sendable, Hashable, ExpressibleByStringInterpolation {
    public var sql: String
    /// Parameter values in text format; `nil` is SQL NULL.
    public var bindings: [String?]
    /// Whether the statement is planned for its parameter values every time it runs instead of
    /// being prepared once (see `plannedForItsValues()`).
    public var isPlannedForItsValues = false

    /// The same statement, planned with its parameter values each time it runs (an unnamed
    /// statement), never prepared and reused. For statements whose good plan depends on a value,
    /// such as a partial index whose predicate a parameter must match: a prepared statement may
    /// switch to a generic plan that cannot use that index.
    public func plannedForItsValues() -> PostgresQuery {
        var query = self
        query.isPlannedForItsValues = true
        return query
    }

    /// A statement from trusted text. Never pass user input here.
    public init(unsafeSQL sql: String, bindings: [String?] = []) {
        self.sql = sql
        self.bindings = bindings
    }

    public init(stringLiteral value: String) {
        self.init(unsafeSQL: value)
    }

    public init(stringInterpolation: StringInterpolation) {
        self.init(unsafeSQL: stringInterpolation.sql, bindings: stringInterpolation.bindings)
    }

    public struct StringInterpolation: StringInterpolationProtocol {
        var sql: String = ""
        var bindings: [String?] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql.reserveCapacity(literalCapacity + interpolationCount * 3)
            bindings.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) {
            sql += literal
        }

        /// Binds `value` as the next `$n` parameter.
        public mutating func appendInterpolation(_ value: some PostgresEncodable) {
            bindings.append(value.postgresText)
            sql += "$\(bindings.count)"
        }

        /// Binds `value` as the next `$n` parameter, NULL when it is nil.
        public mutating func appendInterpolation(_ value: (some PostgresEncodable)?) {
            bindings.append(value?.postgresText)
            sql += "$\(bindings.count)"
        }

        /// Inserts trusted SQL text as is (identifiers the program chose, never user input).
        public mutating func appendInterpolation(unescaped text: String) {
            sql += text
        }
    }
}
