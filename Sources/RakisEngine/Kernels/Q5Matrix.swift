import CRakisKernels

/// The 5-bit formats with a minimum, Q5_K and Q5_1: per block of 32 weights w = scale * q +
/// offset, q in 0...31, with scale and offset in single precision (Q5_K: d * sc and -(dmin * m)
/// from its super-block, exact; Q5_1: d and m). Its product with Q8 activations is, per block
/// in order, as Q4_1's:
///     acc = fma(scale * d_a, Float(sum q_w * q_a), acc);  acc = fma(offset, s_a, acc)
///
/// The weights are kept as bytes (8 bits for 5: simpler and faster to multiply than bit planes,
/// at 10 bits a weight in memory against the file's 5.5 or 6).
///
/// Packed layout, per group of 8 rows and block (320 bytes): the 8 scales (float), the 8
/// offsets (float), then the weights laid out as Q8_0's (`Q8_0Matrix`).
public struct Q5Matrix: PackedMatrix {
    public let rows: Int
    public let columns: Int
    let blocks: Int
    let storage: PackedStorage
    static let groupBlockBytes = 320

    /// Repacks GGUF Q5_K rows (176-byte super-blocks: d, dmin, 12 bytes of 6-bit scales and
    /// minimums packed as Q4_K's, 32 bytes of fifth bits, 128 bytes of nibbles): weight l of
    /// sub-block s takes its nibble from byte 32(s / 2) + l (low for even s, high for odd) and its
    /// fifth bit from bit s of fifth-bit byte l.
    public init(rows: Int, columns: Int, q5_K gguf: UnsafeRawBufferPointer) {
        precondition(columns % 256 == 0 && gguf.count == rows * columns / 256 * 176)
        self.init(rows: rows, columns: columns, valuesPerBlock: 256, bytesPerBlock: 176, gguf: gguf) { block, scales, offsets, weights in
            let d = Float(block.loadUnaligned(as: Float16.self))
            let dmin = Float(block.loadUnaligned(fromByteOffset: 2, as: Float16.self))
            for sub in 0..<8 {
                let (sc, m) = Q4_KMatrix.scaleAndMinimum(sub, block + 4)
                scales[sub] = d * Float(sc)
                offsets[sub] = -(dmin * Float(m))
                for l in 0..<32 {
                    let byte = block.load(fromByteOffset: 48 + 32 * (sub / 2) + l, as: UInt8.self)
                    let nibble = sub % 2 == 0 ? byte & 0x0F : byte >> 4
                    let fifth = block.load(fromByteOffset: 16 + l, as: UInt8.self) >> sub & 1
                    weights[32 * sub + l] = nibble | fifth << 4
                }
            }
        }
    }

    /// Repacks GGUF Q5_1 rows (24-byte blocks: d, m, 32 fifth bits, then 16 bytes with weight
    /// j < 16 in the low nibble of byte j and weight j + 16 in its high nibble).
    public init(rows: Int, columns: Int, q5_1 gguf: UnsafeRawBufferPointer) {
        precondition(columns % 32 == 0 && gguf.count == rows * columns / 32 * 24)
        self.init(rows: rows, columns: columns, valuesPerBlock: 32, bytesPerBlock: 24, gguf: gguf) { block, scales, offsets, weights in
            scales[0] = Float(block.loadUnaligned(as: Float16.self))
            offsets[0] = Float(block.loadUnaligned(fromByteOffset: 2, as: Float16.self))
            let fifths = UInt32(littleEndian: block.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
            for j in 0..<32 {
                let byte = block.load(fromByteOffset: 8 + j % 16, as: UInt8.self)
                weights[j] = (j < 16 ? byte & 0x0F : byte >> 4) | UInt8(fifths >> j & 1) << 4
            }
        }
    }

    /// Packs rows of GGUF blocks of `valuesPerBlock` weights that `decode` reads into one scale
    /// and offset per 32 weights and the unsigned weights.
    private init(rows: Int, columns: Int, valuesPerBlock: Int, bytesPerBlock: Int, gguf: UnsafeRawBufferPointer,
                 decode: (UnsafeRawPointer, inout [Float], inout [Float], inout [UInt8]) -> Void) {
        precondition(rows % 8 == 0 && columns % valuesPerBlock == 0)
        self.rows = rows
        self.columns = columns
        blocks = columns / 32
        storage = PackedStorage(count: rows / 8 * blocks * Self.groupBlockBytes)
        let source = gguf.baseAddress!
        let ggufBlocks = columns / valuesPerBlock, subBlocks = valuesPerBlock / 32
        var scales = [Float](repeating: 0, count: subBlocks), offsets = scales
        var weights = [UInt8](repeating: 0, count: valuesPerBlock)
        for row in 0..<rows {
            let (group, lane) = row.quotientAndRemainder(dividingBy: 8)
            for ggufBlock in 0..<ggufBlocks {
                decode(source + (row * ggufBlocks + ggufBlock) * bytesPerBlock, &scales, &offsets, &weights)
                for sub in 0..<subBlocks {
                    let target = storage.bytes + (group * blocks + ggufBlock * subBlocks + sub) * Self.groupBlockBytes
                    target.storeBytes(of: scales[sub], toByteOffset: 4 * lane, as: Float.self)
                    target.storeBytes(of: offsets[sub], toByteOffset: 32 + 4 * lane, as: Float.self)
                    for k in 0..<8 {
                        for i in 0..<4 {
                            target.storeBytes(of: weights[32 * sub + 4 * k + i], toByteOffset: 64 + 32 * k + 4 * lane + i, as: UInt8.self)
                        }
                    }
                }
            }
        }
    }

    public func multiply(_ activations: QuantizedActivations, groups: Range<Int>,
                         into out: UnsafeMutablePointer<Float>, outStride: Int) {
        precondition(activations.columns == columns)
        guard simdKernelsAvailable else {
            return referenceMultiply(activations, groups: groups, into: out, outStride: outStride)
        }
        rakis_q5_matmul(storage.bytes.assumingMemoryBound(to: UInt8.self), blocks, groups.lowerBound, groups.upperBound,
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
                    let packed = UnsafeRawPointer(storage.bytes + (group * blocks + block) * Self.groupBlockBytes)
                    let a = activations.values + (token * blocks + block) * 32
                    var sum: Int32 = 0
                    for k in 0..<8 {
                        for i in 0..<4 {
                            sum += Int32(packed.load(fromByteOffset: 64 + 32 * k + 4 * lane + i, as: UInt8.self)) * Int32(a[4 * k + i])
                        }
                    }
                    let scale = packed.load(fromByteOffset: 4 * lane, as: Float.self)
                    let offset = packed.load(fromByteOffset: 32 + 4 * lane, as: Float.self)
                    acc = acc.addingProduct(scale * activations.scales[token * blocks + block], Float(sum))
                    acc = acc.addingProduct(offset, activations.scaledSums[token * blocks + block])
                }
                out[token * outStride + row] = acc
            }
        }
    }

    public func dequantizeRow(_ row: Int, into out: UnsafeMutablePointer<Float>) {
        let (group, lane) = row.quotientAndRemainder(dividingBy: 8)
        for block in 0..<blocks {
            let packed = UnsafeRawPointer(storage.bytes + (group * blocks + block) * Self.groupBlockBytes)
            let scale = packed.load(fromByteOffset: 4 * lane, as: Float.self)
            let offset = packed.load(fromByteOffset: 32 + 4 * lane, as: Float.self)
            for k in 0..<8 {
                for i in 0..<4 {
                    out[block * 32 + 4 * k + i] = scale * Float(packed.load(fromByteOffset: 64 + 32 * k + 4 * lane + i, as: UInt8.self)) + offset
                }
            }
        }
    }
}
