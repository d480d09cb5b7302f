/// One token of a template: literal text between tags, a tag's delimiters, or a piece of an
/// expression inside a tag.
struct TemplateToken: Sendable {
    enum Kind: Sendable, Equatable {
        case text(String)
        case variableBegin, variableEnd  // {{ }}
        case blockBegin, blockEnd  // {% %}
        case name(String)
        case string(String)
        case integer(Int)
        case float(Double)
        case `operator`(String)
        case end
    }

    let kind: Kind
    let location: TemplateLocation
}

/// Cuts a template into tokens, with Jinja's whitespace handling as Hugging Face's
/// `apply_chat_template` sets it up: `trim_blocks` (a block or comment tag eats the one
/// newline after it), `lstrip_blocks` (spaces and tabs before a block or comment tag on its
/// own line go), `-` in a tag strips all whitespace on that side, `+` turns both off; newlines
/// are normalized to "\n" and one trailing newline is dropped (`keep_trailing_newline` off).
struct TemplateLexer {
    private let source: [Unicode.Scalar]
    private var position = 0
    private var line = 1
    private var column = 1
    private var tokens: [TemplateToken] = []

    static func tokenize(_ text: String, limits: TemplateLimits) throws(TemplateError) -> [TemplateToken] {
        var normalized = Array(text.replacingNewlines().unicodeScalars)
        guard normalized.count <= limits.sourceLength else {
            throw TemplateError("the template has \(normalized.count) characters, more than the limit of \(limits.sourceLength)",
                                at: TemplateLocation(line: 1, column: 1))
        }
        if normalized.last == "\n" { normalized.removeLast() }
        var lexer = TemplateLexer(source: normalized)
        try lexer.run()
        return lexer.tokens
    }

    private init(source: [Unicode.Scalar]) {
        self.source = source
    }

    private var here: TemplateLocation { TemplateLocation(line: line, column: column) }

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        position + offset < source.count ? source[position + offset] : nil
    }

    private mutating func advance(_ count: Int = 1) {
        for _ in 0..<count where position < source.count {
            if source[position] == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
            position += 1
        }
    }

    private func startsTag(at index: Int) -> Bool {
        index + 1 < source.count && source[index] == "{" && ["{", "%", "#"].contains(source[index + 1])
    }

    private mutating func run() throws(TemplateError) {
        // Whether the text now starting begins a line: at the start, or after a tag whose
        // match (with trim_blocks' newline) ended in one. lstrip_blocks needs it.
        var lineStarting = true
        while position < source.count {
            var tagStart = position
            while tagStart < source.count, !startsTag(at: tagStart) { tagStart += 1 }
            let textLocation = here
            var text = Array(source[position..<tagStart])
            guard tagStart < source.count else {
                emitText(text, at: textLocation)
                advance(tagStart - position)
                break
            }
            let opener = source[tagStart + 1]
            let sign = tagStart + 2 < source.count ? source[tagStart + 2] : nil
            if sign == "-" {
                while let last = text.last, PythonText.isWhitespace(last) { text.removeLast() }
            } else if sign != "+", opener != "{" {
                let lineStart = (text.lastIndex(of: "\n") ?? -1) + 1
                if lineStart > 0 || lineStarting, text[lineStart...].allSatisfy({ $0 == " " || $0 == "\t" }) {
                    text.removeSubrange(lineStart...)
                }
            }
            emitText(text, at: textLocation)
            advance(tagStart - position)
            let tagLocation = here
            advance(sign == "-" || sign == "+" ? 3 : 2)
            switch opener {
            case "#": try skipComment(openedAt: tagLocation)
            case "{": try lexTag(closing: "}", begin: .variableBegin, end: .variableEnd, openedAt: tagLocation)
            default: try lexTag(closing: "%", begin: .blockBegin, end: .blockEnd, openedAt: tagLocation)
            }
            lineStarting = position > 0 && source[position - 1] == "\n"
        }
        tokens.append(TemplateToken(kind: .end, location: here))
    }

    private mutating func emitText(_ text: [Unicode.Scalar], at location: TemplateLocation) {
        guard !text.isEmpty else { return }
        tokens.append(TemplateToken(kind: .text(String(String.UnicodeScalarView(text))), location: location))
    }

    /// After a tag's closing delimiter: `-` strips the whitespace that follows, trim_blocks
    /// (for block and comment tags) the one newline.
    private mutating func handleTrailingWhitespace(sign: Unicode.Scalar?, isBlock: Bool) {
        if sign == "-" {
            while let next = peek(), PythonText.isWhitespace(next) { advance() }
        } else if sign != "+", isBlock, peek() == "\n" {
            advance()
        }
    }

    private mutating func skipComment(openedAt location: TemplateLocation) throws(TemplateError) {
        while position < source.count {
            if peek() == "#", peek(1) == "}" {
                let sign = position > 0 ? source[position - 1] : nil
                advance(2)
                handleTrailingWhitespace(sign: sign == "-" || sign == "+" ? sign : nil, isBlock: true)
                return
            }
            advance()
        }
        throw TemplateError("comment {# is never closed with #}", at: location)
    }

    private mutating func lexTag(closing: Unicode.Scalar, begin: TemplateToken.Kind, end: TemplateToken.Kind,
                                 openedAt location: TemplateLocation) throws(TemplateError) {
        tokens.append(TemplateToken(kind: begin, location: location))
        var brackets = 0
        while true {
            while let next = peek(), next == " " || next == "\t" || next == "\n" { advance() }
            guard let next = peek() else {
                throw TemplateError("tag \(closing == "%" ? "{%" : "{{") is never closed with \(closing == "%" ? "%}" : "}}")", at: location)
            }
            if brackets == 0 {
                let sign: Unicode.Scalar? = (next == "-" || next == "+") && peek(1) == closing && peek(2) == "}" ? next : nil
                if sign != nil || (next == closing && peek(1) == "}") {
                    let endLocation = here
                    advance(sign == nil ? 2 : 3)
                    tokens.append(TemplateToken(kind: end, location: endLocation))
                    handleTrailingWhitespace(sign: sign, isBlock: closing == "%")
                    return
                }
            }
            let tokenLocation = here
            if next == "_" || next.properties.isAlphabetic && next.isASCII {
                var name = ""
                while let scalar = peek(), scalar == "_" || scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)) {
                    name.unicodeScalars.append(scalar)
                    advance()
                }
                tokens.append(TemplateToken(kind: .name(name), location: tokenLocation))
            } else if ("0"..."9").contains(next) {
                tokens.append(TemplateToken(kind: try lexNumber(at: tokenLocation), location: tokenLocation))
            } else if next == "'" || next == "\"" {
                tokens.append(TemplateToken(kind: .string(try lexString(at: tokenLocation)), location: tokenLocation))
            } else if let op = Self.operators.first(where: { matches($0) }) {
                advance(op.unicodeScalars.count)
                if ["(", "[", "{"].contains(op) { brackets += 1 }
                if [")", "]", "}"].contains(op) { brackets = max(0, brackets - 1) }
                tokens.append(TemplateToken(kind: .operator(op), location: tokenLocation))
            } else {
                throw TemplateError("unexpected character '\(Character(next))' in a tag", at: tokenLocation)
            }
        }
    }

    /// Longest first, so "//" is not read as two "/".
    private static let operators = ["//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<", ">", "=",
                                    "(", ")", "[", "]", "{", "}", ",", ".", ":", "|"]

    private func matches(_ op: String) -> Bool {
        for (offset, scalar) in op.unicodeScalars.enumerated() where peek(offset) != scalar { return false }
        return true
    }

    private mutating func lexNumber(at location: TemplateLocation) throws(TemplateError) -> TemplateToken.Kind {
        var digits = ""
        while let scalar = peek(), ("0"..."9").contains(scalar) || scalar == "_" {
            if scalar != "_" { digits.unicodeScalars.append(scalar) }
            advance()
        }
        if peek() == ".", let after = peek(1), ("0"..."9").contains(after) {
            digits += "."
            advance()
            while let scalar = peek(), ("0"..."9").contains(scalar) {
                digits.unicodeScalars.append(scalar)
                advance()
            }
            guard let value = Double(digits) else { throw TemplateError("bad number \(digits)", at: location) }
            return .float(value)
        }
        guard let value = Int(digits) else { throw TemplateError("integer \(digits) is too large", at: location) }
        return .integer(value)
    }

    /// A quoted literal, with Python's escapes resolved (Jinja decodes them with
    /// `unicode-escape`); an unknown escape stays as written.
    private mutating func lexString(at location: TemplateLocation) throws(TemplateError) -> String {
        let quote = peek()!
        advance()
        var text = String.UnicodeScalarView()
        while let scalar = peek() {
            advance()
            if scalar == quote { return String(text) }
            guard scalar == "\\", let escaped = peek() else {
                text.append(scalar)
                continue
            }
            advance()
            switch escaped {
            case "n": text.append("\n")
            case "t": text.append("\t")
            case "r": text.append("\r")
            case "a": text.append("\u{07}")
            case "b": text.append("\u{08}")
            case "f": text.append("\u{0C}")
            case "v": text.append("\u{0B}")
            case "0": text.append("\0")
            case "\\", "'", "\"": text.append(escaped)
            case "\n": break  // a backslash-newline continues the line
            case "x", "u", "U":
                let digits = escaped == "x" ? 2 : escaped == "u" ? 4 : 8
                var hex = ""
                for _ in 0..<digits {
                    guard let digit = peek(), digit.properties.isASCIIHexDigit else {
                        throw TemplateError("bad \\\(escaped) escape in a string", at: location)
                    }
                    hex.unicodeScalars.append(digit)
                    advance()
                }
                guard let value = UInt32(hex, radix: 16), let decoded = Unicode.Scalar(value) else {
                    throw TemplateError("bad \\\(escaped) escape in a string", at: location)
                }
                text.append(decoded)
            default:
                text.append("\\")
                text.append(escaped)
            }
        }
        throw TemplateError("string literal is never closed", at: location)
    }
}

extension String {
    /// "\r\n" and "\r" as "\n", as Jinja reads a template.
    fileprivate func replacingNewlines() -> String {
        var out = String.UnicodeScalarView()
        var previousWasCR = false
        for scalar in unicodeScalars {
            if scalar == "\r" {
                out.append("\n")
                previousWasCR = true
                continue
            }
            if scalar == "\n", previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = false
            out.append(scalar)
        }
        return String(out)
    }
}
