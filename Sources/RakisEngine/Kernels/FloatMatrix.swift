/// A single-precision linear layer, y = W x + b, for the embedding model (whose weights are F32).
///
/// Packed in groups of eight rows like the quantized matrices: for each column k, the eight rows'
/// weights side by side, so one SIMD register holds column k of eight rows. Products follow
/// `FloatWeights`' contract: one fused multiply-add chain per output, in column order.
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

    /// Row `row`'s weights.
    public func row(_ row: Int, into out: UnsafeMutablePointer<Float>) {
        let (group, lane) = row.quotientAndRemainder(dividingBy: 8)
        let packed = storage.bytes.assumingMemoryBound(to: Float.self)
        for column in 0..<columns { out[column] = packed[(group * columns + column) * 8 + lane] }
    }

    private var weights: FloatWeights {
        FloatWeights(base: storage.bytes.assumingMemoryBound(to: Float.self), groupStride: columns * 8, columnStride: 8, columns: columns)
    }

    /// out[token * outStride + row] for the rows of `groups` (group g covers rows 8g..<8g+8) and
    /// `tokens` inputs, input t starting at x + t * stride; with `gelu`, GELU of each.
    public func multiply(_ x: UnsafePointer<Float>, stride: Int, tokens: Int, groups: Range<Int>,
                         into out: UnsafeMutablePointer<Float>, outStride: Int, gelu: Bool = false) {
        bias.withUnsafeBufferPointer { bias in
            weights.multiply(x, stride: stride, tokens: tokens, groups: groups, bias: bias.baseAddress!, into: out,
                             outStride: outStride, gelu: gelu)
        }
    }

    /// The same product in plain scalar code: the definition the kernel must match.
    public func referenceMultiply(_ x: UnsafePointer<Float>, stride: Int, tokens: Int, groups: Range<Int>,
                                  into out: UnsafeMutablePointer<Float>, outStride: Int, gelu: Bool = false) {
        bias.withUnsafeBufferPointer { bias in
            weights.referenceMultiply(x, stride: stride, tokens: tokens, groups: groups, bias: bias.baseAddress!,
                                      into: out, outStride: outStride, gelu: gelu)
        }
    }
}
