/// RFC 8785 JSON Canonicalization Scheme (JCS) serialization.
///
/// The output is a deterministic byte sequence for a given value, suitable
/// for hashing and signing: no whitespace, object members sorted by the
/// UTF-16 code units of their keys, minimal string escaping and ECMAScript
/// number formatting.
extension JSONValue {
    /// The canonical UTF-8 encoding of this value.
    ///
    /// - Precondition: every number is finite.
    public func canonicalBytes() -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(1024)
        appendCanonical(to: &output)
        return output
    }

    /// The canonical encoding as a string.
    public var canonicalString: String {
        String(decoding: canonicalBytes(), as: UTF8.self)
    }

    private func appendCanonical(to output: inout [UInt8]) {
        switch self {
        case .null:
            output.append(contentsOf: "null".utf8)
        case .bool(let value):
            output.append(contentsOf: (value ? "true" : "false").utf8)
        case .number(let value):
            ECMAScriptNumber.append(value, to: &output)
        case .string(let value):
            Self.appendCanonical(string: value, to: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 {
                    output.append(UInt8(ascii: ","))
                }
                element.appendCanonical(to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            let sortedMembers = members.sorted { Self.utf16Precedes($0.key, $1.key) }
            for (position, member) in sortedMembers.enumerated() {
                if position > 0 {
                    output.append(UInt8(ascii: ","))
                }
                Self.appendCanonical(string: member.key, to: &output)
                output.append(UInt8(ascii: ":"))
                member.value.appendCanonical(to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// Whether `a` sorts before `b` by UTF-16 code units, as RFC 8785
    /// requires (Swift's `<` on strings uses a different order).
    ///
    /// Walking the UTF-8 bytes avoids transcoding. UTF-8 byte order is code
    /// point order, and UTF-16 order only departs from it in one case:
    /// characters above U+FFFF (lead byte F0-F4, surrogates D800-DBFF in
    /// UTF-16) sort before U+E000-U+FFFF (lead byte EE or EF) in UTF-16.
    /// After a common prefix, the first differing bytes are either both lead
    /// bytes of code points at the same offset, where that case is checked,
    /// or continuation bytes after a shared lead byte, where both code points
    /// lie in the same range and byte order already agrees with UTF-16.
    static func utf16Precedes(_ a: String, _ b: String) -> Bool {
        var aBytes = a.utf8.makeIterator()
        var bBytes = b.utf8.makeIterator()
        while true {
            guard let x = aBytes.next() else { return bBytes.next() != nil }
            guard let y = bBytes.next() else { return false }
            if x == y { continue }
            if x >= 0xF0 && y >= 0xEE && y <= 0xEF { return true }
            if y >= 0xF0 && x >= 0xEE && x <= 0xEF { return false }
            return x < y
        }
    }

    /// Writes a quoted string, escaping only what JSON requires. Bytes that
    /// need no escape are copied in runs rather than one at a time.
    static func appendCanonical(string: String, to output: inout [UInt8]) {
        var string = string
        output.append(UInt8(ascii: "\""))
        string.withUTF8 { utf8 in
            var runStart = 0
            for (position, byte) in utf8.enumerated() {
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else {
                    continue
                }
                output.append(contentsOf: utf8[runStart..<position])
                appendEscape(for: byte, to: &output)
                runStart = position + 1
            }
            output.append(contentsOf: utf8[runStart...])
        }
        output.append(UInt8(ascii: "\""))
    }

    private static func appendEscape(for byte: UInt8, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""): output.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): output.append(UInt8(ascii: "\\"))
        case 0x08: output.append(UInt8(ascii: "b"))
        case 0x09: output.append(UInt8(ascii: "t"))
        case 0x0A: output.append(UInt8(ascii: "n"))
        case 0x0C: output.append(UInt8(ascii: "f"))
        case 0x0D: output.append(UInt8(ascii: "r"))
        default:
            output.append(contentsOf: "u00".utf8)
            output.append(lowercaseHexDigit(byte >> 4))
            output.append(lowercaseHexDigit(byte & 0x0F))
        }
    }

    private static func lowercaseHexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}
