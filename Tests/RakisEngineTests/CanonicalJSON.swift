import Foundation
@testable import RakisEngine

/// A small JSON parser and RFC 8785 writer for the grammar tests, independent of the matcher:
/// generated answers must parse, conform to their shape, and be their own canonical form.
indirect enum ParsedJSON: Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([ParsedJSON])
    /// Members in the order written.
    case object([(String, ParsedJSON)])

    static func == (a: ParsedJSON, b: ParsedJSON) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case let (.bool(x), .bool(y)): x == y
        case let (.number(x), .number(y)): x == y
        case let (.string(x), .string(y)): x == y
        case let (.array(x), .array(y)): x == y
        case let (.object(x), .object(y)): x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    struct ParseError: Error, CustomStringConvertible {
        let description: String
    }

    /// Parses RFC 8259 JSON (whitespace allowed), refusing duplicate keys and invalid UTF-8.
    static func parse(_ bytes: [UInt8]) throws -> ParsedJSON {
        guard String(validating: bytes, as: UTF8.self) != nil else { throw ParseError(description: "invalid UTF-8") }
        var parser = Parser(bytes: bytes)
        let value = try parser.value()
        parser.skipSpace()
        guard parser.offset == bytes.count else { throw ParseError(description: "text after the value at \(parser.offset)") }
        return value
    }

    private struct Parser {
        let bytes: [UInt8]
        var offset = 0

        mutating func skipSpace() {
            while offset < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[offset]) { offset += 1 }
        }

        func fail(_ what: String) -> ParseError { ParseError(description: "\(what) at byte \(offset)") }

        mutating func expect(_ text: String) throws {
            let literal = Array(text.utf8)
            guard bytes.count - offset >= literal.count, Array(bytes[offset..<offset + literal.count]) == literal else { throw fail("expected \(text)") }
            offset += literal.count
        }

        mutating func value() throws -> ParsedJSON {
            skipSpace()
            guard offset < bytes.count else { throw fail("unexpected end") }
            switch bytes[offset] {
            case UInt8(ascii: "n"): try expect("null"); return .null
            case UInt8(ascii: "t"): try expect("true"); return .bool(true)
            case UInt8(ascii: "f"): try expect("false"); return .bool(false)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "["):
                offset += 1
                var items: [ParsedJSON] = []
                skipSpace()
                if offset < bytes.count, bytes[offset] == UInt8(ascii: "]") { offset += 1; return .array(items) }
                while true {
                    items.append(try value())
                    skipSpace()
                    guard offset < bytes.count else { throw fail("unclosed array") }
                    offset += 1
                    if bytes[offset - 1] == UInt8(ascii: "]") { return .array(items) }
                    guard bytes[offset - 1] == UInt8(ascii: ",") else { throw fail("expected , or ]") }
                }
            case UInt8(ascii: "{"):
                offset += 1
                var members: [(String, ParsedJSON)] = []
                skipSpace()
                if offset < bytes.count, bytes[offset] == UInt8(ascii: "}") { offset += 1; return .object(members) }
                while true {
                    skipSpace()
                    let key = try string()
                    guard !members.contains(where: { $0.0 == key }) else { throw fail("duplicate key \(key)") }
                    skipSpace()
                    try expect(":")
                    members.append((key, try value()))
                    skipSpace()
                    guard offset < bytes.count else { throw fail("unclosed object") }
                    offset += 1
                    if bytes[offset - 1] == UInt8(ascii: "}") { return .object(members) }
                    guard bytes[offset - 1] == UInt8(ascii: ",") else { throw fail("expected , or }") }
                }
            default:
                return .number(try number())
            }
        }

        mutating func number() throws -> Double {
            let start = offset
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "-") { offset += 1 }
            func digits() -> Int {
                let from = offset
                while offset < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[offset]) { offset += 1 }
                return offset - from
            }
            let integerStart = offset
            let integerDigits = digits()
            guard integerDigits > 0 else { throw fail("expected a value") }
            guard integerDigits == 1 || bytes[integerStart] != UInt8(ascii: "0") else { throw fail("leading zero") }
            if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
                offset += 1
                guard digits() > 0 else { throw fail("no digits after the point") }
            }
            if offset < bytes.count, bytes[offset] | 0x20 == UInt8(ascii: "e") {
                offset += 1
                if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") { offset += 1 }
                guard digits() > 0 else { throw fail("no exponent digits") }
            }
            guard let value = Double(String(decoding: bytes[start..<offset], as: UTF8.self)), value.isFinite else { throw fail("bad number") }
            return value
        }

        mutating func string() throws -> String {
            try expect("\"")
            var scalars = String.UnicodeScalarView()
            while true {
                guard offset < bytes.count else { throw fail("unclosed string") }
                let byte = bytes[offset]
                switch byte {
                case UInt8(ascii: "\""):
                    offset += 1
                    return String(scalars)
                case UInt8(ascii: "\\"):
                    guard offset + 1 < bytes.count else { throw fail("unclosed escape") }
                    let letter = bytes[offset + 1]
                    offset += 2
                    let simple: [UInt8: UInt32] = [0x22: 0x22, 0x5C: 0x5C, 0x2F: 0x2F, 0x62: 8, 0x66: 12, 0x6E: 10, 0x72: 13, 0x74: 9]
                    if let value = simple[letter] {
                        scalars.append(Unicode.Scalar(value)!)
                    } else if letter == UInt8(ascii: "u"), offset + 4 <= bytes.count,
                              let code = UInt32(String(decoding: bytes[offset..<offset + 4], as: UTF8.self), radix: 16), let scalar = Unicode.Scalar(code) {
                        offset += 4
                        scalars.append(scalar)
                    } else {
                        throw fail("bad escape")
                    }
                case 0..<0x20:
                    throw fail("raw control character")
                default:
                    // One UTF-8 character (the whole text was checked as valid UTF-8).
                    var length = 1
                    if byte >= 0xF0 { length = 4 } else if byte >= 0xE0 { length = 3 } else if byte >= 0xC0 { length = 2 }
                    let text = String(decoding: bytes[offset..<offset + length], as: UTF8.self)
                    scalars.append(contentsOf: text.unicodeScalars)
                    offset += length
                }
            }
        }
    }

    /// RFC 8785's text of the value: sorted keys (UTF-16), minimal escapes, ECMAScript numbers.
    var canonical: String {
        switch self {
        case .null: return "null"
        case let .bool(flag): return flag ? "true" : "false"
        case let .number(value): return Self.ecmaScript(value)
        case let .string(text): return String(decoding: JSONText.quoted(text), as: UTF8.self)
        case let .array(items): return "[" + items.map(\.canonical).joined(separator: ",") + "]"
        case let .object(members):
            let sorted = members.sorted { JSONText.keyPrecedes($0.0, $1.0) }
            return "{" + sorted.map { String(decoding: JSONText.quoted($0.0), as: UTF8.self) + ":" + $0.1.canonical }.joined(separator: ",") + "}"
        }
    }

    /// ECMAScript's Number::toString for values written without an exponent (1e-6 <= |x| < 1e21
    /// or 0), from the shortest round-trip digits Swift finds.
    static func ecmaScript(_ value: Double) -> String {
        if value == 0 { return "0" }
        precondition(abs(value) >= 1e-6 && abs(value) < 1e21, "only numbers RFC 8785 writes without an exponent")
        // Swift's description: shortest digits, as "d.ddd", "ddd.d" or "d.ddde-x"/"d.ddde+x".
        let text = "\(abs(value))"
        let mantissa = text.split(separator: "e").first!
        let exponentShift = text.contains("e") ? Int(text.split(separator: "e")[1])! : 0
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        var digits = String(parts[0]) + (parts.count > 1 ? String(parts[1]) : "")
        var pointAt = parts[0].count + exponentShift  // digits before the point
        while digits.hasPrefix("0") && digits.count > 1 { digits.removeFirst(); pointAt -= 1 }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        let body: String
        if pointAt <= 0 {
            body = "0." + String(repeating: "0", count: -pointAt) + digits
        } else if pointAt >= digits.count {
            body = digits + String(repeating: "0", count: pointAt - digits.count)
        } else {
            body = String(digits.prefix(pointAt)) + "." + String(digits.dropFirst(pointAt))
        }
        return (value < 0 ? "-" : "") + body
    }

    /// Whether the value has the shape.
    func conforms(to shape: JSONShape) -> Bool {
        switch (shape, self) {
        case let (.object(properties), .object(members)):
            let names = Set(properties.map(\.name))
            guard members.allSatisfy({ names.contains($0.0) }) else { return false }
            return properties.allSatisfy { property in
                guard let value = members.first(where: { $0.0 == property.name })?.1 else { return !property.required }
                return value.conforms(to: property.shape)
            }
        case let (.oneOf(properties), .object(members)):
            return members.count == 1 && ParsedJSON.object(members).conforms(to: .object(properties: properties))
        case let (.string(values?, _, _), .string(text)): return values.contains(text)
        case let (.string(nil, minLength, maxLength), .string(text)):
            return text.unicodeScalars.count >= minLength && text.unicodeScalars.count <= (maxLength ?? .max)
        case let (.integer(min, max), .number(value)):
            return value == value.rounded() && value >= Double(min) && value <= Double(max)
        case let (.number(min, max), .number(value)):
            return value >= (min ?? -.infinity) && value <= (max ?? .infinity)
        case (.boolean, .bool): return true
        case let (.array(items, minItems, maxItems), .array(values)):
            return values.count >= minItems && values.count <= (maxItems ?? .max) && values.allSatisfy { $0.conforms(to: items) }
        case let (.any(depth), _): return containerDepth <= depth
        case let (.anyObject(depth), .object): return containerDepth <= depth
        default: return false
        }
    }

    var containerDepth: Int {
        switch self {
        case let .array(items): 1 + (items.map(\.containerDepth).max() ?? 0)
        case let .object(members): 1 + (members.map(\.1.containerDepth).max() ?? 0)
        default: 0
        }
    }
}
