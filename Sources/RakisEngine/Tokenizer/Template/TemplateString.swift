/// A string in a template's evaluation, each Unicode scalar marked as markup (it came from the
/// template's own literals) or content (it came from a message). The marks survive slicing,
/// stripping, splitting, concatenation and case changes, so the rendered prompt can tell the
/// template's special tokens, which count, from text a user wrote, which must stay plain.
///
/// Scalars, not characters, because Python's strings (which Jinja's are) index, slice and
/// count code points.
struct TemplateString: Sendable {
    private(set) var scalars: [Unicode.Scalar]
    /// `isMarkup[i]` tells where `scalars[i]` came from.
    private(set) var isMarkup: [Bool]

    init(_ text: String, isMarkup markup: Bool) {
        scalars = Array(text.unicodeScalars)
        isMarkup = Array(repeating: markup, count: scalars.count)
    }

    init<S: Sequence<(Unicode.Scalar, Bool)>>(pairs: S) {
        scalars = []
        isMarkup = []
        for (scalar, markup) in pairs {
            scalars.append(scalar)
            isMarkup.append(markup)
        }
    }

    private init(scalars: [Unicode.Scalar], isMarkup: [Bool]) {
        self.scalars = scalars
        self.isMarkup = isMarkup
    }

    static let empty = TemplateString("", isMarkup: true)

    var count: Int { scalars.count }
    var isEmpty: Bool { scalars.isEmpty }
    var text: String { String(String.UnicodeScalarView(scalars)) }
    /// True when every scalar is markup (an empty string is).
    var isAllMarkup: Bool { !isMarkup.contains(false) }

    static func + (lhs: TemplateString, rhs: TemplateString) -> TemplateString {
        TemplateString(scalars: lhs.scalars + rhs.scalars, isMarkup: lhs.isMarkup + rhs.isMarkup)
    }

    mutating func append(_ other: TemplateString) {
        scalars += other.scalars
        isMarkup += other.isMarkup
    }

    subscript(range: Range<Int>) -> TemplateString {
        TemplateString(scalars: Array(scalars[range]), isMarkup: Array(isMarkup[range]))
    }

    /// The scalars at `indices`, in that order (Python's extended slices).
    func picking(_ indices: [Int]) -> TemplateString {
        TemplateString(scalars: indices.map { scalars[$0] }, isMarkup: indices.map { isMarkup[$0] })
    }

    func sameText(as other: TemplateString) -> Bool { scalars == other.scalars }

    /// Runs of equal marks, in order: the pieces of a rendered prompt.
    var runs: [(text: String, isMarkup: Bool)] {
        var runs: [(text: String, isMarkup: Bool)] = []
        var start = 0
        while start < scalars.count {
            var end = start + 1
            while end < scalars.count, isMarkup[end] == isMarkup[start] { end += 1 }
            runs.append((String(String.UnicodeScalarView(scalars[start..<end])), isMarkup[start]))
            start = end
        }
        return runs
    }

    // MARK: Python's str methods, keeping each scalar's mark

    /// Python's `str.strip`/`lstrip`/`rstrip`: `characters` nil strips whitespace.
    func stripping(_ characters: TemplateString?, leading: Bool, trailing: Bool) -> TemplateString {
        let strip: (Unicode.Scalar) -> Bool = characters.map { set in { set.scalars.contains($0) } } ?? PythonText.isWhitespace
        var start = 0
        var end = scalars.count
        if leading { while start < end, strip(scalars[start]) { start += 1 } }
        if trailing { while end > start, strip(scalars[end - 1]) { end -= 1 } }
        return self[start..<end]
    }

    /// The index of the first occurrence of `needle` at or after `from`; nil if none.
    func firstIndex(of needle: TemplateString, from: Int = 0) -> Int? {
        let needleCount = needle.count
        guard needleCount <= scalars.count else { return nil }
        if needleCount == 0 { return from <= scalars.count ? from : nil }
        var index = from
        while index + needleCount <= scalars.count {
            if scalars[index] == needle.scalars[0], Array(scalars[index..<index + needleCount]) == needle.scalars { return index }
            index += 1
        }
        return nil
    }

    func hasPrefix(_ prefix: TemplateString) -> Bool { scalars.starts(with: prefix.scalars) }
    func hasSuffix(_ suffix: TemplateString) -> Bool { scalars.reversed().starts(with: suffix.scalars.reversed()) }
    func contains(_ needle: TemplateString) -> Bool { firstIndex(of: needle) != nil }

    /// Python's `str.split(separator, maxsplit)`; a nil separator splits on runs of whitespace
    /// and drops empty pieces.
    func split(_ separator: TemplateString?, maxSplits: Int = -1) throws(TemplateFailure) -> [TemplateString] {
        var pieces: [TemplateString] = []
        if let separator {
            guard !separator.isEmpty else { throw TemplateFailure("empty separator") }
            var start = 0
            while maxSplits < 0 || pieces.count < maxSplits, let found = firstIndex(of: separator, from: start) {
                pieces.append(self[start..<found])
                start = found + separator.count
            }
            pieces.append(self[start..<scalars.count])
            return pieces
        }
        var index = 0
        while index < scalars.count {
            while index < scalars.count, PythonText.isWhitespace(scalars[index]) { index += 1 }
            guard index < scalars.count else { break }
            if maxSplits >= 0, pieces.count == maxSplits {
                var end = scalars.count
                while end > index, PythonText.isWhitespace(scalars[end - 1]) { end -= 1 }
                pieces.append(self[index..<end])
                break
            }
            let start = index
            while index < scalars.count, !PythonText.isWhitespace(scalars[index]) { index += 1 }
            pieces.append(self[start..<index])
        }
        return pieces
    }

    /// Python's `str.replace(old, new, count)`. Inserted text keeps the marks `new` has.
    func replacing(_ old: TemplateString, with new: TemplateString, count limit: Int = -1) -> TemplateString {
        var result = TemplateString.empty
        var start = 0
        var replaced = 0
        if old.isEmpty {
            // Python inserts `new` before every scalar and at the end.
            for index in 0...scalars.count where limit < 0 || replaced < limit {
                result.append(new)
                if index < scalars.count { result.append(self[index..<index + 1]) }
                replaced += 1
                start = index + 1
            }
            if start < scalars.count { result.append(self[start..<scalars.count]) }
            return result
        }
        while limit < 0 || replaced < limit, let found = firstIndex(of: old, from: start) {
            result.append(self[start..<found])
            result.append(new)
            start = found + old.count
            replaced += 1
        }
        result.append(self[start..<scalars.count])
        return result
    }

    /// Each scalar upper- or lower-cased (one scalar may become several, as "ß" → "SS"), keeping its mark.
    func mappingCase(upper: Bool) -> TemplateString {
        TemplateString(pairs: zip(scalars, isMarkup).flatMap { scalar, markup in
            let mapped = upper ? scalar.properties.uppercaseMapping : scalar.properties.lowercaseMapping
            return mapped.unicodeScalars.map { ($0, markup) }
        })
    }

    /// Python's `str.capitalize`: the first scalar upper-cased, the rest lower-cased.
    func capitalized() -> TemplateString {
        guard !isEmpty else { return self }
        return self[0..<1].mappingCase(upper: true) + self[1..<count].mappingCase(upper: false)
    }
}

/// Python's notions the templates' string operations depend on.
enum PythonText {
    /// Python's `str.isspace`, which `strip()`, `split()` and Jinja's whitespace control use.
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: true
        default: false
        }
    }

    /// Python's `repr` of a string: single quotes unless the text has one and no double quote.
    static func repr(_ text: String) -> String {
        let quote: Character = text.contains("'") && !text.contains("\"") ? "\"" : "'"
        var out = String(quote)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if Character(scalar) == quote {
                    out += "\\" + String(quote)
                } else if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\x" + hex(scalar.value, digits: 2)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out.append(quote)
        return out
    }

    /// Python's `str` of a float (its shortest round-trip `repr`, which Swift's matches but
    /// for the ".0" Python gives whole numbers).
    static func string(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        let swift = "\(value)"
        return swift.contains(".") || swift.contains("e") ? swift : swift + ".0"
    }

    static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
