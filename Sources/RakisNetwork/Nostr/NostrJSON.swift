/// The JSON text Nostr needs: NIP-01's event serialization (hashed into the event id) and the
/// messages a client sends to a relay. Parsing uses RakisCore's strict `JSONParser`.
enum NostrJSON {
    /// How strings are escaped.
    enum Escaping {
        /// NIP-01's id serialization: only line feed, double quote, backslash, carriage return,
        /// tab, backspace and form feed are escaped; every other character is its raw UTF-8.
        /// Every client must hash the same bytes, so this set is exactly the specification's.
        case eventId
        /// Text sent to a relay, which must be valid JSON: additionally the other control
        /// characters (U+0000 to U+001F) as \u00XX. Relays re-derive the id from the parsed
        /// strings, so the wire escaping does not affect the id.
        case wire
    }

    static func appendString(_ string: String, to out: inout [UInt8], escaping: Escaping) {
        out.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case 0x0A: out += [0x5C, UInt8(ascii: "n")]
            case 0x22: out += [0x5C, 0x22]
            case 0x5C: out += [0x5C, 0x5C]
            case 0x0D: out += [0x5C, UInt8(ascii: "r")]
            case 0x09: out += [0x5C, UInt8(ascii: "t")]
            case 0x08: out += [0x5C, UInt8(ascii: "b")]
            case 0x0C: out += [0x5C, UInt8(ascii: "f")]
            case 0x00..<0x20 where escaping == .wire:
                let digits = Array("0123456789abcdef".utf8)
                out += Array("\\u00".utf8) + [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    static func appendInteger(_ value: Int64, to out: inout [UInt8]) {
        out += Array(String(value).utf8)
    }

    /// `["a","b"]`.
    static func appendStringArray(_ strings: [String], to out: inout [UInt8], escaping: Escaping) {
        out.append(UInt8(ascii: "["))
        for (index, string) in strings.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            appendString(string, to: &out, escaping: escaping)
        }
        out.append(UInt8(ascii: "]"))
    }

    /// Tags are arrays of strings: `[["t","x"],["p","y","z"]]`.
    static func appendTags(_ tags: [[String]], to out: inout [UInt8], escaping: Escaping) {
        out.append(UInt8(ascii: "["))
        for (index, tag) in tags.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            appendStringArray(tag, to: &out, escaping: escaping)
        }
        out.append(UInt8(ascii: "]"))
    }
}
