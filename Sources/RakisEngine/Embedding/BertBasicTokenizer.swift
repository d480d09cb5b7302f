import Foundation

/// The first half of BERT tokenization: cleans and normalizes text, then cuts it into words.
///
/// Steps, in the order of Hugging Face's `BertNormalizer` and `BertPreTokenizer`:
/// 1. drop control characters, U+0000 and U+FFFD, and turn every whitespace character into a space;
/// 2. put spaces around CJK ideographs, so each one becomes a word of its own;
/// 3. strip accents (decompose to NFD, then drop nonspacing marks);
/// 4. lowercase;
/// 5. split on whitespace, then make every punctuation character a word of its own.
struct BertBasicTokenizer: Sendable {
    let lowercase: Bool
    let stripAccents: Bool

    /// The words of `text`, each a non-empty run of normalized Unicode scalars.
    func words(_ text: String) -> [[Unicode.Scalar]] {
        var words: [[Unicode.Scalar]] = []
        var word: [Unicode.Scalar] = []
        func endWord() {
            if !word.isEmpty { words.append(word) }
            word.removeAll(keepingCapacity: true)
        }
        for scalar in normalize(text) {
            if scalar.isBertWhitespace {
                endWord()
            } else if scalar.isBertPunctuation {
                endWord()
                words.append([scalar])
            } else {
                word.append(scalar)
            }
        }
        endWord()
        return words
    }

    /// Steps 1 to 4: the text as the vocabulary expects to see it.
    func normalize(_ text: String) -> String.UnicodeScalarView {
        var cleaned = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar.isRemovedByCleaning { continue }
            if scalar.isBertWhitespace {
                cleaned.append(" ")
            } else if scalar.isCJKIdeograph {
                cleaned.append(" ")
                cleaned.append(scalar)
                cleaned.append(" ")
            } else {
                cleaned.append(scalar)
            }
        }
        var normalized = cleaned
        if stripAccents {
            normalized = Self.withoutAccents(String(normalized))
        }
        if lowercase {
            normalized = Self.lowercased(normalized)
        }
        return normalized
    }

    /// NFD splits an accented letter into its base and combining marks; dropping the marks
    /// (category Mn) leaves the base: "é" becomes "e".
    private static func withoutAccents(_ text: String) -> String.UnicodeScalarView {
        // ASCII has nothing to decompose, and most text is ASCII: skip Foundation's NFD.
        let decomposed = text.utf8.allSatisfy { $0 < 0x80 } ? text : text.decomposedStringWithCanonicalMapping
        var stripped = String.UnicodeScalarView()
        for scalar in decomposed.unicodeScalars where scalar.isASCII || scalar.properties.generalCategory != .nonspacingMark {
            stripped.append(scalar)
        }
        return stripped
    }

    /// Lowercases scalar by scalar, like the Rust tokenizer: no context rules (a final Σ becomes
    /// σ, not ς), but full mappings (İ becomes i + U+0307).
    private static func lowercased(_ scalars: String.UnicodeScalarView) -> String.UnicodeScalarView {
        var lowered = String.UnicodeScalarView()
        for scalar in scalars {
            if scalar.isASCII {
                let isUppercaseLetter = scalar.value >= 0x41 && scalar.value <= 0x5A
                lowered.append(isUppercaseLetter ? Unicode.Scalar(scalar.value + 0x20)! : scalar)
            } else if scalar.properties.changesWhenLowercased {
                lowered.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            } else {
                lowered.append(scalar)
            }
        }
        return lowered
    }
}

extension Unicode.Scalar {
    /// NUL, the replacement character, and "other" categories (controls, format characters,
    /// unassigned, private use) except tab, newline and carriage return, which count as whitespace.
    var isRemovedByCleaning: Bool {
        switch value {
        case 0, 0xFFFD: return true
        case 0x09, 0x0A, 0x0D: return false
        case 0x20...0x7E: return false
        default:
            switch properties.generalCategory {
            case .control, .format, .unassigned, .privateUse, .surrogate: return true
            default: return false
            }
        }
    }

    /// The Unicode White_Space property (spaces, tab, line and paragraph separators).
    var isBertWhitespace: Bool {
        isASCII ? (value == 0x20 || (0x09...0x0D).contains(value)) : properties.isWhitespace
    }

    /// Unicode punctuation (categories P*), plus every non-alphanumeric printable ASCII
    /// character, so that symbols such as "$", "+" and "^" split off too, as in the original BERT.
    var isBertPunctuation: Bool {
        switch value {
        case 33...47, 58...64, 91...96, 123...126: return true
        case 0..<128: return false
        default:
            switch properties.generalCategory {
            case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
                 .initialPunctuation, .finalPunctuation, .otherPunctuation:
                return true
            default:
                return false
            }
        }
    }

    /// The CJK Unified Ideographs blocks and their extensions, and the compatibility
    /// ideographs (as BERT defines them). Kana and Hangul are not among them: they stay inside
    /// words, for WordPiece to split.
    var isCJKIdeograph: Bool {
        switch value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
             0x2B740...0x2B81F, 0x2B820...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }
}
