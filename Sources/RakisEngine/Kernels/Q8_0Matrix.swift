import CRakisKernels

/// A Q8_0 matrix: per block of 32 weights, w = d * q with q in -128...127 and d in half
/// precision. Its product with Q8 activations is, per block in order,
///     acc = fma(d_w * d_a, Float(sum q_w * q_a), acc)
///
/// Packed layout, per group of 8 rows and block (272 bytes): the 8 scales (half), then 8 chunks
/// of 32 bytes; in chunk k, byte 4j+i is row j's weight 4k+i.
public struct Q8_0Matrix: PackedMatrix {
    public let rows: Int
    public let columns: Int
    let blocks: Int
    let storage: PackedStorage
    static let groupBlockBytes = 272
    static let ggufBlockBytes = 34

    /// Repacks GGUF Q8_0 rows (34-byte blocks: d, then 32 signed weights). `packed(bytes)` is
    /// told, after each group of 8 rows, how many source bytes are done with.
    public init(rows: Int, columns: Int, gguf: UnsafeRawBufferPointer, packed: (Int) -> Void = { _ in }) {
        precondition(rows % 8 == 0 && columns % 32 == 0 && gguf.count == rows * columns / 32 * Self.ggufBlockBytes)
        self.rows = rows
        self.columns = columns
        blocks = columns / 32
        storage = PackedStorage(count: rows / 8 * blocks * Self.groupBlockBytes)
        let source = gguf.baseAddress!
        for group in 0..<rows / 8 {
            for block in 0..<blocks {
                let target = storage.bytes + (group * blocks + block) * Self.groupBlockBytes
                for lane in 0..<8 {
                    let input = source + ((group * 8 + lane) * blocks + block) * Self.ggufBlockBytes
                    (target + 2 * lane).copyMemory(from: input, byteCount: 2)
                    for k in 0..<8 {
                        (target + 16 + 32 * k + 4 * lane).copyMemory(from: input + 2 + 4 * k, byteCount: 4)
                    }
                }
            }
            packed((group + 1) * 8 * blocks * Self.ggufBlockBytes)
        }
    }

    public func multiply(_ activations: QuantizedActivations, groups: Range<Int>,
                         into out: UnsafeMutablePointer<Float>, outStride: Int) {
        precondition(activations.columns == columns)
        guard simdKernelsAvailable else {
            return referenceMultiply(activations, groups: groups, into: out, outStride: outStride)
        }
        rakis_q8_0_matmul(storage.bytes.assumingMemoryBound(to: UInt8.self), blocks, groups.lowerBound, groups.upperBound,
                          activations.values, activations.scales, activations.tokens, out, outStride)
    }

    public func referenceMultiply(_ activations: QuantizedActivations, groups: Range<Int>,
                                  into out: UnsafeMutablePointer<Float>, outStride: Int) {
        precondition(activations.columns == columns)
        for token in 0..<activations.tokens {
            for row in groups.lowerBound * 8..<groups.upperBound * 8 {
                let (group, lane) = row.quotientAndRemainder(dividingBy: 8)
                var acc: Float = 0
                for block in 0..<blocks {
                    let packed = storage.bytes + (group * blocks + block) * Self.groupBlockBytes
                    let a = activations.values + (token * blocks + block) * 32
                    var sum: Int32 = 0
                    for k in 0..<8 {
                        for i in 0..<4 {
                            let weight = packed.load(fromByteOffset: 16 + 32 * k + 4 * lane + i, as: Int8.self)
                            sum += Int32(weight) * Int32(a[4 * k + i])
                        }
                    }
                    let scale = Float(packed.loadUnaligned(fromByteOffset: 2 * lane, as: Float16.self))
                    acc = acc.addingProduct(scale * activations.scales[token * blocks + block], Float(sum))
                }
                out[token * outStride + row] = acc
            }
        }
    }

    public func dequantizeRow(_ row: Int, into out: UnsafeMutablePointer<Float>) {
        let (group, lane) = row.quotientAndRemainder(dividingBy: 8)
        for block in 0..<blocks {
            let packed = storage.bytes + (group * blocks + block) * Self.groupBlockBytes
            let scale = Float(packed.loadUnaligned(fromByteOffset: 2 * lane, as: Float16.self))
            for k in 0..<8 {
                for i in 0..<4 {
                    let weight = packed.load(fromByteOffset: 16 + 32 * k + 4 * lane + i, as: Int8.self)
                    out[block * 32 + 4 * k + i] = scale * Float(weight)
                }
            }
        }
    }
}
