/// Runs a parsed template over a context, with Jinja's semantics: loops get their own scope
/// (which is why templates carry state out of a loop in a `namespace`), `and`/`or` give one
/// of their operands, undefined values print as nothing but fail as objects.
struct TemplateRenderer {
    private let limits: TemplateLimits
    private let date: TemplateDate
    /// The context (messages, bos_token, ...) first, then one scope per open loop.
    private var scopes: [[String: TemplateValue]]
    private var output = TemplateString.empty
    private var iterations = 0
    private var depth = 0

    init(context: [String: TemplateValue], date: TemplateDate, limits: TemplateLimits) {
        scopes = [context, [:]]
        self.date = date
        self.limits = limits
    }

    mutating func render(_ body: [TemplateStatement]) throws(TemplateError) -> TemplateString {
        try execute(body)
        return output
    }

    private func located<T>(_ location: TemplateLocation, _ body: () throws(TemplateFailure) -> T) throws(TemplateError) -> T {
        do {
            return try body()
        } catch {
            throw TemplateError(error.message, at: location)
        }
    }

    private mutating func nest(_ location: TemplateLocation) throws(TemplateError) {
        depth += 1
        guard depth <= limits.depth else { throw TemplateError("evaluation nests deeper than the limit of \(limits.depth)", at: location) }
    }

    private mutating func emit(_ text: TemplateString, at location: TemplateLocation) throws(TemplateError) {
        output.append(text)
        guard output.count <= limits.outputLength else {
            throw TemplateError("the rendered prompt is longer than the limit of \(limits.outputLength) characters", at: location)
        }
    }

    // MARK: Statements

    private mutating func execute(_ statements: [TemplateStatement]) throws(TemplateError) {
        for statement in statements {
            switch statement {
            case let .text(text):
                output.append(TemplateString(text, isMarkup: true))
            case let .output(expression):
                try emit(try evaluate(expression).printed, at: expression.location)
            case let .conditional(branches, otherwise):
                if let branch = try firstTrue(branches) {
                    try execute(branch)
                } else {
                    try execute(otherwise)
                }
            case let .loop(target, iterable, filter, body, otherwise, location):
                try runLoop(target: target, iterable: iterable, filter: filter, body: body, otherwise: otherwise, at: location)
            case let .assignment(target, expression, location):
                try assign(try evaluate(expression), to: target, at: location)
            case let .blockAssignment(name, body):
                let saved = output
                output = .empty
                try execute(body)
                let captured = output
                output = saved
                scopes[scopes.count - 1][name] = .string(captured)
            }
        }
    }

    private mutating func firstTrue(_ branches: [(condition: TemplateExpression, body: [TemplateStatement])]) throws(TemplateError) -> [TemplateStatement]? {
        for branch in branches where try evaluate(branch.condition).isTruthy { return branch.body }
        return nil
    }

    private mutating func runLoop(target: TemplateTarget, iterable: TemplateExpression, filter: TemplateExpression?,
                                  body: [TemplateStatement], otherwise: [TemplateStatement], at location: TemplateLocation) throws(TemplateError) {
        try nest(location)
        defer { depth -= 1 }
        let source = try evaluate(iterable)
        var items = try located(iterable.location) { () throws(TemplateFailure) in try TemplateBuiltins.iterate(source) }
        scopes.append([:])
        defer { scopes.removeLast() }
        if let filter {
            var kept: [TemplateValue] = []
            for item in items {
                try assign(item, to: target, at: location)
                if try evaluate(filter).isTruthy { kept.append(item) }
            }
            items = kept
        }
        for (position, item) in items.enumerated() {
            iterations += 1
            guard iterations <= limits.loopIterations else {
                throw TemplateError("the template loops more than the limit of \(limits.loopIterations) iterations", at: location)
            }
            var loop = TemplateDictionary()
            loop["index0"] = .int(position)
            loop["index"] = .int(position + 1)
            loop["revindex0"] = .int(items.count - 1 - position)
            loop["revindex"] = .int(items.count - position)
            loop["first"] = .bool(position == 0)
            loop["last"] = .bool(position == items.count - 1)
            loop["length"] = .int(items.count)
            loop["previtem"] = position > 0 ? items[position - 1] : .undefined(name: "loop.previtem")
            loop["nextitem"] = position + 1 < items.count ? items[position + 1] : .undefined(name: "loop.nextitem")
            // Each iteration starts afresh: what the body set in the last one is gone (Jinja's
            // scoping, which is why templates carry state in a namespace).
            scopes[scopes.count - 1] = ["loop": .dict(loop)]
            try assign(item, to: target, at: location)
            try execute(body)
        }
        if items.isEmpty { try execute(otherwise) }
    }

    private mutating func assign(_ value: TemplateValue, to target: TemplateTarget, at location: TemplateLocation) throws(TemplateError) {
        switch target {
        case let .name(name):
            scopes[scopes.count - 1][name] = value
        case let .names(names):
            let items = try located(location) { () throws(TemplateFailure) in try TemplateBuiltins.iterate(value) }
            guard items.count == names.count else {
                throw TemplateError("cannot unpack \(items.count) values into \(names.count) names", at: location)
            }
            for (name, item) in zip(names, items) { scopes[scopes.count - 1][name] = item }
        case let .attribute(name, attribute):
            guard case let .namespace(namespace) = lookup(name) else {
                throw TemplateError("cannot set '\(attribute)' on '\(name)': only a namespace() takes attributes", at: location)
            }
            namespace.attributes[attribute] = value
        }
    }

    private func lookup(_ name: String) -> TemplateValue {
        for scope in scopes.reversed() {
            if let value = scope[name] { return value }
        }
        switch name {
        case "raise_exception": return .function(.raiseException)
        case "strftime_now": return .function(.strftimeNow)
        case "namespace": return .function(.namespace)
        default: return .undefined(name: name)
        }
    }

    // MARK: Expressions

    private mutating func evaluate(_ expression: TemplateExpression) throws(TemplateError) -> TemplateValue {
        try nest(expression.location)
        defer { depth -= 1 }
        let location = expression.location
        switch expression.kind {
        case let .literal(value):
            return value
        case let .name(name):
            return lookup(name)
        case let .list(items):
            var values: [TemplateValue] = []
            for item in items { values.append(try evaluate(item)) }
            return .list(values)
        case let .dict(pairs):
            var dictionary = TemplateDictionary()
            for pair in pairs {
                guard case let .string(key) = try evaluate(pair.key) else { throw TemplateError("dictionary keys must be strings", at: pair.key.location) }
                dictionary[key.text] = try evaluate(pair.value)
            }
            return .dict(dictionary)
        case let .attribute(base, name):
            return try located(location) { [value = try evaluate(base)] () throws(TemplateFailure) in try Self.attribute(name, of: value) }
        case let .item(base, key):
            let value = try evaluate(base)
            let index = try evaluate(key)
            return try located(location) { () throws(TemplateFailure) in try Self.item(index, of: value) }
        case let .slice(base, start, stop, step):
            let value = try evaluate(base)
            let bounds = [try start.map { e throws(TemplateError) in try evaluate(e) }, try stop.map { e throws(TemplateError) in try evaluate(e) },
                          try step.map { e throws(TemplateError) in try evaluate(e) }]
            return try located(location) { () throws(TemplateFailure) in try Self.slice(value, bounds[0], bounds[1], bounds[2]) }
        case let .call(callee, arguments):
            let function = try evaluate(callee)
            let evaluated = try evaluate(arguments)
            return try located(location) { [date] () throws(TemplateFailure) in
                switch function {
                case let .function(function): return try TemplateBuiltins.call(function, evaluated, date: date)
                case let .undefined(name): throw TemplateFailure("'\(name)' is undefined")
                default: throw TemplateFailure("'\(function.typeName)' object is not callable")
                }
            }
        case let .filter(base, name, arguments):
            let value = try evaluate(base)
            let evaluated = try evaluate(arguments)
            return try located(location) { [limits] () throws(TemplateFailure) in try TemplateBuiltins.filter(name, value, evaluated, limits: limits) }
        case let .test(base, name, arguments, negated):
            let value = try evaluate(base)
            var values: [TemplateValue] = []
            for argument in arguments { values.append(try evaluate(argument)) }
            return .bool(try located(location) { () throws(TemplateFailure) in try TemplateBuiltins.test(name, value, values) } != negated)
        case let .not(operand):
            return .bool(!(try evaluate(operand).isTruthy))
        case let .negate(operand):
            switch try evaluate(operand) {
            case let .int(value): return .int(-value)
            case let .double(value): return .double(-value)
            case let other: throw TemplateError("bad operand type for unary -: '\(other.typeName)'", at: location)
            }
        case let .and(left, right):
            let first = try evaluate(left)
            return first.isTruthy ? try evaluate(right) : first
        case let .or(left, right):
            let first = try evaluate(left)
            return first.isTruthy ? first : try evaluate(right)
        case let .conditional(then, condition, otherwise):
            if try evaluate(condition).isTruthy { return try evaluate(then) }
            return try otherwise.map { e throws(TemplateError) in try evaluate(e) } ?? .undefined(name: "the else of a conditional expression")
        case let .binary(op, left, right):
            let a = try evaluate(left)
            let b = try evaluate(right)
            return try located(location) { [limits] () throws(TemplateFailure) in try TemplateOperators.apply(op, a, b, limits: limits) }
        }
    }

    private mutating func evaluate(_ arguments: TemplateArguments) throws(TemplateError) -> TemplateBuiltins.Arguments {
        var evaluated = TemplateBuiltins.Arguments()
        for argument in arguments.positional { evaluated.positional.append(try evaluate(argument)) }
        for keyword in arguments.keywords { evaluated.keywords[keyword.name] = try evaluate(keyword.value) }
        return evaluated
    }

    /// `value.name`: Jinja tries the attribute first (a dictionary's or string's methods),
    /// then the item.
    private static func attribute(_ name: String, of value: TemplateValue) throws(TemplateFailure) -> TemplateValue {
        switch value {
        case let .undefined(undefinedName): throw TemplateFailure("'\(undefinedName)' is undefined (reading its '\(name)')")
        case let .dict(dictionary):
            if TemplateBuiltins.dictionaryMethods.contains(name) { return .function(.method(receiver: value, name: name)) }
            return dictionary[name] ?? .undefined(name: name)
        case .string:
            return TemplateBuiltins.stringMethods.contains(name) ? .function(.method(receiver: value, name: name)) : .undefined(name: name)
        case let .namespace(namespace):
            return namespace.attributes[name] ?? .undefined(name: name)
        default:
            return .undefined(name: name)
        }
    }

    /// `value[index]`: Python's indexing (negative from the end); a missing item is undefined.
    private static func item(_ index: TemplateValue, of value: TemplateValue) throws(TemplateFailure) -> TemplateValue {
        switch (value, index) {
        case let (.undefined(name), _): throw TemplateFailure("'\(name)' is undefined (reading an item of it)")
        case let (.list(items), .int(position)):
            let resolved = position < 0 ? items.count + position : position
            return items.indices.contains(resolved) ? items[resolved] : .undefined(name: "item \(position)")
        case let (.string(text), .int(position)):
            let resolved = position < 0 ? text.count + position : position
            return (0..<text.count).contains(resolved) ? .string(text[resolved..<resolved + 1]) : .undefined(name: "item \(position)")
        case let (.dict(dictionary), .string(key)):
            return dictionary[key.text] ?? .undefined(name: key.text)
        case let (.namespace(namespace), .string(key)):
            return namespace.attributes[key.text] ?? .undefined(name: key.text)
        default:
            return .undefined(name: "item \(index.pythonRepr)")
        }
    }

    /// `value[start:stop:step]` on a list or a string, with Python's bounds.
    private static func slice(_ value: TemplateValue, _ start: TemplateValue?, _ stop: TemplateValue?, _ step: TemplateValue?) throws(TemplateFailure) -> TemplateValue {
        func bound(_ value: TemplateValue?) throws(TemplateFailure) -> Int? {
            switch value {
            case nil, .none?: nil
            case let .int(number)?: number
            case let other?: throw TemplateFailure("slice indices must be integers or none, not \(other.typeName)")
            }
        }
        let count: Int
        switch value {
        case let .list(items): count = items.count
        case let .string(text): count = text.count
        case let .undefined(name): throw TemplateFailure("'\(name)' is undefined (slicing it)")
        default: throw TemplateFailure("'\(value.typeName)' object cannot be sliced")
        }
        let stride = try bound(step) ?? 1
        guard stride != 0 else { throw TemplateFailure("slice step cannot be zero") }
        func clamp(_ index: Int?, _ fallback: Int, low: Int, high: Int) -> Int {
            guard var index else { return fallback }
            if index < 0 { index += count }
            return min(max(index, low), high)
        }
        var indices: [Int] = []
        if stride > 0 {
            let first = clamp(try bound(start), 0, low: 0, high: count)
            let end = clamp(try bound(stop), count, low: 0, high: count)
            indices = Array(Swift.stride(from: first, to: end, by: stride))
        } else {
            let first = clamp(try bound(start), count - 1, low: -1, high: count - 1)
            let end = clamp(try bound(stop), -1, low: -1, high: count - 1)
            indices = Array(Swift.stride(from: first, to: end, by: stride))
        }
        switch value {
        case let .list(items): return .list(indices.map { items[$0] })
        case let .string(text): return .string(text.picking(indices))
        default: return value
        }
    }
}
