/// A matrix the file stores in floating point (F32, F16 or BF16), kept in single precision (both
/// half formats convert exactly). Its product takes the activations' own floats, not their 8-bit
/// form, and follows `FloatMatrix`'s contract: one fused multiply-add chain per output, in column
/// order, from zero.
public struct FloatPackedMatrix: PackedMatrix {
    public var rows: Int { matrix.rows }
    public var columns: Int { matrix.columns }
    let matrix: FloatMatrix

    public init(rows: Int, columns: Int, type: TensorType, gguf: UnsafeRawBufferPointer) {
        precondition([.f32, .f16, .bf16].contains(type) && gguf.count == rows * columns * type.bytesPerBlock)
        let count = rows * columns
        let weights: [Float] = switch type {
        case .f32: (0..<count).map { Float(bitPattern: UInt32(littleEndian: gguf.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
        case .f16: (0..<count).map { Float(Float16(bitPattern: UInt16(littleEndian: gguf.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)))) }
        default: (0..<count).map { Float(bitPattern: UInt32(UInt16(littleEndian: gguf.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self))) << 16) }
        }
        matrix = FloatMatrix(rows: rows, columns: columns, weights: weights, bias: [Float](repeating: 0, count: rows))
    }

    public func multiply(_ activations: QuantizedActivations, groups: Range<Int>,
                         into out: UnsafeMutablePointer<Float>, outStride: Int) {
        precondition(activations.columns == columns)
        matrix.multiply(activations.floats, stride: columns, tokens: activations.tokens, groups: groups, into: out, outStride: outStride)
    }

    public func referenceMultiply(_ activations: QuantizedActivations, groups: Range<Int>,
                                  into out: UnsafeMutablePointer<Float>, outStride: Int) {
        precondition(activations.columns == columns)
        matrix.referenceMultiply(activations.floats, stride: columns, tokens: activations.tokens, groups: groups, into: out, outStride: outStride)
    }

    public func dequantizeRow(_ row: Int, into out: UnsafeMutablePointer<Float>) { matrix.row(row, into: out) }
}
