/// Parses a template's tokens into statements, following Jinja's grammar and operator
/// precedence for the subset chat templates use. Anything outside it (an unknown tag,
/// filter, test, function or method) fails here, naming it and where it is, rather than when
/// a conversation happens to reach it.
struct TemplateParser {
    private let tokens: [TemplateToken]
    private let limits: TemplateLimits
    private var index = 0
    private var depth = 0

    static func parse(_ tokens: [TemplateToken], limits: TemplateLimits) throws(TemplateError) -> [TemplateStatement] {
        var parser = TemplateParser(tokens: tokens, limits: limits)
        let (body, _) = try parser.parseBody(until: [], openedBy: ("", tokens[0].location))
        return body
    }

    private init(tokens: [TemplateToken], limits: TemplateLimits) {
        self.tokens = tokens
        self.limits = limits
    }

    // MARK: Tokens

    private var current: TemplateToken { tokens[index] }

    private mutating func advance() { if index < tokens.count - 1 { index += 1 } }

    private func isName(_ name: String) -> Bool { current.kind == .name(name) }
    private func isOperator(_ op: String) -> Bool { current.kind == .operator(op) }

    private mutating func skipName(_ name: String) -> Bool {
        guard isName(name) else { return false }
        advance()
        return true
    }

    private mutating func skipOperator(_ op: String) -> Bool {
        guard isOperator(op) else { return false }
        advance()
        return true
    }

    private mutating func expect(_ kind: TemplateToken.Kind, _ what: String) throws(TemplateError) {
        guard current.kind == kind else { throw unexpected(expected: what) }
        advance()
    }

    private mutating func expectName() throws(TemplateError) -> String {
        guard case let .name(name) = current.kind else { throw unexpected(expected: "a name") }
        advance()
        return name
    }

    private func unexpected(expected: String) -> TemplateError {
        TemplateError("expected \(expected), found \(Self.describe(current.kind))", at: current.location)
    }

    private static func describe(_ kind: TemplateToken.Kind) -> String {
        switch kind {
        case .text: "text"
        case .variableBegin: "'{{'"
        case .variableEnd: "'}}'"
        case .blockBegin: "'{%'"
        case .blockEnd: "'%}'"
        case let .name(name): "'\(name)'"
        case let .string(text): "string \(PythonText.repr(text))"
        case let .integer(value): "\(value)"
        case let .float(value): "\(value)"
        case let .operator(op): "'\(op)'"
        case .end: "the end of the template"
        }
    }

    private mutating func nest() throws(TemplateError) {
        depth += 1
        guard depth <= limits.depth else {
            throw TemplateError("the template nests deeper than the limit of \(limits.depth)", at: current.location)
        }
    }

    // MARK: Statements

    /// Statements up to one of the block tags `endTags` (returned, with the parser just past
    /// its name) or, when `endTags` is empty, the end of the template. `opener` is the tag
    /// whose body this is, for the error when it is never closed.
    private mutating func parseBody(until endTags: Set<String>, openedBy opener: (tag: String, location: TemplateLocation))
        throws(TemplateError) -> ([TemplateStatement], String) {
        try nest()
        defer { depth -= 1 }
        var body: [TemplateStatement] = []
        while true {
            switch current.kind {
            case let .text(text):
                body.append(.text(text))
                advance()
            case .variableBegin:
                advance()
                body.append(.output(try parseExpression()))
                try expect(.variableEnd, "'}}'")
            case .blockBegin:
                advance()
                let location = current.location
                let tag = try expectName()
                if endTags.contains(tag) { return (body, tag) }
                body.append(try parseBlock(tag, at: location))
            case .end:
                guard endTags.isEmpty else {
                    throw TemplateError("{% \(opener.tag) %} is never closed (expected \(endTags.sorted().map { "{% \($0) %}" }.joined(separator: " or ")))",
                                        at: opener.location)
                }
                return (body, "")
            default:
                throw unexpected(expected: "text or a tag")
            }
        }
    }

    private mutating func parseBlock(_ tag: String, at location: TemplateLocation) throws(TemplateError) -> TemplateStatement {
        switch tag {
        case "if": return try parseIf(at: location)
        case "for": return try parseFor(at: location)
        case "set": return try parseSet(at: location)
        case "elif", "else", "endif", "endfor", "endset":
            throw TemplateError("unexpected {% \(tag) %}: no open block it belongs to", at: location)
        default:
            throw TemplateError("unsupported tag '\(tag)' (supported: if, for, set)", at: location)
        }
    }

    private mutating func parseIf(at location: TemplateLocation) throws(TemplateError) -> TemplateStatement {
        var branches: [(condition: TemplateExpression, body: [TemplateStatement])] = []
        var condition = try parseExpression()
        while true {
            try expect(.blockEnd, "'%}'")
            let (body, tag) = try parseBody(until: ["elif", "else", "endif"], openedBy: ("if", location))
            branches.append((condition, body))
            switch tag {
            case "elif":
                condition = try parseExpression()
            case "else":
                try expect(.blockEnd, "'%}'")
                let (otherwise, _) = try parseBody(until: ["endif"], openedBy: ("if", location))
                try expect(.blockEnd, "'%}'")
                return .conditional(branches: branches, otherwise: otherwise)
            default:
                try expect(.blockEnd, "'%}'")
                return .conditional(branches: branches, otherwise: [])
            }
        }
    }

    private mutating func parseFor(at location: TemplateLocation) throws(TemplateError) -> TemplateStatement {
        let target = try parseTarget(allowAttribute: false)
        guard skipName("in") else { throw unexpected(expected: "'in'") }
        let iterable = try parseExpression(allowConditional: false)
        var filter: TemplateExpression?
        if skipName("if") { filter = try parseExpression(allowConditional: false) }
        if isName("recursive") { throw TemplateError("recursive loops are not supported", at: current.location) }
        try expect(.blockEnd, "'%}'")
        let (body, tag) = try parseBody(until: ["else", "endfor"], openedBy: ("for", location))
        var otherwise: [TemplateStatement] = []
        if tag == "else" {
            try expect(.blockEnd, "'%}'")
            (otherwise, _) = try parseBody(until: ["endfor"], openedBy: ("for", location))
        }
        try expect(.blockEnd, "'%}'")
        return .loop(target: target, iterable: iterable, filter: filter, body: body, otherwise: otherwise, location: location)
    }

    private mutating func parseSet(at location: TemplateLocation) throws(TemplateError) -> TemplateStatement {
        let target = try parseTarget(allowAttribute: true)
        if skipOperator("=") {
            let value = try parseExpression()
            try expect(.blockEnd, "'%}'")
            return .assignment(target, value, location: location)
        }
        guard case let .name(name) = target else { throw unexpected(expected: "'='") }
        try expect(.blockEnd, "'%}'")
        let (body, _) = try parseBody(until: ["endset"], openedBy: ("set", location))
        try expect(.blockEnd, "'%}'")
        return .blockAssignment(name, body)
    }

    private mutating func parseTarget(allowAttribute: Bool) throws(TemplateError) -> TemplateTarget {
        let first = try expectName()
        if allowAttribute, skipOperator(".") { return .attribute(first, try expectName()) }
        var names = [first]
        while skipOperator(",") { names.append(try expectName()) }
        return names.count == 1 ? .name(first) : .names(names)
    }

    // MARK: Expressions, lowest precedence first (as Jinja's parser)

    private mutating func parseExpression(allowConditional: Bool = true) throws(TemplateError) -> TemplateExpression {
        try nest()
        defer { depth -= 1 }
        var expression = try parseOr()
        while allowConditional, isName("if") {
            let location = current.location
            advance()
            let condition = try parseOr()
            var otherwise: TemplateExpression?
            if skipName("else") { otherwise = try parseExpression() }
            expression = TemplateExpression(kind: .conditional(then: expression, condition: condition, otherwise: otherwise), location: location)
        }
        return expression
    }

    private mutating func parseOr() throws(TemplateError) -> TemplateExpression {
        var left = try parseAnd()
        while isName("or") {
            let location = current.location
            advance()
            left = TemplateExpression(kind: .or(left, try parseAnd()), location: location)
        }
        return left
    }

    private mutating func parseAnd() throws(TemplateError) -> TemplateExpression {
        var left = try parseNot()
        while isName("and") {
            let location = current.location
            advance()
            left = TemplateExpression(kind: .and(left, try parseNot()), location: location)
        }
        return left
    }

    private mutating func parseNot() throws(TemplateError) -> TemplateExpression {
        if isName("not") {
            let location = current.location
            advance()
            try nest()
            defer { depth -= 1 }
            return TemplateExpression(kind: .not(try parseNot()), location: location)
        }
        return try parseCompare()
    }

    private mutating func parseCompare() throws(TemplateError) -> TemplateExpression {
        var left = try parseSum()
        while true {
            let location = current.location
            var op: String
            if case let .operator(symbol) = current.kind, ["==", "!=", "<", ">", "<=", ">="].contains(symbol) {
                op = symbol
                advance()
            } else if isName("in") {
                op = "in"
                advance()
            } else if isName("not"), index + 1 < tokens.count, tokens[index + 1].kind == .name("in") {
                op = "not in"
                advance()
                advance()
            } else {
                return left
            }
            left = TemplateExpression(kind: .binary(op, left, try parseSum()), location: location)
        }
    }

    private mutating func parseBinary(_ ops: [String], next: (inout TemplateParser) throws(TemplateError) -> TemplateExpression)
        throws(TemplateError) -> TemplateExpression {
        var left = try next(&self)
        while case let .operator(op) = current.kind, ops.contains(op) {
            let location = current.location
            advance()
            left = TemplateExpression(kind: .binary(op, left, try next(&self)), location: location)
        }
        return left
    }

    private mutating func parseSum() throws(TemplateError) -> TemplateExpression {
        try parseBinary(["+", "-"]) { (parser: inout TemplateParser) throws(TemplateError) in try parser.parseConcatenation() }
    }

    private mutating func parseConcatenation() throws(TemplateError) -> TemplateExpression {
        try parseBinary(["~"]) { (parser: inout TemplateParser) throws(TemplateError) in try parser.parseProduct() }
    }

    private mutating func parseProduct() throws(TemplateError) -> TemplateExpression {
        try parseBinary(["*", "/", "//", "%"]) { (parser: inout TemplateParser) throws(TemplateError) in try parser.parsePower() }
    }

    private mutating func parsePower() throws(TemplateError) -> TemplateExpression {
        try parseBinary(["**"]) { (parser: inout TemplateParser) throws(TemplateError) in try parser.parseUnary() }
    }

    private mutating func parseUnary(withFilters: Bool = true) throws(TemplateError) -> TemplateExpression {
        try nest()
        defer { depth -= 1 }
        let location = current.location
        var expression: TemplateExpression
        if skipOperator("-") {
            expression = TemplateExpression(kind: .negate(try parseUnary(withFilters: false)), location: location)
        } else if skipOperator("+") {
            expression = try parseUnary(withFilters: false)
        } else {
            expression = try parsePrimary()
        }
        expression = try parsePostfix(expression)
        return withFilters ? try parseFilters(expression) : expression
    }

    private mutating func parsePrimary() throws(TemplateError) -> TemplateExpression {
        let location = current.location
        switch current.kind {
        case let .name(name):
            advance()
            switch name {
            case "true", "True": return TemplateExpression(kind: .literal(.bool(true)), location: location)
            case "false", "False": return TemplateExpression(kind: .literal(.bool(false)), location: location)
            case "none", "None": return TemplateExpression(kind: .literal(.none), location: location)
            default: return TemplateExpression(kind: .name(name), location: location)
            }
        case let .string(text):
            var joined = text
            advance()
            while case let .string(more) = current.kind {
                joined += more
                advance()
            }
            return TemplateExpression(kind: .literal(.markup(joined)), location: location)
        case let .integer(value):
            advance()
            return TemplateExpression(kind: .literal(.int(value)), location: location)
        case let .float(value):
            advance()
            return TemplateExpression(kind: .literal(.double(value)), location: location)
        case .operator("("):
            advance()
            if skipOperator(")") { return TemplateExpression(kind: .list([]), location: location) }
            let first = try parseExpression()
            guard isOperator(",") else {
                try expect(.operator(")"), "')'")
                return first
            }
            var items = [first]
            while skipOperator(","), !isOperator(")") { items.append(try parseExpression()) }
            try expect(.operator(")"), "')'")
            return TemplateExpression(kind: .list(items), location: location)
        case .operator("["):
            advance()
            var items: [TemplateExpression] = []
            while !isOperator("]") {
                items.append(try parseExpression())
                guard skipOperator(",") else { break }
            }
            try expect(.operator("]"), "']'")
            return TemplateExpression(kind: .list(items), location: location)
        case .operator("{"):
            advance()
            var pairs: [(key: TemplateExpression, value: TemplateExpression)] = []
            while !isOperator("}") {
                let key = try parseExpression()
                try expect(.operator(":"), "':'")
                pairs.append((key, try parseExpression()))
                guard skipOperator(",") else { break }
            }
            try expect(.operator("}"), "'}'")
            return TemplateExpression(kind: .dict(pairs), location: location)
        default:
            throw unexpected(expected: "an expression")
        }
    }

    private mutating func parsePostfix(_ base: TemplateExpression) throws(TemplateError) -> TemplateExpression {
        var expression = base
        while true {
            let location = current.location
            if skipOperator(".") {
                if case let .integer(position) = current.kind {
                    advance()
                    expression = TemplateExpression(kind: .item(expression, TemplateExpression(kind: .literal(.int(position)), location: location)),
                                                    location: location)
                } else {
                    let name = try expectName()
                    expression = TemplateExpression(kind: .attribute(expression, name), location: location)
                }
            } else if skipOperator("[") {
                expression = try parseSubscript(of: expression, at: location)
            } else if isOperator("(") {
                expression = try parseCall(of: expression)
            } else {
                return expression
            }
        }
    }

    private mutating func parseSubscript(of base: TemplateExpression, at location: TemplateLocation) throws(TemplateError) -> TemplateExpression {
        var parts: [TemplateExpression?] = [nil]
        var isSlice = false
        while !isOperator("]") {
            if skipOperator(":") {
                isSlice = true
                parts.append(nil)
                guard parts.count <= 3 else { throw TemplateError("a slice has at most three parts", at: location) }
            } else {
                guard parts[parts.count - 1] == nil else { throw unexpected(expected: "':' or ']'") }
                parts[parts.count - 1] = try parseExpression()
            }
        }
        advance()
        if !isSlice {
            guard let key = parts[0] else { throw TemplateError("empty subscript", at: location) }
            return TemplateExpression(kind: .item(base, key), location: location)
        }
        while parts.count < 3 { parts.append(nil) }
        return TemplateExpression(kind: .slice(base, start: parts[0], stop: parts[1], step: parts[2]), location: location)
    }

    private mutating func parseArguments() throws(TemplateError) -> TemplateArguments {
        try expect(.operator("("), "'('")
        var arguments = TemplateArguments()
        while !isOperator(")") {
            if case let .name(name) = current.kind, index + 1 < tokens.count, tokens[index + 1].kind == .operator("=") {
                advance()
                advance()
                arguments.keywords.append((name, try parseExpression()))
            } else {
                guard arguments.keywords.isEmpty else { throw TemplateError("a positional argument follows a keyword argument", at: current.location) }
                arguments.positional.append(try parseExpression())
            }
            guard skipOperator(",") else { break }
        }
        try expect(.operator(")"), "')'")
        return arguments
    }

    private mutating func parseCall(of callee: TemplateExpression) throws(TemplateError) -> TemplateExpression {
        switch callee.kind {
        case let .name(name) where !TemplateBuiltins.functions.contains(name):
            throw TemplateError("unsupported function '\(name)' (supported: \(TemplateBuiltins.functions.sorted().joined(separator: ", ")))",
                                at: callee.location)
        case let .attribute(_, name) where !TemplateBuiltins.methods.contains(name):
            throw TemplateError("unsupported method '\(name)' (supported: \(TemplateBuiltins.methods.sorted().joined(separator: ", ")))",
                                at: callee.location)
        default: break
        }
        return TemplateExpression(kind: .call(callee, arguments: try parseArguments()), location: callee.location)
    }

    private mutating func parseFilters(_ base: TemplateExpression) throws(TemplateError) -> TemplateExpression {
        var expression = base
        while true {
            if skipOperator("|") {
                let location = current.location
                let name = try expectName()
                guard TemplateBuiltins.filters.contains(name) else {
                    throw TemplateError("unsupported filter '\(name)' (supported: \(TemplateBuiltins.filters.sorted().joined(separator: ", ")))", at: location)
                }
                let arguments = isOperator("(") ? try parseArguments() : TemplateArguments()
                expression = TemplateExpression(kind: .filter(expression, name: name, arguments: arguments), location: location)
            } else if isName("is") {
                advance()
                let negated = skipName("not")
                let location = current.location
                let name = try expectName()
                guard TemplateBuiltins.tests.contains(name) else {
                    throw TemplateError("unsupported test '\(name)' (supported: \(TemplateBuiltins.tests.sorted().joined(separator: ", ")))", at: location)
                }
                var arguments: [TemplateExpression] = []
                if isOperator("(") {
                    arguments = try parseArguments().positional
                } else if startsTestArgument {
                    arguments = [try parsePostfix(try parsePrimary())]
                }
                expression = TemplateExpression(kind: .test(expression, name: name, arguments: arguments, negated: negated), location: location)
            } else if isOperator("(") {
                expression = try parseCall(of: expression)
            } else {
                return expression
            }
        }
    }

    /// Jinja reads a test's one argument without parentheses (`x is divisibleby 3`) when a
    /// primary expression follows that is not `else`, `or` or `and`.
    private var startsTestArgument: Bool {
        switch current.kind {
        case let .name(name): !["else", "or", "and"].contains(name)
        case .string, .integer, .float, .operator("("), .operator("["), .operator("{"): true
        default: false
        }
    }
}
