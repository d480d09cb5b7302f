/// Every token of a vocabulary by its exact bytes (as the tokenizer decodes them), in one trie
/// laid out flat in preorder: a node's children follow it, and `subtreeEnd` jumps past its
/// subtree. Walking it with a matcher visits each byte prefix once, and skips a whole subtree
/// at the first byte the matcher refuses (`TokenMasks`).
///
/// Tokens without bytes (control tokens: BOS, EOS, turn markers) are not in it: they never
/// spell JSON text. Both vocabularies have a one-byte token for every printable ASCII byte and
/// every UTF-8 continuation byte (byte-level BPE's byte symbols, SentencePiece's `<0xXX>`),
/// which is all a minimal completion ever writes, so one is always reachable byte by byte
/// (SmolLM2 lacks a few control bytes, never raw in JSON, and the lead bytes F1 and F2).
public struct TokenTrie: Sendable {
    /// Per node (the root is implicit, depth 0), the byte on its edge and its depth (1 for the
    /// first byte of a token).
    let nodeByte: [UInt8]
    let nodeDepth: [UInt16]
    /// The node after the last of this node's subtree.
    let subtreeEnd: [Int32]
    /// The tokens spelled exactly by node n: `tokens[tokenStarts[n]..<tokenStarts[n + 1]]`
    /// (several when tokens decode to the same bytes, such as "A" and "<0x41>").
    let tokenStarts: [Int32]
    let tokens: [Int32]
    public let vocabularySize: Int
    /// The longest token in bytes and in UTF-8 lead bytes: no token spells more code points.
    public let longestTokenBytes: Int
    public let longestTokenCodePoints: Int32
    /// The most code points any token has before its last quote byte: a string that still needs
    /// more than this cannot be closed by any one token.
    public let longestTokenCodePointsBeforeQuote: Int32
    /// The tokens that end a generation, never in the trie.
    public let endOfGeneration: [Int32]

    public var nodeCount: Int { nodeByte.count }

    public init(tokenizer: any Tokenizer) {
        let size = tokenizer.vocabularySize
        let endOfGeneration = (0..<Int32(size)).filter { tokenizer.isEndOfGeneration($0) }
        let spellings = (0..<Int32(size)).map { id in tokenizer.isEndOfGeneration(id) ? [] : tokenizer.bytes(of: id) }
        self.init(spellings: spellings, endOfGeneration: endOfGeneration)
    }

    /// The trie of `spellings[id]` for each id (empty: not in the trie).
    public init(spellings: [[UInt8]], endOfGeneration: [Int32]) {
        precondition(spellings.count < Int(Int32.max), "token ids fit in Int32")
        let order = spellings.indices.filter { !spellings[$0].isEmpty }.sorted {
            spellings[$0].lexicographicallyPrecedes(spellings[$1])
        }
        var nodeByte: [UInt8] = [], nodeDepth: [UInt16] = [], subtreeEnd: [Int32] = []
        var tokenStarts: [Int32] = [], tokens: [Int32] = []
        // The nodes of the previous token's path, by depth - 1.
        var path: [Int32] = []
        var previous: [UInt8] = []
        for id in order {
            let bytes = spellings[id]
            precondition(bytes.count <= Int(UInt16.max), "tokens are shorter than 64 KiB")
            let common = zip(previous, bytes).prefix { $0 == $1 }.count
            // Close the subtrees the previous path leaves.
            while path.count > common { subtreeEnd[Int(path.removeLast())] = Int32(nodeByte.count) }
            for byte in bytes[common...] {
                path.append(Int32(nodeByte.count))
                nodeByte.append(byte)
                nodeDepth.append(UInt16(path.count))
                subtreeEnd.append(-1)
                tokenStarts.append(Int32(tokens.count))
            }
            tokens.append(Int32(id))
            previous = bytes
        }
        while let node = path.popLast() { subtreeEnd[Int(node)] = Int32(nodeByte.count) }
        tokenStarts.append(Int32(tokens.count))
        self.nodeByte = nodeByte
        self.nodeDepth = nodeDepth
        self.subtreeEnd = subtreeEnd
        self.tokenStarts = tokenStarts
        self.tokens = tokens
        vocabularySize = spellings.count
        longestTokenBytes = spellings.map(\.count).max() ?? 0
        let codePoints = { (bytes: ArraySlice<UInt8>) in bytes.filter { $0 & 0xC0 != 0x80 }.count }
        longestTokenCodePoints = Int32(spellings.map { codePoints($0[...]) }.max() ?? 0)
        longestTokenCodePointsBeforeQuote = Int32(spellings.compactMap { bytes in
            bytes.lastIndex(of: UInt8(ascii: "\"")).map { codePoints(bytes[..<$0]) }
        }.max() ?? 0)
        self.endOfGeneration = endOfGeneration
    }
}
