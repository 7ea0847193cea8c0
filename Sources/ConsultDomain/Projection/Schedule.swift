/// Where a commitment stands against its due date on a given day (SPEC.md, "schedule"). Derived,
/// never recorded.
public enum Schedule: String, Sendable, Hashable, CaseIterable {
    case noDeadline = "no_deadline"
    case upcoming
    case dueSoon = "due_soon"
    case overdue
    case met
    case late
    case closed

    /// How far ahead a due-by counts as due soon.
    public static let dueSoonDays = 30

    /// The schedule on `date` of a commitment whose status is `status`, whose due-by in force is
    /// `dueBy`, closed on `statusOn` when the due-by then in force was `dueByAtClose`.
    public static func on(
        _ date: CalendarDate, status: String, dueBy: CalendarDate?, statusOn: CalendarDate?,
        dueByAtClose: CalendarDate?
    ) -> Schedule {
        switch status {
        case "fulfilled", "partially_fulfilled":
            guard let dueByAtClose, let statusOn else { return .met }
            return statusOn <= dueByAtClose ? .met : .late
        case "broken", "withdrawn":
            return .closed
        default:
            guard let dueBy else { return .noDeadline }
            if dueBy < date { return .overdue }
            return dueBy <= date.adding(days: dueSoonDays) ? .dueSoon : .upcoming
        }
    }

    /// The statuses of a commitment not yet delivered, broken or withdrawn.
    public static let outstandingStatuses: Set<String> = ["open", "in_progress", "stalled"]
}
