import Foundation
import Testing
@testable import RakisEngine

/// The GGUF reader on the real model and on damaged copies of it: each damage gives its own
/// clear error, never a crash.
@Suite struct GGUFTests {
    static func original() throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: TestModel.path()))
    }

    /// Writes `bytes` to a temporary file and returns its path.
    static func temporaryFile(_ bytes: Data, _ name: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-gguf-\(UUID().uuidString)-\(name).gguf")
        try bytes.write(to: url)
        return url.path
    }

    @Test func readsTheRealModel() throws {
        let gguf = try GGUFFile(path: TestModel.path())
        #expect(gguf.version == 3)
        #expect(gguf.tensors.count == 272)
        #expect(try gguf.string("general.architecture") == "llama")
        #expect(try gguf.integer("llama.block_count") == 30)
        let embedding = try gguf.tensor("token_embd.weight")
        #expect(embedding.type == .q8_0 && embedding.shape == [576, 49152])
        #expect(embedding.byteRange.lowerBound % 32 == 0)
        let config = try LlamaConfig(gguf: gguf)
        #expect(config.headDimension == 64 && config.keyValueHeadCount == 3 && config.ropeBase == 100_000)
    }

    @Test func truncatedDataIsReported() throws {
        let data = try Self.original()
        let path = try Self.temporaryFile(data.prefix(data.count / 2), "half")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect {
            try GGUFFile(path: path)
        } throws: { error in
            guard case let GGUFError.truncated(reportedPath, _, _, activity) = error else { return false }
            return reportedPath == path && activity.contains("tensor")
        }
    }

    @Test func truncatedHeaderIsReported() throws {
        let path = try Self.temporaryFile(try Self.original().prefix(5000), "header")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect {
            try GGUFFile(path: path)
        } throws: { error in
            guard case let GGUFError.truncated(_, _, _, activity) = error else { return false }
            return activity.contains("metadata")
        }
    }

    @Test func wrongMagicAndVersionAreReported() throws {
        var data = try Self.original().prefix(4096)
        data[0] = UInt8(ascii: "X")
        let notGGUF = try Self.temporaryFile(data, "magic")
        defer { try? FileManager.default.removeItem(atPath: notGGUF) }
        #expect(throws: GGUFError.notGGUF(path: notGGUF)) { try GGUFFile(path: notGGUF) }

        data[0] = UInt8(ascii: "G")
        data[4] = 2
        let version2 = try Self.temporaryFile(data, "version")
        defer { try? FileManager.default.removeItem(atPath: version2) }
        #expect(throws: GGUFError.unsupportedVersion(path: version2, version: 2)) { try GGUFFile(path: version2) }

        #expect(throws: GGUFError.self) { try GGUFFile(path: "/nonexistent/model.gguf") }
    }

    @Test func unsupportedTensorTypeIsReported() throws {
        var data = try Self.original()
        // The tensor table entry: name, rank (u32), two dimensions (u64), then the type id.
        let name = Data("token_embd.weight".utf8)
        let nameRange = try #require(data.range(of: name))
        let typeOffset = nameRange.upperBound + 4 + 16
        #expect(data[typeOffset] == UInt8(TensorType.q8_0.rawValue))
        // IQ4_NL has Q4_0's geometry (18 bytes per 32 values), so the file still adds up.
        data[typeOffset] = UInt8(TensorType.iq4_NL.rawValue)
        let path = try Self.temporaryFile(data, "type")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: GGUFError.unsupportedTensorType(path: path, tensor: "token_embd.weight", type: "IQ4_NL")) {
            try LanguageModel(path: path)
        }
    }

    @Test func absurdCountsFailWithoutAllocating() throws {
        var data = try Self.original().prefix(4096)
        // The metadata count (bytes 16..<24) set to 2^60.
        data.replaceSubrange(16..<24, with: withUnsafeBytes(of: UInt64(1 << 60).littleEndian) { Data($0) })
        let path = try Self.temporaryFile(data, "count")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect {
            try GGUFFile(path: path)
        } throws: { error in
            guard case let GGUFError.truncated(_, needed, _, activity) = error else { return false }
            return activity.contains("metadata count") && needed == Int.max
        }
    }
}
