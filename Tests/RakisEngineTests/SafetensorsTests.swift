import Foundation
import Testing
@testable import RakisEngine

/// The safetensors reader on the real all-MiniLM-L6-v2 weights and on damaged copies.
@Suite struct SafetensorsTests {
    static func modelFile() throws -> URL {
        try ModelStore(home: ModelStore.defaultHome()).resolve("all-minilm-l6-v2").appendingPathComponent("model.safetensors")
    }

    static func temporaryCopy(_ data: Data, _ name: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-st-\(UUID().uuidString)-\(name).safetensors")
        try data.write(to: url)
        return url.path
    }

    @Test func readsTheRealModel() throws {
        let file = try SafetensorsFile(path: Self.modelFile().path)
        let embeddings = try file.tensor("embeddings.word_embeddings.weight")
        #expect(embeddings.dtype == "F32" && embeddings.shape == [30522, 384])
        #expect(file.tensors.count > 90)
        let bias = try file.floats("encoder.layer.0.attention.self.query.bias", shape: [384])
        #expect(bias.allSatisfy(\.isFinite) && bias.contains { $0 != 0 })
        #expect(throws: SafetensorsError.missingTensor(path: file.path, name: "nope")) { try file.tensor("nope") }
    }

    @Test func truncatedFileIsReported() throws {
        let data = try Data(contentsOf: Self.modelFile())
        let path = try Self.temporaryCopy(data.prefix(data.count / 2), "half")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect {
            try SafetensorsFile(path: path)
        } throws: { error in
            guard case SafetensorsError.truncated = error else { return false }
            return "\(error)".contains("ends at byte")
        }
    }

    @Test func damagedHeadersAreReported() throws {
        let real = try Data(contentsOf: Self.modelFile()).prefix(100_000)
        var huge = real
        huge.replaceSubrange(0..<8, with: withUnsafeBytes(of: UInt64(1 << 40).littleEndian) { Data($0) })
        var garbled = real
        garbled[8] = UInt8(ascii: "x")
        for (data, name) in [(huge, "length"), (garbled, "json"), (Data([1, 2, 3]), "tiny")] {
            let path = try Self.temporaryCopy(data, name)
            defer { try? FileManager.default.removeItem(atPath: path) }
            #expect(throws: SafetensorsError.self, "\(name)") { try SafetensorsFile(path: path) }
        }
        #expect(throws: SafetensorsError.self) { try SafetensorsFile(path: "/nonexistent/model.safetensors") }
    }

    @Test func shapeMustFillTheByteRange() throws {
        let header = #"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#
        var data = withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { Data($0) }
        data += Data(header.utf8) + Data(count: 8)
        let path = try Self.temporaryCopy(data, "shape")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect {
            try SafetensorsFile(path: path)
        } throws: { error in
            "\(error)".contains("does not fill bytes 0..<8")
        }
    }
}
