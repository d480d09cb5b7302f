import CRakisKernels

/// A Q4_K matrix: super-blocks of 256 weights, each of 8 sub-blocks of 32 with a 6-bit scale
/// and a 6-bit minimum; per super-block a scale d and a minimum scale dmin in half precision.
/// Weight i of sub-block s is w = (d * sc_s) * q - (dmin * m_s), q in 0...15.
///
/// Both products d * sc and dmin * m are exact in single precision (11 by 6 significant bits),
/// so a sub-block multiplies with a Q8 activation block like a Q4_1 block whose scale and
/// minimum are those floats:
///     acc = fma((d * sc) * d_a, Float(sum q_w * q_a), acc);  acc = fma(-(dmin * m), s_a, acc)
/// in block order, where the integer sum is exact.
///
/// Packed layout, per group of 8 rows and super-block (1,184 bytes): the 8 d (half), the 8 dmin
/// (half), then the sub-block scales sc[s][lane] (64 bytes) and minimums m[s][lane] (64 bytes),
/// then the 8 sub-blocks' nibbles, 128 bytes each, laid out as Q4_1's (`Q4_1Matrix`).
public struct Q4_KMatrix: PackedMatrix {
    public let rows: Int
    public let columns: Int
    let superBlocks: Int
    let storage: PackedStorage
    static let groupBlockBytes = 1_184
    static let ggufBlockBytes = 144
    static let nibblesOffset = 160

    /// Repacks GGUF Q4_K rows (144-byte super-blocks: d, dmin, 12 bytes of packed 6-bit scales
    /// and minimums, then 128 bytes: in each 32-byte chunk c, the low nibbles are sub-block 2c
    /// and the high nibbles sub-block 2c + 1).
    /// `packed(bytes)` is told, after each group of 8 rows, how many source bytes are done with.
    public init(rows: Int, columns: Int, gguf: UnsafeRawBufferPointer, packed: (Int) -> Void = { _ in }) {
        precondition(rows % 8 == 0 && columns % 256 == 0 && gguf.count == rows * columns / 256 * Self.ggufBlockBytes)
        self.rows = rows
        self.columns = columns
        superBlocks = columns / 256
        storage = PackedStorage(count: rows / 8 * superBlocks * Self.groupBlockBytes)
        let source = gguf.baseAddress!
        for group in 0..<rows / 8 {
            for superBlock in 0..<superBlocks {
                let target = storage.bytes + (group * superBlocks + superBlock) * Self.groupBlockBytes
                for lane in 0..<8 {
                    let input = source + ((group * 8 + lane) * superBlocks + superBlock) * Self.ggufBlockBytes
                    (target + 2 * lane).copyMemory(from: input, byteCount: 2)
                    (target + 16 + 2 * lane).copyMemory(from: input + 2, byteCount: 2)
                    let packedScales = input + 4
                    let quants = input + 16
                    for sub in 0..<8 {
                        let (scale, minimum) = Self.scaleAndMinimum(sub, packedScales)
                        target.storeBytes(of: scale, toByteOffset: 32 + 8 * sub + lane, as: UInt8.self)
                        target.storeBytes(of: minimum, toByteOffset: 96 + 8 * sub + lane, as: UInt8.self)
                        let chunk = quants + 32 * (sub / 2)
                        func weight(_ i: Int) -> UInt8 {
                            let byte = chunk.load(fromByteOffset: i, as: UInt8.self)
                            return sub % 2 == 0 ? byte & 0x0F : byte >> 4
                        }
                        let nibbles = target + Self.nibblesOffset + 128 * sub
                        for k in 0..<4 {
                            for i in 0..<4 {
                                nibbles.storeBytes(of: weight(8 * k + i) | weight(8 * k + 4 + i) << 4, toByteOffset: 32 * k + 4 * lane + i, as: UInt8.self)
                            }
                        }
                    }
                }
            }
            packed((group + 1) * 8 * superBlocks * Self.ggufBlockBytes)
        }
    }

    /// Sub-block `sub`'s 6-bit scale and minimum from the 12 packed bytes (ggml's
    /// get_scale_min_k4): sub-blocks 0...3 in the low 6 bits of bytes 0...3 and 4...7; 4...7 in
    /// the nibbles of bytes 8...11, with their top two bits in the top bits of bytes 0...7.
    static func scaleAndMinimum(_ sub: Int, _ bytes: UnsafeRawPointer) -> (scale: UInt8, minimum: UInt8) {
        func byte(_ i: Int) -> UInt8 { bytes.load(fromByteOffset: i, as: UInt8.self) }
        if sub < 4 { return (byte(sub) & 63, byte(sub + 4) & 63) }
        return ((byte(sub + 4) & 0x0F) | (byte(sub - 4) >> 6) << 4, (byte(sub + 4) >> 4) | (byte(sub) >> 6) << 4)
    }

    public func multiply(_ activations: QuantizedActivations, groups: Range<Int>,
                         into out: UnsafeMutablePointer<Float>, outStride: Int) {
        precondition(activations.columns == columns)
        guard simdKernelsAvailable else {
            return referenceMultiply(activations, groups: groups, into: out, outStride: outStride)
        }
        rakis_q4_k_matmul(storage.bytes.assumingMemoryBound(to: UInt8.self), superBlocks, groups.lowerBound, groups.upperBound,
                          activations.values, activations.scales, activations.scaledSums, activations.tokens, out, outStride)
    }

    /// The sub-block's scale d * sc and minimum dmin * m for `lane`, both exact.
    @inline(__always)
    func subBlockScale(_ packed: UnsafeRawPointer, lane: Int, sub: Int) -> (scale: Float, minimum: Float) {
        let d = Float(packed.loadUnaligned(fromByteOffset: 2 * lane, as: Float16.self))
        let dmin = Float(packed.loadUnaligned(fromByteOffset: 16 + 2 * lane, as: Float16.self))
        let sc = Float(packed.load(fromByteOffset: 32 + 8 * sub + lane, as: UInt8.self))
        let m = Float(packed.load(fromByteOffset: 96 + 8 * sub + lane, as: UInt8.self))
        return (d * sc, dmin * m)
    }

    public func referenceMultiply(_ activations: QuantizedActivations, groups: Range<Int>,
                                  into out: UnsafeMutablePointer<Float>, outStride: Int) {
        precondition(activations.columns == columns)
        let blocks = columns / 32
        for token in 0..<activations.tokens {
            for row in groups.lowerBound * 8..<groups.upperBound * 8 {
                let (group, lane) = row.quotientAndRemainder(dividingBy: 8)
                var acc: Float = 0
                for block in 0..<blocks {
                    let (superBlock, sub) = block.quotientAndRemainder(dividingBy: 8)
                    let packed = UnsafeRawPointer(storage.bytes + (group * superBlocks + superBlock) * Self.groupBlockBytes)
                    let nibbles = packed + Self.nibblesOffset + 128 * sub
                    let a = activations.values + (token * blocks + block) * 32
                    var sum: Int32 = 0
                    for k in 0..<4 {
                        for i in 0..<4 {
                            let byte = nibbles.load(fromByteOffset: 32 * k + 4 * lane + i, as: UInt8.self)
                            sum += Int32(byte & 0x0F) * Int32(a[8 * k + i]) + Int32(byte >> 4) * Int32(a[8 * k + 4 + i])
                        }
                    }
                    let (scale, minimum) = subBlockScale(packed, lane: lane, sub: sub)
                    acc = acc.addingProduct(scale * activations.scales[token * blocks + block], Float(sum))
                    acc = acc.addingProduct(-minimum, activations.scaledSums[token * blocks + block])
                }
                out[token * outStride + row] = acc
            }
        }
    }

    public func dequantizeRow(_ row: Int, into out: UnsafeMutablePointer<Float>) {
        let (group, lane) = row.quotientAndRemainder(dividingBy: 8)
        for block in 0..<columns / 32 {
            let (superBlock, sub) = block.quotientAndRemainder(dividingBy: 8)
            let packed = UnsafeRawPointer(storage.bytes + (group * superBlocks + superBlock) * Self.groupBlockBytes)
            let nibbles = packed + Self.nibblesOffset + 128 * sub
            let (scale, minimum) = subBlockScale(packed, lane: lane, sub: sub)
            for k in 0..<4 {
                for i in 0..<4 {
                    let byte = nibbles.load(fromByteOffset: 32 * k + 4 * lane + i, as: UInt8.self)
                    out[block * 32 + 8 * k + i] = scale * Float(byte & 0x0F) - minimum
                    out[block * 32 + 8 * k + 4 + i] = scale * Float(byte >> 4) - minimum
                }
            }
        }
    }
}
