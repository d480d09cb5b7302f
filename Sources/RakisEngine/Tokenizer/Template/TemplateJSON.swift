/// The `tojson` filter as Hugging Face's chat templates get it: Python's `json.dumps` with
/// `ensure_ascii=False` (non-ASCII text as is), `", "` and `": "` between items without an
/// indent, `","` and a newline per item with one.
enum TemplateJSON {
    static func encode(_ value: TemplateValue, indent: Int?, level: Int, sortKeys: Bool, into out: inout String) throws(TemplateFailure) {
        switch value {
        case .none: out += "null"
        case let .bool(flag): out += flag ? "true" : "false"
        case let .int(number): out += String(number)
        case let .double(number):
            guard number.isFinite else { out += number.isNaN ? "NaN" : number < 0 ? "-Infinity" : "Infinity"; return }
            out += PythonText.string(number)
        case let .string(text): quote(text.text, into: &out)
        case let .list(items):
            try container(items.map { (key: nil, value: $0) }, open: "[", close: "]", indent: indent, level: level, sortKeys: sortKeys, into: &out)
        case let .dict(dictionary):
            let keys = sortKeys ? dictionary.keys.sorted { Array($0.unicodeScalars).lexicographicallyPrecedes(Array($1.unicodeScalars)) } : dictionary.keys
            try container(keys.map { (key: $0, value: dictionary[$0]!) }, open: "{", close: "}", indent: indent, level: level, sortKeys: sortKeys, into: &out)
        case .namespace: try container([], open: "{", close: "}", indent: indent, level: level, sortKeys: sortKeys, into: &out)
        case .undefined, .function: throw TemplateFailure("tojson: object of type '\(value.typeName)' is not JSON serializable")
        }
    }

    private static func container(_ entries: [(key: String?, value: TemplateValue)], open: String, close: String, indent: Int?, level: Int,
                                  sortKeys: Bool, into out: inout String) throws(TemplateFailure) {
        out += open
        guard !entries.isEmpty else { out += close; return }
        let newline = indent.map { "\n" + String(repeating: " ", count: $0 * (level + 1)) }
        for (position, entry) in entries.enumerated() {
            if position > 0 { out += indent == nil ? ", " : "," }
            if let newline { out += newline }
            if let key = entry.key {
                quote(key, into: &out)
                out += ": "
            }
            try encode(entry.value, indent: indent, level: level + 1, sortKeys: sortKeys, into: &out)
        }
        if let indent { out += "\n" + String(repeating: " ", count: indent * level) }
        out += close
    }

    private static func quote(_ text: String, into out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    out += "\\u" + PythonText.hex(scalar.value, digits: 4)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
