import ConsultDomain
import Testing

@Suite("Due")
struct DueTests {
    @Test(
        "a day, a month or a year, due by the last day it covers",
        arguments: [
            ("2023-03-31", Due.Precision.day, "2023-03-31"),
            ("2024-02-29", .day, "2024-02-29"),
            ("2023-01-01", .day, "2023-01-01"),
            ("2023-02", .month, "2023-02-28"),
            ("2024-02", .month, "2024-02-29"),
            ("1900-02", .month, "1900-02-28"),
            ("2000-02", .month, "2000-02-29"),
            ("2023-03", .month, "2023-03-31"),
            ("2023-04", .month, "2023-04-30"),
            ("2023-12", .month, "2023-12-31"),
            ("2025", .year, "2025-12-31"),
            ("2024", .year, "2024-12-31"),
            ("0001", .year, "0001-12-31"),
        ])
    func valid(text: String, precision: Due.Precision, dueBy: String) throws {
        let due = try #require(Due(text))
        #expect(due.precision == precision)
        #expect(due.dueBy == CalendarDate(dueBy))
        #expect(due.description == text)
        #expect(Due(due.description) == due)
        #expect(Due.problem(with: text) == nil)
    }

    @Test(
        "months outside 01–12 are named as such",
        arguments: ["2023-13", "2023-00", "2023-99"])
    func notAMonth(text: String) {
        #expect(Due(text) == nil)
        #expect(Due.problem(with: text) == "\"\(text)\" is not a month (months run 01–12)")
    }

    @Test(
        "days that do not exist are named as such", arguments: ["2023-02-30", "2023-02-29", "1900-02-29", "2023-04-31"])
    func notARealDay(text: String) {
        #expect(Due(text) == nil)
        #expect(Due.problem(with: text) == "\"\(text)\" is not a real calendar date")
    }

    @Test(
        "other text is not a due value, and the message shows the three forms",
        arguments: [
            "", "23", "202", "20235", "2023-1", "2023-3-1", "2023-W05", "2023/03", "2023.03", "2023-03-",
            "-2025", "+2025", " 2025", "2025 ", "0000", "0000-01", "２０２５", "2023-03-31T00:00", "Q1 2024", "이달 중",
        ])
    func notADue(text: String) throws {
        #expect(Due(text) == nil)
        let problem = try #require(Due.problem(with: text))
        #expect(problem.hasPrefix("\"\(text)\" is not a"))
        if !problem.contains("real calendar date") {
            #expect(problem.contains("a day (2023-03-31), a month (2023-03) or a year (2025)"), "\(problem)")
        }
    }

    @Test("values of different precision differ even when due by the same day")
    func precisionMatters() throws {
        let day = try #require(Due("2023-12-31"))
        let month = try #require(Due("2023-12"))
        let year = try #require(Due("2023"))
        #expect(day.dueBy == month.dueBy)
        #expect(month.dueBy == year.dueBy)
        #expect(day != month)
        #expect(month != year)
    }
}
