import CRakisKernels

/// A single-precision linear layer, y = W x + b, for the embedding model (whose weights are F32).
///
/// Packed in groups of eight rows like the quantized matrices: for each column k, the eight rows'
/// weights side by side, so one SIMD register holds column k of eight rows. Each output is one
/// fused multiply-add chain in column order,
///     acc = b[row]; acc = fma(w[row][k], x[k], acc) for k = 0, 1, ...
/// whatever tile, batch or thread computes it: the contract the kernel and the reference share.
public struct FloatMatrix: Sendable {
    public let rows: Int
    public let columns: Int
    let bias: [Float]
    let storage: PackedStorage

    /// Packs row-major weights (rows x columns, as PyTorch stores a linear layer) and the bias.
    public init(rows: Int, columns: Int, weights: [Float], bias: [Float]) {
        precondition(rows % 8 == 0 && weights.count == rows * columns && bias.count == rows)
        self.rows = rows
        self.columns = columns
        self.bias = bias
        storage = PackedStorage(count: rows * columns * MemoryLayout<Float>.size)
        let packed = storage.bytes.assumingMemoryBound(to: Float.self)
        for row in 0..<rows {
            let (group, lane) = row.quotientAndRemainder(dividingBy: 8)
            for column in 0..<columns {
                packed[(group * columns + column) * 8 + lane] = weights[row * columns + column]
            }
        }
    }

    public var groupCount: Int { rows / 8 }

    /// out[token * outStride + row] for the rows of `groups` (group g covers rows 8g..<8g+8) and
    /// `tokens` inputs, input t starting at x + t * stride.
    public func multiply(_ x: UnsafePointer<Float>, stride: Int, tokens: Int, groups: Range<Int>,
                         into out: UnsafeMutablePointer<Float>, outStride: Int) {
        guard simdKernelsAvailable else {
            return referenceMultiply(x, stride: stride, tokens: tokens, groups: groups, into: out, outStride: outStride)
        }
        bias.withUnsafeBufferPointer { bias in
            rakis_f32_matmul(storage.bytes.assumingMemoryBound(to: Float.self), bias.baseAddress!, columns,
                             groups.lowerBound, groups.upperBound, x, stride, tokens, out, outStride)
        }
    }

    /// The same product in plain scalar code: the definition the kernel must match.
    public func referenceMultiply(_ x: UnsafePointer<Float>, stride: Int, tokens: Int, groups: Range<Int>,
                                  into out: UnsafeMutablePointer<Float>, outStride: Int) {
        let packed = storage.bytes.assumingMemoryBound(to: Float.self)
        for token in 0..<tokens {
            for row in groups.lowerBound * 8..<groups.upperBound * 8 {
                let (group, lane) = row.quotientAndRemainder(dividingBy: 8)
                var acc = bias[row]
                for column in 0..<columns {
                    acc = acc.addingProduct(packed[(group * columns + column) * 8 + lane], x[token * stride + column])
                }
                out[token * outStride + row] = acc
            }
        }
    }
}
