import ConsultDomain
import Testing

/// The date `text` names; the test fails when it does not parse.
private func date(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> CalendarDate {
    try #require(CalendarDate(text), "\(text) should be a date", sourceLocation: sourceLocation)
}

@Suite("CalendarDate")
struct CalendarDateTests {
    @Test(
        "real dates parse, with their parts",
        arguments: [
            ("2024-02-29", 2024, 2, 29),
            ("2000-02-29", 2000, 2, 29),
            ("2023-02-28", 2023, 2, 28),
            ("2023-03-08", 2023, 3, 8),
            ("2023-04-30", 2023, 4, 30),
            ("2023-12-31", 2023, 12, 31),
            ("1970-01-01", 1970, 1, 1),
            ("0001-01-01", 1, 1, 1),
            ("9999-12-31", 9999, 12, 31),
        ])
    func realDates(text: String, year: Int, month: Int, day: Int) throws {
        let parsed = try date(text)
        #expect(parsed.year == year)
        #expect(parsed.month == month)
        #expect(parsed.day == day)
        #expect(parsed == CalendarDate(year: year, month: month, day: day))
        #expect(parsed.description == text)
    }

    @Test(
        "dates that do not exist are refused",
        arguments: [
            "2023-02-29",  // 2023 is not a leap year
            "1900-02-29",  // divisible by 100, not by 400
            "2100-02-29",
            "2024-02-30",
            "2023-04-31",
            "2023-06-31",
            "2023-09-31",
            "2023-11-31",
            "2023-01-32",
            "2023-13-01",
            "2023-00-10",
            "2023-01-00",
            "0000-01-01",
        ])
    func impossibleDates(text: String) {
        #expect(CalendarDate(text) == nil)
    }

    @Test(
        "text that is not exactly YYYY-MM-DD is refused",
        arguments: [
            "",
            "2023-2-1",
            "2023-02-1",
            "2023-2-01",
            "2023/02/01",
            "2023.02.01",
            "20230201",
            " 2023-02-01",
            "2023-02-01 ",
            "2023-02-01\n",
            "２０２３-02-01",  // full-width digits
            "2023-０２-０１",
            "+023-01-01",
            "-023-01-01",
            "2023-+2-01",
            "2023-02-+1",
            "12023-01-01",
            "2023-02-01T00:00:00Z",
            "2023-1-010",
            "2023--2-01",
            "abcd-ef-gh",
            "2023年2월1일",
        ])
    func wrongFormats(text: String) {
        #expect(CalendarDate(text) == nil)
    }

    @Test(
        "init(year:month:day:) accepts real dates only",
        arguments: [
            (2023, 2, 29, false),
            (2024, 2, 29, true),
            (1900, 2, 29, false),
            (2000, 2, 29, true),
            (2023, 13, 1, false),
            (2023, 0, 1, false),
            (2023, 1, 0, false),
            (2023, 1, 31, true),
            (2023, 4, 31, false),
            (0, 1, 1, false),
            (10_000, 1, 1, false),
            (-1, 1, 1, false),
        ])
    func fromParts(year: Int, month: Int, day: Int, isReal: Bool) {
        #expect((CalendarDate(year: year, month: month, day: day) != nil) == isReal)
    }

    @Test(
        "leap years follow the Gregorian rule",
        arguments: [(2023, false), (2024, true), (1900, false), (2000, true), (2100, false), (2400, true), (4, true)])
    func leapYears(year: Int, isLeap: Bool) {
        #expect(CalendarDate.isLeap(year) == isLeap)
        #expect(CalendarDate.daysIn(month: 2, year: year) == (isLeap ? 29 : 28))
    }

    @Test("months have their lengths")
    func monthLengths() {
        let lengths = (1...12).map { CalendarDate.daysIn(month: $0, year: 2023) }
        #expect(lengths == [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    }

    @Test("dates order by year, then month, then day")
    func ordering() throws {
        let texts = [
            "2024-01-01", "2023-12-31", "2023-02-01", "2023-10-01", "2023-02-28", "0999-12-31", "2023-02-10",
        ]
        let sorted = try texts.map { try date($0) }.sorted()
        #expect(
            sorted.map(\.description) == [
                "0999-12-31", "2023-02-01", "2023-02-10", "2023-02-28", "2023-10-01", "2023-12-31", "2024-01-01",
            ])
        #expect(try date("2023-12-31") < date("2024-01-01"))
        #expect(try date("2023-09-30") < date("2023-10-01"))
        #expect(try !(date("2023-03-08") < date("2023-03-08")))
        #expect(try date("2023-03-08") <= date("2023-03-08"))
        #expect(try date("2023-03-08") == CalendarDate(year: 2023, month: 3, day: 8))
        #expect(try date("2023-03-08") != date("2023-03-09"))
    }

    @Test(
        "adding days crosses month, year and leap-day boundaries",
        arguments: [
            ("2023-03-08", 0, "2023-03-08"),
            ("2023-01-31", 1, "2023-02-01"),
            ("2023-02-28", 1, "2023-03-01"),
            ("2024-02-28", 1, "2024-02-29"),
            ("2024-02-29", 1, "2024-03-01"),
            ("2000-02-28", 1, "2000-02-29"),
            ("1900-02-28", 1, "1900-03-01"),
            ("2023-12-31", 1, "2024-01-01"),
            ("2023-03-08", 30, "2023-04-07"),
            ("2023-01-01", 365, "2024-01-01"),
            ("2024-01-01", 366, "2025-01-01"),
            ("2024-01-01", 365, "2024-12-31"),
            ("2023-03-01", -1, "2023-02-28"),
            ("2024-03-01", -1, "2024-02-29"),
            ("2024-01-01", -1, "2023-12-31"),
            ("1970-01-01", -1, "1969-12-31"),
            ("2023-03-31", -365, "2022-03-31"),
            ("2025-03-01", -366, "2024-02-29"),
            ("2000-01-01", 146_097, "2400-01-01"),
        ])
    func addingDays(start: String, days: Int, expected: String) throws {
        let result = try date(start).adding(days: days)
        #expect(result.description == expected)
        #expect(result == CalendarDate(expected))
        #expect(result.adding(days: -days) == CalendarDate(start))
    }

    @Test(
        "dayNumber counts days from 1970-01-01",
        arguments: [
            ("1970-01-01", 0),
            ("1970-01-02", 1),
            ("1969-12-31", -1),
            ("2000-01-01", 10_957),
            ("2023-03-08", 19_424),
            ("2024-02-29", 19_782),
            ("1900-03-01", -25_508),
            ("0001-01-01", -719_162),
            ("9999-12-31", 2_932_896),
        ])
    func dayNumbers(text: String, expected: Int) throws {
        #expect(try date(text).dayNumber == expected)
    }

    @Test("day by day from 1899 to 2101: each next day is real, one day later, and round-trips its description")
    func everyDay() throws {
        var current = try date("1899-12-01")
        let end = try date("2101-01-31")
        var count = 0
        while current < end {
            let next = current.adding(days: 1)
            let isNextDay =
                current.day < CalendarDate.daysIn(month: current.month, year: current.year)
                ? (next.year, next.month, next.day) == (current.year, current.month, current.day + 1)
                : next.day == 1
                    && (current.month < 12
                        ? (next.year, next.month) == (current.year, current.month + 1)
                        : (next.year, next.month) == (current.year + 1, 1))
            guard isNextDay, next.dayNumber == current.dayNumber + 1, current < next,
                CalendarDate(year: next.year, month: next.month, day: next.day) == next,
                CalendarDate(next.description) == next
            else {
                Issue.record("after \(current) came \(next) (day \(next.dayNumber))")
                return
            }
            current = next
            count += 1
        }
        #expect(count == 73_475)
    }

    @Test("description pads to YYYY-MM-DD")
    func description() throws {
        #expect(try #require(CalendarDate(year: 1, month: 2, day: 3)).description == "0001-02-03")
        #expect(try #require(CalendarDate(year: 2023, month: 3, day: 8)).description == "2023-03-08")
        #expect(try #require(CalendarDate(year: 2023, month: 12, day: 31)).description == "2023-12-31")
        #expect("\(try date("2024-02-29"))" == "2024-02-29")
    }
}
