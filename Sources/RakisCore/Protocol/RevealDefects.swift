/// The checks that decide whether a member's reveal, once it re-derives its commitment, counts in
/// consensus. Nodes and the certificate verifier apply the same ones, so they count the same points.
extension Reveal {
    /// Why the reveal cannot count whatever its output embeds to, or nil if it may.
    public func defect(committedModel: String, bits: Int) -> String? {
        if model != committedModel {
            return "revealed model \(model) differs from committed \(committedModel)"
        }
        if embedding.bitCount != bits {
            return "revealed embedding has \(embedding.bitCount) bits, the request uses \(bits)"
        }
        return nil
    }

    /// Why the verifier's own embedding of the output contradicts the revealed one, or nil if it agrees
    /// within `tolerance` bits of the first `bits`.
    public func reembeddingDefect(_ reembedded: BinaryEmbedding, bits: Int, tolerance: Int) -> String? {
        guard reembedded.bitCount >= bits else { return "verifier's embedding is shorter than \(bits) bits" }
        let distance = embedding.hammingDistance(to: reembedded, bits: bits)
        return distance <= tolerance ? nil : "re-embedding differs in \(distance) bits, tolerance \(tolerance)"
    }
}
