import RakisCore

/// Stand-ins for the LLM and the embedder, with controllable similarity. Honest nodes write one
/// of a few paraphrases of a per-request answer, whose embeddings are the answer's base bits with
/// a small share flipped, so they cluster. Adversaries write text whose embedding is random,
/// about half the bits away from everything.
///
/// The embedding is a pure function of the text, as a real embedder is: verifiers re-derive it.
final class StandInModels {
    let paraphrases: Int
    let flipRate: Double
    private var cache: [String: BinaryEmbedding] = [:]

    init(paraphrases: Int, flipRate: Double) {
        self.paraphrases = paraphrases
        self.flipRate = flipRate
    }

    func honestOutput(requestId: Hash256, paraphrase: Int, structured: Bool = false) -> String {
        let text = "answer \(requestId.hex.prefix(16)) paraphrase \(paraphrase)"
        return structured ? Self.structured(verdict: Self.verdict(requestId), note: text) : text
    }

    func adversarialOutput(requestId: Hash256, node: Int, structured: Bool = false) -> String {
        let text = "forgery \(requestId.hex.prefix(16)) by \(node)"
        return structured ? Self.structured(verdict: !Self.verdict(requestId), note: text) : text
    }

    /// What a structured request asks for: an exact verdict and a free note. Honest notes are the
    /// paraphrases (close in embedding), forged ones noise; the forged verdict is the wrong one.
    static let format = try! OutputSchema(json: [
        "type": "object", "additionalProperties": false, "required": ["answer", "note"],
        "properties": ["answer": ["enum": ["no", "yes"]], "note": ["type": "string", "maxLength": 64]],
    ], path: "format")

    private static func verdict(_ requestId: Hash256) -> Bool { requestId.words.0 & 1 == 1 }

    private static func structured(verdict: Bool, note: String) -> String {
        JSONValue.object(["answer": .string(verdict ? "yes" : "no"), "note": .string(note)]).canonicalString
    }

    func embed(_ text: String, bits: Int) -> BinaryEmbedding {
        if let cached = cache[text], cached.bitCount == bits { return cached }
        var bytes: [UInt8]
        let words = text.split(separator: " ")
        if words.count == 4, words[0] == "answer" {
            var base = Self.random(seededBy: "base \(words[1])")
            bytes = (0..<bits / 8).map { _ in UInt8(truncatingIfNeeded: base.next()) }
            var flips = Self.random(seededBy: text)
            for bit in 0..<bits where flips.chance(flipRate) {
                bytes[bit / 8] ^= 0x80 >> UInt8(bit % 8)
            }
        } else {
            var noise = Self.random(seededBy: text)
            bytes = (0..<bits / 8).map { _ in UInt8(truncatingIfNeeded: noise.next()) }
        }
        let embedding = BinaryEmbedding(bytes: bytes)
        cache[text] = embedding
        return embedding
    }

    private static func random(seededBy text: String) -> SeededRandom {
        SeededRandom(seed: Hash256.of(Array(text.utf8)).words.0)
    }
}
