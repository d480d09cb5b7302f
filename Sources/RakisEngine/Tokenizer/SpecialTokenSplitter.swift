/// Finds special tokens written out in text, such as `<|im_start|>`, so that they map straight
/// to their ids instead of being spelled with ordinary tokens.
///
/// As in llama.cpp, the tokens are tried longest first, each one cutting every stretch of plain
/// text left by the longer ones; so when two tokens overlap, the longer one wins. Control (and
/// unknown) tokens are found only on request; user-defined tokens, which stand for ordinary
/// text the vocabulary keeps whole, are always found.
struct SpecialTokenSplitter: Sendable {
    /// A stretch of the text: a special token, or plain text to pre-tokenize and merge.
    enum Fragment: Equatable {
        case special(Int32)
        case text(Range<Int>)
    }

    private struct Entry {
        let bytes: [UInt8]
        let id: Int32
        let isControl: Bool
    }

    /// Longest first; ties by id, so the order never depends on hashing.
    private let entries: [Entry]

    init(tokens: [String], kinds: [TokenKind]) {
        var entries: [Entry] = []
        for (id, text) in tokens.enumerated() where !text.isEmpty {
            switch kinds[id] {
            case .control, .unknown: entries.append(Entry(bytes: Array(text.utf8), id: Int32(id), isControl: true))
            case .userDefined: entries.append(Entry(bytes: Array(text.utf8), id: Int32(id), isControl: false))
            case .normal, .unused, .byte: break
            }
        }
        entries.sort { $0.bytes.count != $1.bytes.count ? $0.bytes.count > $1.bytes.count : $0.id < $1.id }
        self.entries = entries
    }

    /// Cuts `text` (UTF-8) into special tokens and plain text, in order.
    func split(_ text: [UInt8], includingControl: Bool) -> [Fragment] {
        var fragments: [Fragment] = text.isEmpty ? [] : [.text(0..<text.count)]
        for entry in entries where includingControl || !entry.isControl {
            var cut: [Fragment] = []
            cut.reserveCapacity(fragments.count)
            for fragment in fragments {
                guard case let .text(range) = fragment else {
                    cut.append(fragment)
                    continue
                }
                var plainStart = range.lowerBound
                var searchStart = range.lowerBound
                while let found = Self.firstOccurrence(of: entry.bytes, in: text, within: searchStart..<range.upperBound) {
                    if plainStart < found { cut.append(.text(plainStart..<found)) }
                    cut.append(.special(entry.id))
                    plainStart = found + entry.bytes.count
                    searchStart = plainStart
                }
                if plainStart < range.upperBound { cut.append(.text(plainStart..<range.upperBound)) }
            }
            fragments = cut
        }
        return fragments
    }

    /// Where `needle` first starts inside `range` of `text`. Matching whole UTF-8 sequences
    /// always lands on scalar boundaries, as UTF-8 is self-synchronizing.
    private static func firstOccurrence(of needle: [UInt8], in text: [UInt8], within range: Range<Int>) -> Int? {
        guard let first = needle.first, needle.count <= range.count else { return nil }
        let lastStart = range.upperBound - needle.count
        var start = range.lowerBound
        while start <= lastStart {
            if text[start] == first, text[start..<start + needle.count].elementsEqual(needle) { return start }
            start += 1
        }
        return nil
    }
}
