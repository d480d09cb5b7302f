import Foundation
import Testing
import RakisEngine

/// The embedding pipeline against sentence-transformers' vectors for the same 20 sentences, and
/// the properties consensus needs from it: the same bits alone or batched, at any thread count.
@Suite struct SentenceEmbedderTests {
    struct Reference: Decodable {
        struct Item: Decodable {
            let sentence: String
            let embedding: [Float]
        }
        let items: [Item]
    }

    static func modelDirectory() throws -> URL {
        try ModelStore(home: ModelStore.defaultHome()).resolve("all-minilm-l6-v2")
    }

    static let embedder = Result { try SentenceEmbedder(directory: modelDirectory()) }

    static func reference() throws -> Reference {
        let file = ReferenceData.directory().appendingPathComponent("all-minilm-l6-v2.sentence-transformers.json")
        return try JSONDecoder().decode(Reference.self, from: Data(contentsOf: file))
    }

    /// sentence-transformers truncates at 256 tokens; so does `.truncate`.
    @Test func embeddingsMatchSentenceTransformers() throws {
        let embedder = try Self.embedder.get()
        let reference = try Self.reference()
        let ours = embedder.embed(reference.items.map(\.sentence), longText: .truncate)
        var agreeingBits = 0, totalBits = 0
        var lowestCosine: Double = 1
        for (item, embedding) in zip(reference.items, ours) {
            let cosine = zip(embedding, item.embedding).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            lowestCosine = min(lowestCosine, cosine)
            #expect(cosine >= 0.99999, "\(item.sentence.prefix(40))")
            agreeingBits += zip(embedding, item.embedding).filter { ($0 > 0) == ($1 > 0) }.count
            totalBits += embedding.count
        }
        print("embeddings: lowest cosine \(lowestCosine); sign bits equal on \(agreeingBits)/\(totalBits)")
        #expect(Double(agreeingBits) >= 0.995 * Double(totalBits))
    }

    @Test func embeddingsAreUnitLength() throws {
        let embedding = try Self.embedder.get().embed("Consensus over binary embeddings.")
        let norm = embedding.reduce(0.0) { $0 + Double($1) * Double($1) }
        #expect(abs(norm - 1) < 1e-5)
    }

    /// Every text alone, in one batch, in reverse order, in batches of three, and at 2 and 3
    /// threads: the same bits each time. The texts range from 3 to 540 pieces (three windows).
    @Test func embeddingsDoNotDependOnBatchOrThreads() throws {
        let texts = try Self.reference().items.map(\.sentence)
        let single = try Self.embedder.get()
        let alone = texts.map { single.embed($0).map(\.bitPattern) }

        #expect(single.embed(texts).map { $0.map(\.bitPattern) } == alone)
        #expect(single.embed(texts.reversed()).reversed().map { $0.map(\.bitPattern) } == alone)
        let inThrees = stride(from: 0, to: texts.count, by: 3).flatMap { single.embed(Array(texts[$0..<min($0 + 3, texts.count)])) }
        #expect(inThrees.map { $0.map(\.bitPattern) } == alone)
        for threads in [2, 3] {
            let threaded = try SentenceEmbedder(directory: Self.modelDirectory(), threads: threads)
            #expect(threaded.embed(texts).map { $0.map(\.bitPattern) } == alone, "\(threads) threads")
        }
    }

    /// A long text is cut into windows of 254 pieces, each between [CLS] and [SEP]; its embedding
    /// is the mean of all the windows' token vectors, normalized.
    @Test func longTextsArePooledOverConsecutiveWindows() throws {
        let embedder = try Self.embedder.get()
        let long = try Self.reference().items.map(\.sentence).max { $0.count < $1.count }!
        let pieces = embedder.tokenizer.pieces(long)
        let windows = embedder.windows(of: long, policy: .windows)
        #expect(pieces.count > 2 * 254 && windows.count == (pieces.count + 253) / 254)
        #expect(windows.allSatisfy { $0.first == embedder.tokenizer.clsID && $0.last == embedder.tokenizer.sepID && $0.count <= 256 })
        #expect(windows.flatMap { $0.dropFirst().dropLast() } == pieces)

        let hidden = embedder.encoder.encode(windows)
        var sums = [Double](repeating: 0, count: embedder.dimension)
        for window in hidden {
            for token in 0..<window.count / embedder.dimension {
                for i in 0..<embedder.dimension { sums[i] += Double(window[token * embedder.dimension + i]) }
            }
        }
        let norm = sums.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let expected = sums.map { $0 / norm }
        let windowed = embedder.embed(long)
        #expect(zip(windowed, expected).allSatisfy { abs(Double($0) - $1) < 1e-6 })
        let truncated = embedder.embed(long, longText: .truncate)
        #expect(zip(windowed, truncated).reduce(0) { $0 + Double($1.0) * Double($1.1) } < 0.999)

        let short = "A text that fits in one window."
        #expect(embedder.embed(short).map(\.bitPattern) == embedder.embed(short, longText: .truncate).map(\.bitPattern))
        #expect(embedder.windows(of: "", policy: .windows) == [[embedder.tokenizer.clsID, embedder.tokenizer.sepID]])
    }

    /// A model directory with one file missing or damaged: the error names the file and what is
    /// wrong with it. The other files are links to the real model's.
    @Test(arguments: ["model.safetensors", "vocab.txt", "config.json"])
    func missingOrDamagedModelFilesAreReported(file: String) throws {
        let real = try Self.modelDirectory()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-embedder-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in ["model.safetensors", "vocab.txt", "config.json"] where name != file {
            try FileManager.default.createSymbolicLink(at: directory.appendingPathComponent(name),
                                                       withDestinationURL: real.appendingPathComponent(name))
        }
        let target = directory.appendingPathComponent(file)
        #expect { try SentenceEmbedder(directory: directory) } throws: { "\($0)".contains(target.path) }

        let damaged: Data
        switch file {
        case "model.safetensors":
            // The real header and weights, with one weight of the first layer's query made NaN.
            var data = try Data(contentsOf: real.appendingPathComponent(file))
            let tensor = try SafetensorsFile(path: real.appendingPathComponent(file).path).tensor("encoder.layer.0.attention.self.query.weight")
            data.replaceSubrange(tensor.byteRange.lowerBound + 40..<tensor.byteRange.lowerBound + 44,
                                 with: withUnsafeBytes(of: Float.nan.bitPattern.littleEndian) { Data($0) })
            damaged = data
        case "vocab.txt": damaged = Data("[CLS]\n[SEP]\n[CLS]\n".utf8)
        default: damaged = Data(#"{"hidden_size": 384}"#.utf8)
        }
        try damaged.write(to: target)
        #expect { try SentenceEmbedder(directory: directory) } throws: { error in
            print("damaged \(file): \(error)")
            return "\(error)".contains(target.path)
        }
    }
}
