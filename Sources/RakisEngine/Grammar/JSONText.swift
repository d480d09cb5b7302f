/// RFC 8785's spelling of strings and its order of object keys.
enum JSONText {
    /// `text` as a JSON string in RFC 8785's spelling: quotes around, `\"`, `\\`, the five short
    /// escapes `\b \f \n \r \t`, `\u00xx` in lowercase hex for the other control characters,
    /// and everything else as raw UTF-8.
    static func quoted(_ text: String) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        for byte in text.utf8 {
            if let escape = shortEscape(byte) {
                out += [UInt8(ascii: "\\"), escape]
            } else if byte < 0x20 {
                out += Array("\\u00".utf8) + [hexDigit(byte >> 4), hexDigit(byte & 0xF)]
            } else {
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
        return out
    }

    /// The letter after the backslash for the characters with a short escape, or nil.
    static func shortEscape(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "\""): UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): UInt8(ascii: "\\")
        case 0x08: UInt8(ascii: "b")
        case 0x0C: UInt8(ascii: "f")
        case 0x0A: UInt8(ascii: "n")
        case 0x0D: UInt8(ascii: "r")
        case 0x09: UInt8(ascii: "t")
        default: nil
        }
    }

    static func hexDigit(_ value: UInt8) -> UInt8 { value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10 }

    /// RFC 8785's key order: by UTF-16 code units.
    static func keyPrecedes(_ a: String, _ b: String) -> Bool { a.utf16.lexicographicallyPrecedes(b.utf16) }
}
