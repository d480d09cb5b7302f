/// A place in a template's source: 1-based line and column (in Unicode scalars).
public struct TemplateLocation: Sendable, Equatable, CustomStringConvertible {
    public let line: Int
    public let column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "line \(line), column \(column)" }
}

/// Why a chat template cannot be parsed or rendered: what is wrong, and where in the template.
///
/// Parsing fails on syntax, filters, tests and methods outside the Jinja subset this engine
/// interprets; rendering fails on type errors, undefined values used as objects, the
/// template's own `raise_exception(...)`, and the limits of `TemplateLimits`.
public struct TemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public let location: TemplateLocation

    public init(_ message: String, at location: TemplateLocation) {
        self.message = message
        self.location = location
    }

    public var description: String { "\(location): \(message)" }
}

/// A failure inside an operation that does not know where in the template it runs; the
/// evaluator gives it the location of the expression it was evaluating.
struct TemplateFailure: Error {
    let message: String

    init(_ message: String) { self.message = message }
}
