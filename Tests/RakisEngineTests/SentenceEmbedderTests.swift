import Foundation
import Testing
import RakisEngine

/// The embedding pipeline against sentence-transformers' vectors for the same 20 sentences.
@Suite struct SentenceEmbedderTests {
    struct Reference: Decodable {
        struct Item: Decodable {
            let sentence: String
            let embedding: [Float]
        }
        let items: [Item]
    }

    static let embedder = Result { try SentenceEmbedder(directory: ModelStore(home: ModelStore.defaultHome()).resolve("all-minilm-l6-v2")) }

    @Test func embeddingsMatchSentenceTransformers() throws {
        let embedder = try Self.embedder.get()
        let file = ReferenceData.directory().appendingPathComponent("all-minilm-l6-v2.sentence-transformers.json")
        let reference = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: file))
        var agreeingBits = 0, totalBits = 0
        var lowestCosine: Double = 1
        for item in reference.items {
            let ours = embedder.embed(item.sentence)
            let cosine = zip(ours, item.embedding).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            lowestCosine = min(lowestCosine, cosine)
            #expect(cosine >= 0.99999, "\(item.sentence.prefix(40))")
            agreeingBits += zip(ours, item.embedding).filter { ($0 > 0) == ($1 > 0) }.count
            totalBits += ours.count
        }
        print("embeddings: lowest cosine \(lowestCosine); sign bits equal on \(agreeingBits)/\(totalBits)")
        #expect(Double(agreeingBits) >= 0.995 * Double(totalBits))
    }

    @Test func embeddingIsAPureFunctionOfTheText() throws {
        let embedder = try Self.embedder.get()
        let first = embedder.embed("Consensus over binary embeddings.")
        _ = embedder.embed("Something else in between.")
        #expect(embedder.embed("Consensus over binary embeddings.").map(\.bitPattern) == first.map(\.bitPattern))
        let norm = first.reduce(0.0) { $0 + Double($1) * Double($1) }
        #expect(abs(norm - 1) < 1e-5)
    }
}
