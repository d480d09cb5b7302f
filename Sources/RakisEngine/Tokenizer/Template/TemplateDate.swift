/// The calendar date a template's `strftime_now(format)` reads. It is a render input, never
/// the clock: every node must render the same prompt from the same request, whatever its
/// time zone or the day it runs.
public struct TemplateDate: Sendable, Equatable {
    public let year: Int
    public let month: Int
    public let day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// 26 July 2024: the date Llama 3.1's template falls back to when it is given none, so
    /// that Llama 3.1 and 3.2 files render alike.
    public static let fixed = TemplateDate(year: 2024, month: 7, day: 26)

    private static let monthNames = ["January", "February", "March", "April", "May", "June", "July",
                                     "August", "September", "October", "November", "December"]
    private static let weekdayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    private var daysSinceEpoch: Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private var isLeapYear: Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    /// Python's `strftime` for the directives chat templates use, at midnight (C locale).
    func formatted(_ format: String) throws(TemplateFailure) -> String {
        guard (1...12).contains(month), (1...31).contains(day) else { throw TemplateFailure("the render date \(year)-\(month)-\(day) is not a date") }
        var out = ""
        var scalars = format.unicodeScalars.makeIterator()
        // 1970-01-01 was a Thursday (index 3 from Monday).
        let weekday = ((daysSinceEpoch % 7) + 7 + 3) % 7
        let cumulativeDays = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334]
        while let scalar = scalars.next() {
            guard scalar == "%" else {
                out.unicodeScalars.append(scalar)
                continue
            }
            guard let directive = scalars.next() else { throw TemplateFailure("strftime format ends with a lone '%'") }
            switch directive {
            case "d": out += Self.padded(day, 2)
            case "m": out += Self.padded(month, 2)
            case "Y": out += String(year)
            case "y": out += Self.padded(year % 100, 2)
            case "B": out += Self.monthNames[month - 1]
            case "b": out += String(Self.monthNames[month - 1].prefix(3))
            case "A": out += Self.weekdayNames[weekday]
            case "a": out += String(Self.weekdayNames[weekday].prefix(3))
            case "j": out += Self.padded(cumulativeDays[month - 1] + day + (month > 2 && isLeapYear ? 1 : 0), 3)
            case "H", "M", "S": out += "00"
            case "%": out += "%"
            default: throw TemplateFailure("strftime directive '%\(Character(directive))' is not supported (supported: %d %m %Y %y %B %b %A %a %j %H %M %S %%)")
            }
        }
        return out
    }

    private static func padded(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
