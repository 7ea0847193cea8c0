import ConsultDomain

/// A read of a list view as every interface asks for it (`CommitmentsQuery`, `RequestsQuery`):
/// `validate` checks what needs no database, before a session is opened; `run` reads. `names`
/// spells each parameter as the interface does (`--as-of`, `asOf`), so a refusal names what the
/// person typed; `names("stakeholderList")` is where the interface lists the stakeholders' ids.
public protocol ListQuery: Sendable {
    associatedtype Row: RecordJSON & Sendable
    func validate(names: (String) -> String) throws
    /// Reads the rows; call `validate` first.
    func run(_ read: ReadSession, names: (String) -> String) async throws -> ListAnswer<Row>
}

/// The rows of a list read, and the date and recording time they answer for.
public struct ListAnswer<Row: Sendable>: Sendable {
    public var rows: [Row]
    public var date: CalendarDate
    public var recordedAsOf: Timestamp?
    /// How many rows match in all: more than `rows` when the query was cut (`CommitmentsQuery.limit`).
    public var total: Int

    init(rows: [Row], date: CalendarDate, recordedAsOf: Timestamp?, total: Int? = nil) {
        self.rows = rows
        self.date = date
        self.recordedAsOf = recordedAsOf
        self.total = total ?? rows.count
    }
}
