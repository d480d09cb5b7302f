/// Cuts plain text into pieces before byte-pair merging; merges never cross a piece boundary.
///
/// A pre-tokenizer is a list of split rules applied in turn, each one cutting every piece the
/// previous rule produced (as llama.cpp applies its list of split regexes). The rules are
/// written by hand over Unicode scalars instead of with a regex engine, which keeps them fast
/// and exact. Adding a model family means adding its rules and its `tokenizer.ggml.pre` name:
/// "gpt2" would be `[.gpt2Words]` alone; llama3's pattern would be a new rule.
struct PreTokenizer: Sendable {
    /// One way of cutting a piece into smaller ones.
    enum Rule: Sendable {
        /// The split regex `\p{N}`: every number scalar becomes a piece of its own, and the runs
        /// between them stay whole.
        case isolateDigits
        /// GPT-2's pattern,
        /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`.
        case gpt2Words
    }

    /// The `tokenizer.ggml.pre` values this type knows, for error messages.
    static let supportedNames = ["smollm"]

    let rules: [Rule]

    /// The pre-tokenizer a GGUF file names in `tokenizer.ggml.pre`.
    init(named name: String) throws(TokenizerError) {
        switch name {
        case "smollm": rules = [.isolateDigits, .gpt2Words]
        default: throw .unsupportedPreTokenizer(name)
        }
    }

    /// The pieces of `scalars`, as consecutive index ranges covering all of it.
    func split(_ scalars: [Unicode.Scalar]) -> [Range<Int>] {
        let classes = scalars.map(ScalarClass.init)
        var pieces = scalars.isEmpty ? [] : [0..<scalars.count]
        for rule in rules {
            var cut: [Range<Int>] = []
            cut.reserveCapacity(pieces.count * 2)
            for piece in pieces {
                switch rule {
                case .isolateDigits: Self.isolateDigits(piece, classes: classes, into: &cut)
                case .gpt2Words: Self.gpt2Words(piece, scalars: scalars, classes: classes, into: &cut)
                }
            }
            pieces = cut
        }
        return pieces
    }

    private static func isolateDigits(_ piece: Range<Int>, classes: [ScalarClass], into pieces: inout [Range<Int>]) {
        var runStart = piece.lowerBound
        for index in piece where classes[index] == .number {
            if runStart < index { pieces.append(runStart..<index) }
            pieces.append(index..<index + 1)
            runStart = index + 1
        }
        if runStart < piece.upperBound { pieces.append(runStart..<piece.upperBound) }
    }

    /// GPT-2's pattern, one match at a time. The end of `piece` counts as the end of the text,
    /// as it does for a regex run on each piece separately.
    private static func gpt2Words(
        _ piece: Range<Int>, scalars: [Unicode.Scalar], classes: [ScalarClass], into pieces: inout [Range<Int>]
    ) {
        let end = piece.upperBound
        var start = piece.lowerBound
        while start < end {
            let matchEnd = gpt2MatchEnd(from: start, end: end, scalars: scalars, classes: classes)
            pieces.append(start..<matchEnd)
            start = matchEnd
        }
    }

    private static func gpt2MatchEnd(from start: Int, end: Int, scalars: [Unicode.Scalar], classes: [ScalarClass]) -> Int {
        // 's|'t|'re|'ve|'m|'ll|'d (lower case only, as in the original pattern)
        if scalars[start] == "'", start + 1 < end {
            let next = scalars[start + 1]
            if next == "s" || next == "t" || next == "m" || next == "d" { return start + 2 }
            if start + 2 < end {
                let pair = (next, scalars[start + 2])
                if pair == ("r", "e") || pair == ("v", "e") || pair == ("l", "l") { return start + 3 }
            }
        }

        //  ?\p{L}+ | ?\p{N}+ | ?[^\s\p{L}\p{N}]+ : an optional space, then a run of one class.
        let runStart = scalars[start] == " " && start + 1 < end ? start + 1 : start
        let runClass = classes[runStart]
        if runClass != .whitespace {
            var index = runStart + 1
            while index < end, classes[index] == runClass { index += 1 }
            return index
        }

        // \s+(?!\S) | \s+ : a whitespace run followed by more text leaves its last scalar behind,
        // so that a space can start the next word (" ?\p{L}+"). A single whitespace scalar is
        // taken whole by the fallback `\s+`.
        var index = start
        while index < end, classes[index] == .whitespace { index += 1 }
        if index < end, index - start > 1 { return index - 1 }
        return index
    }
}

/// The character classes GPT-2's pattern distinguishes: `\p{L}`, `\p{N}`, `\s`, and the rest.
enum ScalarClass: Sendable {
    case letter, number, whitespace, other

    init(_ scalar: Unicode.Scalar) {
        // A fast path for ASCII, which is most text and all of code.
        if scalar.isASCII {
            switch scalar.value {
            case 0x30...0x39: self = .number
            case 0x41...0x5A, 0x61...0x7A: self = .letter
            case 0x09...0x0D, 0x20: self = .whitespace
            default: self = .other
            }
            return
        }
        let properties = scalar.properties
        if properties.isWhitespace {
            self = .whitespace
            return
        }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: self = .letter
        case .decimalNumber, .letterNumber, .otherNumber: self = .number
        default: self = .other
        }
    }
}
