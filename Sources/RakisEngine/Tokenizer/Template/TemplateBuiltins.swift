/// The filters, tests, functions and methods templates may use, as Jinja and Python define
/// them. The parser rejects any other name, so a template outside the subset fails when the
/// model loads, naming what it uses.
enum TemplateBuiltins {
    static let filters: Set<String> = ["trim", "length", "count", "tojson", "string", "upper", "lower", "capitalize",
                                       "items", "default", "d", "join", "reject", "select", "first", "last", "list"]
    static let tests: Set<String> = ["defined", "undefined", "none", "string", "mapping", "iterable", "sequence", "number",
                                     "integer", "float", "boolean", "true", "false", "equalto", "eq", "ne"]
    static let functions: Set<String> = ["raise_exception", "strftime_now", "namespace"]
    static let stringMethods: Set<String> = ["startswith", "endswith", "split", "strip", "lstrip", "rstrip", "replace", "upper", "lower"]
    static let dictionaryMethods: Set<String> = ["get", "items", "keys", "values"]
    static var methods: Set<String> { stringMethods.union(dictionaryMethods) }

    /// Arguments after evaluation.
    struct Arguments {
        var positional: [TemplateValue] = []
        var keywords: [String: TemplateValue] = [:]

        /// The argument at `position`, or given as `name`, or nil.
        func value(_ position: Int, _ name: String) -> TemplateValue? {
            position < positional.count ? positional[position] : keywords[name]
        }
    }

    // MARK: Filters

    static func filter(_ name: String, _ value: TemplateValue, _ arguments: Arguments, limits: TemplateLimits) throws(TemplateFailure) -> TemplateValue {
        switch name {
        case "trim":
            return .string(value.printed.stripping(try optionalString(arguments.value(0, "chars")), leading: true, trailing: true))
        case "length", "count":
            return .int(try length(of: value))
        case "tojson":
            let indent = arguments.value(0, "indent")
            guard indent == nil || indent!.isNoneLike || indent!.integer != nil else { throw TemplateFailure("tojson's indent must be an integer") }
            let sortKeys = arguments.value(3, "sort_keys")?.isTruthy ?? false
            var json = ""
            try TemplateJSON.encode(value, indent: indent?.integer, level: 0, sortKeys: sortKeys, into: &json)
            return .string(TemplateString(json, isMarkup: !value.containsContent))
        case "string":
            return .string(value.printed)
        case "upper", "lower":
            return .string(value.printed.mappingCase(upper: name == "upper"))
        case "capitalize":
            return .string(value.printed.capitalized())
        case "items":
            switch value {
            case .undefined: return .list([])
            case let .dict(dictionary):
                return .list(dictionary.keys.map { .list([.markup($0), dictionary[$0]!]) })
            default: throw TemplateFailure("the items filter needs a mapping, not \(value.typeName)")
            }
        case "default", "d":
            let fallback = arguments.value(0, "default_value") ?? .markup("")
            let boolean = arguments.value(1, "boolean")?.isTruthy ?? false
            return value.isUndefined || boolean && !value.isTruthy ? fallback : value
        case "join":
            let separator = try optionalString(arguments.value(0, "d")) ?? .empty
            var joined = TemplateString.empty
            for (position, item) in try iterate(value).enumerated() {
                if position > 0 { joined.append(separator) }
                joined.append(item.printed)
                guard joined.count <= limits.outputLength else { throw TemplateFailure("a joined string is longer than the limit of \(limits.outputLength)") }
            }
            return .string(joined)
        case "reject", "select":
            guard case let .string(testName)? = arguments.positional.first else { throw TemplateFailure("\(name) needs the name of a test") }
            guard tests.contains(testName.text) else { throw TemplateFailure("unsupported test '\(testName.text)'") }
            let testArguments = Array(arguments.positional.dropFirst())
            var kept: [TemplateValue] = []
            for item in try iterate(value) where try test(testName.text, item, testArguments) == (name == "select") { kept.append(item) }
            return .list(kept)
        case "first", "last":
            let items = try iterate(value)
            return (name == "first" ? items.first : items.last) ?? .undefined(name: "\(name) of an empty sequence")
        case "list":
            return .list(try iterate(value))
        default:
            throw TemplateFailure("unsupported filter '\(name)'")
        }
    }

    // MARK: Tests

    static func test(_ name: String, _ value: TemplateValue, _ arguments: [TemplateValue]) throws(TemplateFailure) -> Bool {
        switch name {
        case "defined": return !value.isUndefined
        case "undefined": return value.isUndefined
        case "none": if case .none = value { return true } else { return false }
        case "string": if case .string = value { return true } else { return false }
        case "mapping": if case .dict = value { return true } else { return false }
        case "iterable", "sequence":
            switch value {
            case .undefined, .string, .list, .dict: return true
            default: return false
            }
        case "number": return value.numeric != nil
        case "integer": if case .int = value { return true } else { return false }
        case "float": if case .double = value { return true } else { return false }
        case "boolean": if case .bool = value { return true } else { return false }
        case "true": if case .bool(true) = value { return true } else { return false }
        case "false": if case .bool(false) = value { return true } else { return false }
        case "equalto", "eq", "ne":
            guard let other = arguments.first else { throw TemplateFailure("test '\(name)' needs a value to compare with") }
            return value.equals(other) == (name != "ne")
        default: throw TemplateFailure("unsupported test '\(name)'")
        }
    }

    // MARK: Functions and methods

    static func call(_ function: TemplateFunction, _ arguments: Arguments, date: TemplateDate) throws(TemplateFailure) -> TemplateValue {
        switch function {
        case .raiseException:
            let message = arguments.positional.first?.printed.text ?? ""
            throw TemplateFailure("the template raised an error: \(message)")
        case .strftimeNow:
            guard case let .string(format)? = arguments.positional.first else { throw TemplateFailure("strftime_now needs a format string") }
            return .markup(try date.formatted(format.text))
        case .namespace:
            let namespace = TemplateNamespace()
            if case let .dict(initial)? = arguments.positional.first {
                for key in initial.keys { namespace.attributes[key] = initial[key] }
            }
            for key in arguments.keywords.keys.sorted() { namespace.attributes[key] = arguments.keywords[key] }
            return .namespace(namespace)
        case let .method(receiver, name):
            return try method(name, of: receiver, arguments)
        }
    }

    private static func method(_ name: String, of receiver: TemplateValue, _ arguments: Arguments) throws(TemplateFailure) -> TemplateValue {
        if case let .dict(dictionary) = receiver {
            switch name {
            case "get":
                guard case let .string(key)? = arguments.positional.first else { throw TemplateFailure("get needs a string key") }
                return dictionary[key.text] ?? arguments.value(1, "default") ?? .none
            case "items": return .list(dictionary.keys.map { .list([.markup($0), dictionary[$0]!]) })
            case "keys": return .list(dictionary.keys.map { .markup($0) })
            case "values": return .list(dictionary.keys.map { dictionary[$0]! })
            default: break
            }
        }
        guard case let .string(text) = receiver else { throw TemplateFailure("\(receiver.typeName) has no method '\(name)'") }
        switch name {
        case "startswith", "endswith":
            let candidates: [TemplateValue]
            switch arguments.positional.first {
            case let .list(items)?: candidates = items
            case let value?: candidates = [value]
            case nil: throw TemplateFailure("\(name) needs an argument")
            }
            for candidate in candidates {
                guard case let .string(affix) = candidate else { throw TemplateFailure("\(name) needs strings, not \(candidate.typeName)") }
                if name == "startswith" ? text.hasPrefix(affix) : text.hasSuffix(affix) { return .bool(true) }
            }
            return .bool(false)
        case "split":
            let maxSplits = arguments.value(1, "maxsplit")?.integer ?? -1
            return .list(try text.split(try optionalString(arguments.value(0, "sep")), maxSplits: maxSplits).map { .string($0) })
        case "strip", "lstrip", "rstrip":
            let characters = try optionalString(arguments.value(0, "chars"))
            return .string(text.stripping(characters, leading: name != "rstrip", trailing: name != "lstrip"))
        case "replace":
            guard case let .string(old)? = arguments.value(0, "old"), case let .string(new)? = arguments.value(1, "new") else {
                throw TemplateFailure("replace needs two strings")
            }
            return .string(text.replacing(old, with: new, count: arguments.value(2, "count")?.integer ?? -1))
        case "upper", "lower":
            return .string(text.mappingCase(upper: name == "upper"))
        default:
            throw TemplateFailure("unsupported method '\(name)'")
        }
    }

    // MARK: Helpers

    /// Python's `len`; Jinja's `Undefined` has length 0.
    static func length(of value: TemplateValue) throws(TemplateFailure) -> Int {
        switch value {
        case .undefined: 0
        case let .string(text): text.count
        case let .list(items): items.count
        case let .dict(dictionary): dictionary.keys.count
        default: throw TemplateFailure("object of type '\(value.typeName)' has no length")
        }
    }

    /// What iterating `value` gives: a list's items, a dictionary's keys, a string's scalars;
    /// nothing for undefined.
    static func iterate(_ value: TemplateValue) throws(TemplateFailure) -> [TemplateValue] {
        switch value {
        case .undefined: []
        case let .list(items): items
        case let .dict(dictionary): dictionary.keys.map { .markup($0) }
        case let .string(text): (0..<text.count).map { .string(text[$0..<$0 + 1]) }
        default: throw TemplateFailure("'\(value.typeName)' object is not iterable")
        }
    }

    private static func optionalString(_ value: TemplateValue?) throws(TemplateFailure) -> TemplateString? {
        switch value {
        case nil, .none?, .undefined?: nil
        case let .string(text)?: text
        case let other?: throw TemplateFailure("expected a string, not \(other.typeName)")
        }
    }
}

extension TemplateValue {
    var integer: Int? {
        if case let .int(value) = self { value } else { nil }
    }

    var isNoneLike: Bool {
        switch self {
        case .none, .undefined: true
        default: false
        }
    }
}
