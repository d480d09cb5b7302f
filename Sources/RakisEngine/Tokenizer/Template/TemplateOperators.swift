/// Jinja's binary operators on template values, with Python's rules: `+` adds numbers and
/// joins strings or lists of the same type, `~` joins any two values as text, comparisons
/// order numbers or strings (by code point), `in` looks in strings, lists and dictionaries.
enum TemplateOperators {
    static func apply(_ op: String, _ a: TemplateValue, _ b: TemplateValue, limits: TemplateLimits) throws(TemplateFailure) -> TemplateValue {
        switch op {
        case "==": return .bool(a.equals(b))
        case "!=": return .bool(!a.equals(b))
        case "in": return .bool(try contains(b, a))
        case "not in": return .bool(!(try contains(b, a)))
        case "~": return .string(try bounded(a.printed + b.printed, limits))
        case "<", ">", "<=", ">=": return .bool(try compare(op, a, b))
        default: break
        }
        if case let .undefined(name) = a { throw TemplateFailure("'\(name)' is undefined (an operand of \(op))") }
        if case let .undefined(name) = b { throw TemplateFailure("'\(name)' is undefined (an operand of \(op))") }
        switch (op, a, b) {
        case let ("+", .string(x), .string(y)): return .string(try bounded(x + y, limits))
        case let ("+", .list(x), .list(y)): return .list(x + y)
        case let ("*", .string(x), .int(times)), let ("*", .int(times), .string(x)):
            guard x.count * max(times, 0) <= limits.outputLength else { throw TemplateFailure("a repeated string is longer than the limit of \(limits.outputLength)") }
            var repeated = TemplateString.empty
            for _ in 0..<max(times, 0) { repeated.append(x) }
            return .string(repeated)
        default: break
        }
        guard let x = a.numeric, let y = b.numeric else {
            throw TemplateFailure("unsupported operand types for \(op): '\(a.typeName)' and '\(b.typeName)'")
        }
        let integers: (Int, Int)? = if let i = a.asInteger, let j = b.asInteger { (i, j) } else { nil }
        switch op {
        case "+":
            if let (i, j) = integers { return try checked(i.addingReportingOverflow(j)) }
            return .double(x + y)
        case "-":
            if let (i, j) = integers { return try checked(i.subtractingReportingOverflow(j)) }
            return .double(x - y)
        case "*":
            if let (i, j) = integers { return try checked(i.multipliedReportingOverflow(by: j)) }
            return .double(x * y)
        case "/":
            guard y != 0 else { throw TemplateFailure("division by zero") }
            return .double(x / y)
        case "//", "%":
            guard y != 0 else { throw TemplateFailure("integer division or modulo by zero") }
            if let (i, j) = integers {
                // Python rounds the quotient down and gives the remainder the divisor's sign.
                var quotient = i / j
                if (i % j != 0) && ((i < 0) != (j < 0)) { quotient -= 1 }
                return op == "//" ? .int(quotient) : .int(i - quotient * j)
            }
            let quotient = (x / y).rounded(.down)
            return op == "//" ? .double(quotient) : .double(x - quotient * y)
        default:
            throw TemplateFailure("operator \(op) is not supported")
        }
    }

    private static func checked(_ result: (partialValue: Int, overflow: Bool)) throws(TemplateFailure) -> TemplateValue {
        guard !result.overflow else { throw TemplateFailure("integer overflow") }
        return .int(result.partialValue)
    }

    private static func bounded(_ text: TemplateString, _ limits: TemplateLimits) throws(TemplateFailure) -> TemplateString {
        guard text.count <= limits.outputLength else { throw TemplateFailure("a string is longer than the limit of \(limits.outputLength)") }
        return text
    }

    private static func contains(_ container: TemplateValue, _ item: TemplateValue) throws(TemplateFailure) -> Bool {
        switch container {
        case .undefined: return false
        case let .string(text):
            guard case let .string(needle) = item else { throw TemplateFailure("'in <string>' requires a string, not \(item.typeName)") }
            return text.contains(needle)
        case let .list(items): return items.contains { $0.equals(item) }
        case let .dict(dictionary):
            guard case let .string(key) = item else { return false }
            return dictionary[key.text] != nil
        default: throw TemplateFailure("argument of type '\(container.typeName)' is not iterable")
        }
    }

    private static func compare(_ op: String, _ a: TemplateValue, _ b: TemplateValue) throws(TemplateFailure) -> Bool {
        let order: Int
        if let x = a.numeric, let y = b.numeric {
            order = x < y ? -1 : x > y ? 1 : 0
        } else if case let .string(x) = a, case let .string(y) = b {
            let left = x.scalars.map(\.value), right = y.scalars.map(\.value)
            order = left == right ? 0 : left.lexicographicallyPrecedes(right) ? -1 : 1
        } else {
            throw TemplateFailure("'\(op)' not supported between '\(a.typeName)' and '\(b.typeName)'")
        }
        switch op {
        case "<": return order < 0
        case ">": return order > 0
        case "<=": return order <= 0
        default: return order >= 0
        }
    }
}

extension TemplateValue {
    /// Ints and booleans as Python adds them, exactly.
    fileprivate var asInteger: Int? {
        switch self {
        case let .int(value): value
        case let .bool(value): value ? 1 : 0
        default: nil
        }
    }
}
