/// A JSON syntax error, located by the zero-based byte offset of the
/// offending input.
public struct JSONParseError: Error, CustomStringConvertible, Equatable {
    public let offset: Int
    public let message: String

    public var description: String {
        "invalid JSON at byte \(offset): \(message)"
    }
}

/// A strict RFC 8259 parser.
///
/// Strictness is deliberate: the input may be signed or hashed after
/// canonicalization, so anything that two parsers could read differently
/// (duplicate keys, lone surrogates, invalid UTF-8, overflowing numbers) is
/// rejected instead of being repaired.
public enum JSONParser {
    /// Parses one UTF-8 encoded JSON value, optionally surrounded by
    /// whitespace. `maxDepth` bounds how many arrays and objects may nest, which
    /// also bounds the recursion of the parser.
    public static func parse(_ bytes: [UInt8], maxDepth: Int = 32) throws(JSONParseError) -> JSONValue {
        var parser = ByteParser(bytes: bytes, maxDepth: maxDepth)
        return try parser.parseDocument()
    }
}

/// Recursive-descent parser state: the input and a cursor into it.
private struct ByteParser {
    let bytes: [UInt8]
    let maxDepth: Int
    var index = 0

    init(bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    // MARK: Document and values

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            throw error("byte order mark is not allowed")
        }
        skipWhitespace()
        let value = try parseValue(depth: 0)
        skipWhitespace()
        if index < bytes.count {
            throw error("unexpected \(describe(bytes[index])) after the top-level value")
        }
        return value
    }

    /// `depth` is the number of containers enclosing the value.
    mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard let byte = current else {
            throw error("unexpected end of input")
        }
        switch byte {
        case UInt8(ascii: "{"):
            return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["):
            return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try parseNumber())
        default:
            throw unexpectedValueStart()
        }
    }

    mutating func expectLiteral(_ word: String) throws(JSONParseError) {
        let start = index
        for expected in word.utf8 {
            guard current == expected else {
                throw error("invalid literal, expected '\(word)'", at: start)
            }
            index += 1
        }
    }

    /// Names the common non-JSON extensions so the message says what is wrong
    /// rather than just which byte was unexpected.
    func unexpectedValueStart() -> JSONParseError {
        if current == UInt8(ascii: "/") {
            return error("comments are not allowed")
        }
        if hasPrefix("NaN") || hasPrefix("Infinity") || hasPrefix("-Infinity") {
            return error("NaN and Infinity are not allowed")
        }
        return error("unexpected \(describe(bytes[index]))")
    }

    // MARK: Containers

    mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        try checkDepth(depth)
        index += 1  // "["
        var elements: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            if current == UInt8(ascii: "]") {
                throw error("trailing comma is not allowed")
            }
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","):
                index += 1
            case UInt8(ascii: "]"):
                index += 1
                return .array(elements)
            case nil:
                throw error("unterminated array")
            default:
                throw error("expected ',' or ']' in array")
            }
        }
    }

    mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        try checkDepth(depth)
        index += 1  // "{"
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            switch current {
            case UInt8(ascii: "\""):
                break
            case UInt8(ascii: "}"):
                throw error("trailing comma is not allowed")
            case nil:
                throw error("unterminated object")
            default:
                throw error("expected a string key in object")
            }
            let keyOffset = index
            let key = try parseString()
            skipWhitespace()
            guard current == UInt8(ascii: ":") else {
                throw error("expected ':' after object key")
            }
            index += 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            // Swift string equality is canonical equivalence, so keys that
            // differ only in Unicode normalization also land here; the value
            // type could not hold both anyway.
            if members.updateValue(value, forKey: key) != nil {
                throw error("duplicate key \(key.debugDescription)", at: keyOffset)
            }
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","):
                index += 1
            case UInt8(ascii: "}"):
                index += 1
                return .object(members)
            case nil:
                throw error("unterminated object")
            default:
                throw error("expected ',' or '}' in object")
            }
        }
    }

    func checkDepth(_ depth: Int) throws(JSONParseError) {
        if depth > maxDepth {
            throw error("nesting deeper than \(maxDepth) levels")
        }
    }

    // MARK: Numbers

    /// Validates the RFC 8259 number grammar, then converts. Short integers
    /// are converted directly because they are exact; everything else goes
    /// through `Double(String)`, which rounds correctly.
    mutating func parseNumber() throws(JSONParseError) -> Double {
        let start = index
        let isNegative = current == UInt8(ascii: "-")
        if isNegative {
            index += 1
            if hasPrefix("Infinity") {
                throw error("NaN and Infinity are not allowed", at: start)
            }
        }
        guard let first = current, isDigit(first) else {
            throw error("expected a digit after '-'")
        }
        if first == UInt8(ascii: "0") {
            index += 1
            if let next = current, isDigit(next) {
                throw error("leading zeros are not allowed", at: index - 1)
            }
        } else {
            skipDigits()
        }
        var isInteger = true
        if current == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard let next = current, isDigit(next) else {
                throw error("expected a digit after the decimal point")
            }
            skipDigits()
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") {
                index += 1
            }
            guard let next = current, isDigit(next) else {
                throw error("expected a digit in the exponent")
            }
            skipDigits()
        }

        let digitStart = isNegative ? start + 1 : start
        if isInteger && index - digitStart <= 15 {
            // At most 15 digits stay below 2^53, so the conversion is exact.
            var magnitude: Int64 = 0
            for digit in bytes[digitStart..<index] {
                magnitude = magnitude * 10 + Int64(digit &- UInt8(ascii: "0"))
            }
            return isNegative ? -Double(magnitude) : Double(magnitude)
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            throw error("number is out of range", at: start)
        }
        return value
    }

    mutating func skipDigits() {
        while let byte = current, isDigit(byte) {
            index += 1
        }
    }

    func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    // MARK: Strings

    /// Parses a string starting at its opening quote. Unescaped runs are
    /// validated in place and copied in bulk; a scratch buffer is only used
    /// once an escape sequence appears.
    mutating func parseString() throws(JSONParseError) -> String {
        let openingQuote = index
        index += 1
        let contentStart = index
        var runStart = index
        var decoded: [UInt8] = []
        var sawEscape = false
        while let byte = current {
            switch byte {
            case UInt8(ascii: "\""):
                let string: String
                if sawEscape {
                    decoded.append(contentsOf: bytes[runStart..<index])
                    string = String(decoding: decoded, as: UTF8.self)
                } else {
                    string = String(decoding: bytes[contentStart..<index], as: UTF8.self)
                }
                index += 1
                return string
            case UInt8(ascii: "\\"):
                if !sawEscape {
                    sawEscape = true
                    decoded.reserveCapacity(index - contentStart + 16)
                }
                decoded.append(contentsOf: bytes[runStart..<index])
                try decodeEscape(into: &decoded)
                runStart = index
            case 0..<0x20:
                throw error("unescaped control character \(hex(byte)) in string")
            case 0x20..<0x80:
                index += 1
            default:
                try skipUTF8Sequence()
            }
        }
        throw error("unterminated string", at: openingQuote)
    }

    /// Decodes the escape sequence at the cursor (which is on the backslash)
    /// and appends its UTF-8 encoding.
    mutating func decodeEscape(into decoded: inout [UInt8]) throws(JSONParseError) {
        let escapeStart = index
        index += 1
        guard let letter = current else {
            throw error("unterminated string")
        }
        index += 1
        switch letter {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"):
            decoded.append(letter)
        case UInt8(ascii: "b"): decoded.append(0x08)
        case UInt8(ascii: "f"): decoded.append(0x0C)
        case UInt8(ascii: "n"): decoded.append(0x0A)
        case UInt8(ascii: "r"): decoded.append(0x0D)
        case UInt8(ascii: "t"): decoded.append(0x09)
        case UInt8(ascii: "u"):
            let unit = try parseHex4(escapeStart: escapeStart)
            switch unit {
            case 0xD800...0xDBFF:
                // A high surrogate must be immediately followed by an escaped
                // low surrogate; together they encode one scalar.
                guard hasPrefix("\\u") else {
                    throw error("unpaired surrogate \(escapeText(unit))", at: escapeStart)
                }
                index += 2
                let low = try parseHex4(escapeStart: index - 2)
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw error("unpaired surrogate \(escapeText(unit))", at: escapeStart)
                }
                let scalar = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                appendUTF8(scalar, to: &decoded)
            case 0xDC00...0xDFFF:
                throw error("unpaired surrogate \(escapeText(unit))", at: escapeStart)
            default:
                appendUTF8(unit, to: &decoded)
            }
        default:
            throw error("invalid escape sequence '\\\(Character(Unicode.Scalar(letter)))'", at: escapeStart)
        }
    }

    /// Reads the four hex digits of a `\u` escape; the cursor is just past
    /// the "u".
    mutating func parseHex4(escapeStart: Int) throws(JSONParseError) -> UInt32 {
        var unit: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = current, let nibble = hexValue(byte) else {
                throw error("\\u escape needs four hex digits", at: escapeStart)
            }
            unit = unit << 4 | nibble
            index += 1
        }
        return unit
    }

    func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    func escapeText(_ unit: UInt32) -> String {
        let digits = String(unit, radix: 16, uppercase: true)
        return "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
    }

    func appendUTF8(_ scalar: UInt32, to output: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            output.append(UInt8(scalar))
        case 0x80..<0x800:
            output.append(0xC0 | UInt8(scalar >> 6))
            output.append(0x80 | UInt8(scalar & 0x3F))
        case 0x800..<0x10000:
            output.append(0xE0 | UInt8(scalar >> 12))
            output.append(0x80 | UInt8(scalar >> 6 & 0x3F))
            output.append(0x80 | UInt8(scalar & 0x3F))
        default:
            output.append(0xF0 | UInt8(scalar >> 18))
            output.append(0x80 | UInt8(scalar >> 12 & 0x3F))
            output.append(0x80 | UInt8(scalar >> 6 & 0x3F))
            output.append(0x80 | UInt8(scalar & 0x3F))
        }
    }

    /// Validates one multi-byte UTF-8 sequence at the cursor and steps over
    /// it. The allowed range of the second byte is what rules out overlong
    /// forms, UTF-16 surrogates and scalars above U+10FFFF (RFC 3629).
    mutating func skipUTF8Sequence() throws(JSONParseError) {
        let lead = bytes[index]
        let length: Int
        let secondByteRange: ClosedRange<UInt8>
        switch lead {
        case 0xC2...0xDF: (length, secondByteRange) = (2, 0x80...0xBF)
        case 0xE0: (length, secondByteRange) = (3, 0xA0...0xBF)
        case 0xED: (length, secondByteRange) = (3, 0x80...0x9F)
        case 0xE1...0xEF: (length, secondByteRange) = (3, 0x80...0xBF)
        case 0xF0: (length, secondByteRange) = (4, 0x90...0xBF)
        case 0xF1...0xF3: (length, secondByteRange) = (4, 0x80...0xBF)
        case 0xF4: (length, secondByteRange) = (4, 0x80...0x8F)
        default: throw error("invalid UTF-8 in string")
        }
        guard index + length <= bytes.count,
              secondByteRange.contains(bytes[index + 1]),
              bytes[index + 2 ..< index + length].allSatisfy({ $0 & 0xC0 == 0x80 })
        else {
            throw error("invalid UTF-8 in string")
        }
        index += length
    }

    // MARK: Cursor helpers

    var current: UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    func hasPrefix(_ text: String) -> Bool {
        bytes[index...].starts(with: text.utf8)
    }

    mutating func skipWhitespace() {
        while let byte = current,
              byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 {
            index += 1
        }
    }

    func describe(_ byte: UInt8) -> String {
        (0x21..<0x7F).contains(byte)
            ? "character '\(Character(Unicode.Scalar(byte)))'"
            : "byte \(hex(byte))"
    }

    func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return byte < 0x10 ? "0x0" + digits : "0x" + digits
    }

    func error(_ message: String) -> JSONParseError {
        JSONParseError(offset: index, message: message)
    }

    func error(_ message: String, at offset: Int) -> JSONParseError {
        JSONParseError(offset: offset, message: message)
    }
}
