/// Cuts plain text into pieces before byte-pair merging; merges never cross a piece boundary.
///
/// A pre-tokenizer is a list of split rules applied in turn, each one cutting every piece the
/// previous rule produced (as llama.cpp applies its list of split regexes). The rules are
/// written by hand over Unicode scalars instead of with a regex engine, which keeps them fast
/// and exact. Adding a model family means adding its rules and its `tokenizer.ggml.pre` name:
/// "gpt2" would be `[.gpt2Words]` alone.
struct PreTokenizer: Sendable {
    /// One way of cutting a piece into smaller ones.
    enum Rule: Sendable {
        /// The split regex `\p{N}`: every number scalar becomes a piece of its own, and the runs
        /// between them stay whole.
        case isolateDigits
        /// GPT-2's pattern,
        /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`.
        case gpt2Words
        /// Llama 3's pattern,
        /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`,
        /// with numbers cut into pieces of at most `digitsPerPiece` scalars: 3 for Llama 3, 1 for
        /// Qwen 2 (whose pattern has `\p{N}` where Llama 3's has `\p{N}{1,3}`).
        case llama3Words(digitsPerPiece: Int)
    }

    /// The `tokenizer.ggml.pre` values this type knows, for error messages.
    static let supportedNames = ["smollm", "llama-bpe", "qwen2"]

    let rules: [Rule]
    /// Whether a piece that is a token of its own becomes that token without merging, which
    /// llama.cpp does for Llama 3's vocabulary (its `ignore_merges`): such a vocabulary holds
    /// whole words its merges would not build.
    let takesWholePieces: Bool
    /// Whether the model adds a BOS token when its file does not say (`tokenizer.ggml.add_bos_token`);
    /// llama.cpp's default for each pre-tokenizer.
    let addsBOSByDefault: Bool

    /// The pre-tokenizer a GGUF file names in `tokenizer.ggml.pre`.
    init(named name: String) throws(TokenizerError) {
        switch name {
        case "smollm": (rules, takesWholePieces, addsBOSByDefault) = ([.isolateDigits, .gpt2Words], false, false)
        case "llama-bpe": (rules, takesWholePieces, addsBOSByDefault) = ([.llama3Words(digitsPerPiece: 3)], true, true)
        case "qwen2": (rules, takesWholePieces, addsBOSByDefault) = ([.llama3Words(digitsPerPiece: 1)], false, false)
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
                case let .llama3Words(digits): Self.llama3Words(piece, digitsPerPiece: digits, scalars: scalars, classes: classes, into: &cut)
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

extension PreTokenizer {
    /// Llama 3's pattern, one match at a time, the end of `piece` counting as the end of the text.
    private static func llama3Words(
        _ piece: Range<Int>, digitsPerPiece: Int, scalars: [Unicode.Scalar], classes: [ScalarClass], into pieces: inout [Range<Int>]
    ) {
        let end = piece.upperBound
        var start = piece.lowerBound
        while start < end {
            let matchEnd = llama3MatchEnd(from: start, end: end, digitsPerPiece: digitsPerPiece, scalars: scalars, classes: classes)
            pieces.append(start..<matchEnd)
            start = matchEnd
        }
    }

    private static func llama3MatchEnd(
        from start: Int, end: Int, digitsPerPiece: Int, scalars: [Unicode.Scalar], classes: [ScalarClass]
    ) -> Int {
        func isLineBreak(_ index: Int) -> Bool { scalars[index] == "\r" || scalars[index] == "\n" }

        // (?i:'s|'t|'re|'ve|'m|'ll|'d): only ASCII letters fold to these, so folding ASCII is enough.
        if scalars[start] == "'", start + 1 < end {
            let next = asciiLowercase(scalars[start + 1])
            if next == "s" || next == "t" || next == "m" || next == "d" { return start + 2 }
            if start + 2 < end {
                let pair = (next, asciiLowercase(scalars[start + 2]))
                if pair == ("r", "e") || pair == ("v", "e") || pair == ("l", "l") { return start + 3 }
            }
        }

        // [^\r\n\p{L}\p{N}]?\p{L}+ : letters, after at most one scalar that is none of those.
        if !isLineBreak(start), classes[start] != .number,
           classes[start] == .letter || (start + 1 < end && classes[start + 1] == .letter) {
            var index = start + 1
            while index < end, classes[index] == .letter { index += 1 }
            return index
        }

        // \p{N}{1,3} (Qwen 2: \p{N})
        if classes[start] == .number {
            var index = start + 1
            while index < end, index - start < digitsPerPiece, classes[index] == .number { index += 1 }
            return index
        }

        //  ?[^\s\p{L}\p{N}]+[\r\n]* : an optional space, other scalars, then any line breaks.
        let runStart = scalars[start] == " " && start + 1 < end ? start + 1 : start
        if classes[runStart] == .other {
            var index = runStart + 1
            while index < end, classes[index] == .other { index += 1 }
            while index < end, isLineBreak(index) { index += 1 }
            return index
        }

        // \s*[\r\n]+ : a whitespace run with line breaks ends after its last one.
        var runEnd = start
        var afterLastBreak: Int?
        while runEnd < end, classes[runEnd] == .whitespace {
            if isLineBreak(runEnd) { afterLastBreak = runEnd + 1 }
            runEnd += 1
        }
        if let afterLastBreak { return afterLastBreak }
        // \s+(?!\S) | \s+ : as in GPT-2's pattern, a run followed by more text leaves its last
        // scalar to the next match.
        if runEnd < end, runEnd - start > 1 { return runEnd - 1 }
        return max(runEnd, start + 1)
    }

    private static func asciiLowercase(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        ("A"..."Z").contains(scalar) ? Unicode.Scalar(scalar.value + 32)! : scalar
    }
}

/// The character classes GPT-2's and Llama 3's patterns distinguish: `\p{L}`, `\p{N}`, `\s`, and the rest.
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
