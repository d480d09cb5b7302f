/// A value in a template's evaluation: Python's types as Jinja sees them, reduced to what chat
/// templates use.
indirect enum TemplateValue: Sendable {
    /// Jinja's default `Undefined`: prints as nothing, is false, iterates as empty, has length
    /// 0, but fails when used as an object (attribute, item, call, arithmetic). `name` is what
    /// was looked up, for the error.
    case undefined(name: String)
    case none
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(TemplateString)
    case list([TemplateValue])
    case dict(TemplateDictionary)
    /// `namespace(...)`: the one mutable object, whose attributes `set ns.x = ...` assigns.
    case namespace(TemplateNamespace)
    case function(TemplateFunction)

    static func markup(_ text: String) -> TemplateValue { .string(TemplateString(text, isMarkup: true)) }

    var isUndefined: Bool {
        if case .undefined = self { true } else { false }
    }

    /// Python's truth value.
    var isTruthy: Bool {
        switch self {
        case .undefined, .none: false
        case let .bool(value): value
        case let .int(value): value != 0
        case let .double(value): value != 0
        case let .string(value): !value.isEmpty
        case let .list(items): !items.isEmpty
        case let .dict(dictionary): !dictionary.keys.isEmpty
        case .namespace, .function: true
        }
    }

    /// Python's type name, for error messages.
    var typeName: String {
        switch self {
        case .undefined: "undefined"
        case .none: "NoneType"
        case .bool: "bool"
        case .int: "int"
        case .double: "float"
        case .string: "str"
        case .list: "list"
        case .dict: "dict"
        case .namespace: "Namespace"
        case .function: "function"
        }
    }

    /// Jinja's output of the value, `str(value)`: undefined prints as nothing. Text built
    /// from a string keeps its marks; a container's text is content if any string inside is.
    var printed: TemplateString {
        switch self {
        case .undefined: .empty
        case let .string(value): value
        case .list, .dict: TemplateString(pythonRepr, isMarkup: !containsContent)
        default: TemplateString(pythonRepr, isMarkup: true)
        }
    }

    /// Whether any string in the value came from a message.
    var containsContent: Bool {
        switch self {
        case let .string(value): !value.isAllMarkup
        case let .list(items): items.contains(where: \.containsContent)
        case let .dict(dictionary): dictionary.values.values.contains(where: \.containsContent)
        default: false
        }
    }

    /// Python's `repr` (a string's `str` at the top level goes through `printed`).
    var pythonRepr: String {
        switch self {
        case .undefined: ""
        case .none: "None"
        case let .bool(value): value ? "True" : "False"
        case let .int(value): String(value)
        case let .double(value): PythonText.string(value)
        case let .string(value): PythonText.repr(value.text)
        case let .list(items): "[" + items.map(\.pythonRepr).joined(separator: ", ") + "]"
        case let .dict(dictionary):
            "{" + dictionary.keys.map { PythonText.repr($0) + ": " + (dictionary.values[$0]?.pythonRepr ?? "") }.joined(separator: ", ") + "}"
        case .namespace: "<Namespace>"
        case .function: "<function>"
        }
    }

    /// Python's `==` (a string's marks do not matter).
    func equals(_ other: TemplateValue) -> Bool {
        switch (self, other) {
        case (.undefined, .undefined), (.none, .none): true
        case let (.string(a), .string(b)): a.sameText(as: b)
        case let (.list(a), .list(b)): a.count == b.count && zip(a, b).allSatisfy { $0.equals($1) }
        case let (.dict(a), .dict(b)):
            a.keys.count == b.keys.count && a.keys.allSatisfy { key in
                guard let left = a.values[key], let right = b.values[key] else { return false }
                return left.equals(right)
            }
        case let (.namespace(a), .namespace(b)): a === b
        default:
            if let a = numeric, let b = other.numeric { a == b } else { false }
        }
    }

    /// Numbers (and booleans, which Python counts as 0 and 1) as a Double, for comparisons.
    var numeric: Double? {
        switch self {
        case let .bool(value): value ? 1 : 0
        case let .int(value): Double(value)
        case let .double(value): value
        default: nil
        }
    }
}

/// A dictionary with string keys, in insertion order (as Python's).
struct TemplateDictionary: Sendable {
    private(set) var keys: [String] = []
    private(set) var values: [String: TemplateValue] = [:]

    subscript(key: String) -> TemplateValue? {
        get { values[key] }
        set {
            if values[key] == nil, newValue != nil { keys.append(key) }
            if newValue == nil { keys.removeAll { $0 == key } }
            values[key] = newValue
        }
    }
}

/// The state of a `namespace(...)` object, shared by every reference to it.
final class TemplateNamespace: @unchecked Sendable {
    // Only one render touches a namespace, on one thread: it is made during that render.
    var attributes = TemplateDictionary()
}

/// A callable value: the globals a template may call, and the methods of strings and dictionaries.
enum TemplateFunction: Sendable {
    case raiseException
    case strftimeNow
    case namespace
    /// `receiver.name` for a method this interpreter implements (see `TemplateMethods`).
    case method(receiver: TemplateValue, name: String)
}
