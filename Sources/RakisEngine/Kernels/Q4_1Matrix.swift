import CRakisKernels

/// A Q4_1 matrix: per block of 32 weights, w = d * q + m with q in 0...15 and d, m in half
/// precision. Its product uses Q8 activations: per block,
///     acc = fma(d_w * d_a, Float(sum q_w * q_a), acc);  acc = fma(m_w, s_a, acc)
/// in block order, where the integer sum is exact.
///
/// Packed layout, per group of 8 rows and block (160 bytes): the 8 scales d (half), the 8
/// minimums m (half), then 4 chunks of 32 bytes; in chunk k, byte 4j+i holds row j's weight
/// 8k+i in its low nibble and weight 8k+4+i in its high nibble.
public struct Q4_1Matrix: PackedMatrix {
    public let rows: Int
    public let columns: Int
    let blocks: Int
    let storage: PackedStorage
    static let groupBlockBytes = 160
    static let ggufBlockBytes = 20

    /// Repacks GGUF Q4_1 rows (20-byte blocks: d, m, then 16 bytes with weight i in the low
    /// nibble of byte i and weight i+16 in its high nibble). `packed(bytes)` is told, after each
    /// group of 8 rows, how many source bytes are done with.
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
                    let row = group * 8 + lane
                    let input = source + (row * blocks + block) * Self.ggufBlockBytes
                    (target + 16 + 2 * lane).copyMemory(from: input + 2, byteCount: 2)
                    (target + 2 * lane).copyMemory(from: input, byteCount: 2)
                    let nibbles = input + 4
                    for k in 0..<4 {
                        for i in 0..<4 {
                            let low = Self.weight(nibbles, 8 * k + i)
                            let high = Self.weight(nibbles, 8 * k + 4 + i)
                            target.storeBytes(of: low | high << 4, toByteOffset: 32 + 32 * k + 4 * lane + i, as: UInt8.self)
                        }
                    }
                }
            }
            packed((group + 1) * 8 * blocks * Self.ggufBlockBytes)
        }
    }

    /// Weight `index` (0..<32) of a GGUF Q4_1 block's nibble array.
    private static func weight(_ nibbles: UnsafeRawPointer, _ index: Int) -> UInt8 {
        let byte = nibbles.load(fromByteOffset: index % 16, as: UInt8.self)
        return index < 16 ? byte & 0x0F : byte >> 4
    }

    public func multiply(_ activations: QuantizedActivations, groups: Range<Int>,
                         into out: UnsafeMutablePointer<Float>, outStride: Int) {
        precondition(activations.columns == columns)
        guard simdKernelsAvailable else {
            return referenceMultiply(activations, groups: groups, into: out, outStride: outStride)
        }
        rakis_q4_1_matmul(storage.bytes.assumingMemoryBound(to: UInt8.self), blocks, groups.lowerBound, groups.upperBound,
                          activations.values, activations.scales, activations.scaledSums, activations.tokens, out, outStride)
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
                    for k in 0..<4 {
                        for i in 0..<4 {
                            let byte = packed.load(fromByteOffset: 32 + 32 * k + 4 * lane + i, as: UInt8.self)
                            sum += Int32(byte & 0x0F) * Int32(a[8 * k + i]) + Int32(byte >> 4) * Int32(a[8 * k + 4 + i])
                        }
                    }
                    let scale = Float(packed.loadUnaligned(fromByteOffset: 2 * lane, as: Float16.self))
                    let minimum = Float(packed.loadUnaligned(fromByteOffset: 16 + 2 * lane, as: Float16.self))
                    acc = acc.addingProduct(scale * activations.scales[token * blocks + block], Float(sum))
                    acc = acc.addingProduct(minimum, activations.scaledSums[token * blocks + block])
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
            let minimum = Float(packed.loadUnaligned(fromByteOffset: 16 + 2 * lane, as: Float16.self))
            for k in 0..<4 {
                for i in 0..<4 {
                    let byte = packed.load(fromByteOffset: 32 + 32 * k + 4 * lane + i, as: UInt8.self)
                    out[block * 32 + 8 * k + i] = scale * Float(byte & 0x0F) + minimum
                    out[block * 32 + 8 * k + 4 + i] = scale * Float(byte >> 4) + minimum
                }
            }
        }
    }
}
