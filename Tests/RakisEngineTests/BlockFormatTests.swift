import Foundation
import Testing
@testable import RakisEngine

/// Every block format the engine multiplies with, unpacked from GGUF bytes, against the values
/// llama.cpp's own Python package (`gguf`) dequantizes the same bytes to
/// (`Reference/quant-blocks.gguf-py.json`, written by scripts/engine/make_quant_blocks.py):
/// equal values (bit for bit but for the sign of a zero: Q4_0's d * (q - 8) is computed here as
/// d * q - 8d, which gives +0 where gguf-py gives -0).
@Suite struct BlockFormatTests {
    struct Sample: Decodable {
        let rows: Int
        let columns: Int
        let blocks: String
        let values: String
    }

    static let samples: [String: Sample] = {
        let file = ReferenceData.directory().appendingPathComponent("quant-blocks.gguf-py.json")
        return (try? JSONDecoder().decode([String: Sample].self, from: Data(contentsOf: file))) ?? [:]
    }()

    static func matrix(_ type: TensorType, _ sample: Sample, _ bytes: UnsafeRawBufferPointer) throws -> any PackedMatrix {
        switch type {
        case .f32, .f16, .bf16: FloatPackedMatrix(rows: sample.rows, columns: sample.columns, type: type, gguf: bytes)
        case .q4_0: try BlockTranscoding.q4_1(fromQ4_0: bytes).withUnsafeBytes { Q4_1Matrix(rows: sample.rows, columns: sample.columns, gguf: $0) }
        case .q4_1: Q4_1Matrix(rows: sample.rows, columns: sample.columns, gguf: bytes)
        case .q5_0: BlockTranscoding.q8_0(fromQ5_0: bytes).withUnsafeBytes { Q8_0Matrix(rows: sample.rows, columns: sample.columns, gguf: $0) }
        case .q5_1: Q5Matrix(rows: sample.rows, columns: sample.columns, q5_1: bytes)
        case .q8_0: Q8_0Matrix(rows: sample.rows, columns: sample.columns, gguf: bytes)
        case .q2_K: Q2_KMatrix(rows: sample.rows, columns: sample.columns, gguf: bytes)
        case .q3_K: Q6_KMatrix(rows: sample.rows, columns: sample.columns, q3_K: bytes)
        case .q5_K: Q5Matrix(rows: sample.rows, columns: sample.columns, q5_K: bytes)
        case .q4_K: Q4_KMatrix(rows: sample.rows, columns: sample.columns, gguf: bytes)
        case .q6_K: Q6_KMatrix(rows: sample.rows, columns: sample.columns, gguf: bytes)
        default: preconditionFailure("no sample format \(type)")
        }
    }

    @Test(arguments: MatrixFormat.supported)
    func unpackedWeightsAreWhatGGUFPyDequantizes(type: TensorType) throws {
        let sample = try #require(Self.samples[type.name], "no sample of \(type.name) in quant-blocks.gguf-py.json")
        let blocks = try #require(Data(base64Encoded: sample.blocks))
        let expected = try #require(Data(base64Encoded: sample.values)).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        let matrix = try blocks.withUnsafeBytes { try Self.matrix(type, sample, $0) }
        var mismatches = 0
        for row in 0..<sample.rows {
            var unpacked = [Float](repeating: .nan, count: sample.columns)
            unpacked.withUnsafeMutableBufferPointer { matrix.dequantizeRow(row, into: $0.baseAddress!) }
            for column in 0..<sample.columns where unpacked[column] != expected[row * sample.columns + column] {
                mismatches += 1
                if mismatches <= 3 { Issue.record("\(type.name) row \(row) column \(column): \(unpacked[column]), gguf-py \(expected[row * sample.columns + column])") }
            }
        }
        #expect(mismatches == 0, "\(mismatches) of \(sample.rows * sample.columns) values differ")
    }
}
