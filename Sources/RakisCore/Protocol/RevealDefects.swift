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

    /// For a structured request: the output read against the schema, its field embeddings one per
    /// free string with exactly `bits` bits each, or why the reveal cannot count. A revealer may
    /// write any valid JSON, so this says only that the output is a candidate; consensus decides
    /// whether others agree with it.
    public func structuredOutput(format: OutputSchema, bits: Int) throws(StructuredOutputDefect) -> StructuredOutput {
        let structured = try StructuredOutput(output: output, format: format)
        let fields = structured.embeddedLeaves
        guard fieldEmbeddings.count == fields.count else {
            throw .fieldEmbeddingCount(found: fieldEmbeddings.count, freeStrings: fields.count)
        }
        for (field, embedding) in zip(fields, fieldEmbeddings) where embedding.bitCount != bits {
            throw .fieldEmbeddingBits(path: field.path, found: embedding.bitCount, bits: bits)
        }
        return structured
    }

    /// Why the verifier's own embeddings of the free strings contradict the revealed ones, or nil if
    /// each agrees within `tolerance` bits of the first `bits`.
    ///
    /// - Precondition: the reveal passed `structuredOutput(format:bits:)` giving `structured`, and
    ///   `reembedded` holds one embedding per free string, in leaf order.
    public func fieldReembeddingDefect(_ reembedded: [BinaryEmbedding], of structured: StructuredOutput, bits: Int,
                                       tolerance: Int) -> String? {
        let fields = structured.embeddedLeaves
        precondition(reembedded.count == fields.count && fieldEmbeddings.count == fields.count, "one embedding per free string")
        for (index, field) in fields.enumerated() {
            guard reembedded[index].bitCount >= bits else { return "verifier's embedding of \(field.path) is shorter than \(bits) bits" }
            let distance = fieldEmbeddings[index].hammingDistance(to: reembedded[index], bits: bits)
            if distance > tolerance { return "re-embedding of \(field.path) differs in \(distance) bits, tolerance \(tolerance)" }
        }
        return nil
    }
}
