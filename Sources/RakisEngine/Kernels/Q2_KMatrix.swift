import CRakisKernels

/// A Q2_K matrix: super-blocks of 256 weights, each of 16 sub-blocks of 16 with a 4-bit scale
/// and a 4-bit minimum; per super-block a scale d and a minimum scale dmin in half precision.
/// Weight i of sub-block s is w = (d * sc_s) * q - (dmin * m_s), q in 0...3.
///
/// Both products d * sc and dmin * m are exact in single precision (11 by 4 significant bits).
/// A Q8 activation block of 32 meets two sub-blocks; each half h of it adds, in order,
///     acc = fma((d * sc) * d_a, Float(sum q_w * q_a), acc)
///     acc = fma(-((dmin * m) * d_a), Float(sum q_a), acc)
/// where both integer sums run over the half's 16 values and are exact. (The minimum needs the
/// half's own activation sum: the block's `scaledSums` covers 32 values, two minimums.)
///
/// Packed layout, per group of 8 rows and super-block (800 bytes): the 8 d (half), the 8 dmin
/// (half), the sub-block scales sc[s][lane] (128 bytes) and minimums m[s][lane] (128 bytes),
/// then per block of 32 two halves of 32 bytes: byte 4 lane + i of half h holds weights
/// 16h + 4j + i of that lane's row at bits 2j...2j+1, j = 0...3.
public struct Q2_KMatrix: PackedMatrix {
    public let rows: Int
    public let columns: Int
    let superBlocks: Int
    let storage: PackedStorage
    static let groupBlockBytes = 800
    static let ggufBlockBytes = 84
    static let quantsOffset = 288

    /// Repacks GGUF Q2_K rows (84-byte super-blocks: 16 bytes of scales, sub-block s's scale in
    /// the low nibble of byte s and its minimum in the high; 64 bytes of bit pairs; then d and
    /// dmin). Within each half n of 128 weights, weight 128n + 32j + l has its bits at 2j of byte
    /// 32n + l of the 64.
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
                    (target + 2 * lane).copyMemory(from: input + 80, byteCount: 2)
                    (target + 16 + 2 * lane).copyMemory(from: input + 82, byteCount: 2)
                    for sub in 0..<16 {
                        let byte = input.load(fromByteOffset: sub, as: UInt8.self)
                        target.storeBytes(of: byte & 0x0F, toByteOffset: 32 + 8 * sub + lane, as: UInt8.self)
                        target.storeBytes(of: byte >> 4, toByteOffset: 160 + 8 * sub + lane, as: UInt8.self)
                    }
                    func weight(_ index: Int) -> UInt8 {
                        let (half, rest) = index.quotientAndRemainder(dividingBy: 128)
                        let (j, l) = rest.quotientAndRemainder(dividingBy: 32)
                        return input.load(fromByteOffset: 16 + 32 * half + l, as: UInt8.self) >> (2 * j) & 3
                    }
                    for block in 0..<8 {
                        for half in 0..<2 {
                            let quants = target + Self.quantsOffset + 64 * block + 32 * half
                            for i in 0..<4 {
                                var byte: UInt8 = 0
                                for j in 0..<4 { byte |= weight(32 * block + 16 * half + 4 * j + i) << (2 * j) }
                                quants.storeBytes(of: byte, toByteOffset: 4 * lane + i, as: UInt8.self)
                            }
                        }
                    }
                }
            }
            packed((group + 1) * 8 * superBlocks * Self.ggufBlockBytes)
        }
    }

    public func multiply(_ activations: QuantizedActivations, groups: Range<Int>,
                         into out: UnsafeMutablePointer<Float>, outStride: Int) {
        precondition(activations.columns == columns)
        guard simdKernelsAvailable else {
            return referenceMultiply(activations, groups: groups, into: out, outStride: outStride)
        }
        rakis_q2_k_matmul(storage.bytes.assumingMemoryBound(to: UInt8.self), superBlocks, groups.lowerBound, groups.upperBound,
                          activations.values, activations.scales, activations.tokens, out, outStride)
    }

    /// Sub-block `sub`'s scale d * sc and minimum dmin * m for `lane`, both exact.
    @inline(__always)
    func subBlockScale(_ packed: UnsafeRawPointer, lane: Int, sub: Int) -> (scale: Float, minimum: Float) {
        let d = Float(packed.loadUnaligned(fromByteOffset: 2 * lane, as: Float16.self))
        let dmin = Float(packed.loadUnaligned(fromByteOffset: 16 + 2 * lane, as: Float16.self))
        let sc = Float(packed.load(fromByteOffset: 32 + 8 * sub + lane, as: UInt8.self))
        let m = Float(packed.load(fromByteOffset: 160 + 8 * sub + lane, as: UInt8.self))
        return (d * sc, dmin * m)
    }

    /// Weight 16 half + 4 j + i of block `block` for `lane`.
    @inline(__always)
    func weight(_ packed: UnsafeRawPointer, lane: Int, block: Int, half: Int, j: Int, i: Int) -> UInt8 {
        packed.load(fromByteOffset: Self.quantsOffset + 64 * block + 32 * half + 4 * lane + i, as: UInt8.self) >> (2 * j) & 3
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
                    let (superBlock, inSuper) = block.quotientAndRemainder(dividingBy: 8)
                    let packed = UnsafeRawPointer(storage.bytes + (group * superBlocks + superBlock) * Self.groupBlockBytes)
                    let a = activations.values + (token * blocks + block) * 32
                    let activationScale = activations.scales[token * blocks + block]
                    for half in 0..<2 {
                        var sum: Int32 = 0, activationSum: Int32 = 0
                        for j in 0..<4 {
                            for i in 0..<4 {
                                let value = Int32(a[16 * half + 4 * j + i])
                                sum += Int32(weight(packed, lane: lane, block: inSuper, half: half, j: j, i: i)) * value
                                activationSum += value
                            }
                        }
                        let (scale, minimum) = subBlockScale(packed, lane: lane, sub: 2 * inSuper + half)
                        acc = acc.addingProduct(scale * activationScale, Float(sum))
                        acc = acc.addingProduct(-(minimum * activationScale), Float(activationSum))
                    }
                }
                out[token * outStride + row] = acc
            }
        }
    }

    public func dequantizeRow(_ row: Int, into out: UnsafeMutablePointer<Float>) {
        let (group, lane) = row.quotientAndRemainder(dividingBy: 8)
        for block in 0..<columns / 32 {
            let (superBlock, inSuper) = block.quotientAndRemainder(dividingBy: 8)
            let packed = UnsafeRawPointer(storage.bytes + (group * superBlocks + superBlock) * Self.groupBlockBytes)
            for half in 0..<2 {
                let (scale, minimum) = subBlockScale(packed, lane: lane, sub: 2 * inSuper + half)
                for j in 0..<4 {
                    for i in 0..<4 {
                        let q = weight(packed, lane: lane, block: inSuper, half: half, j: j, i: i)
                        out[block * 32 + 16 * half + 4 * j + i] = scale * Float(q) - minimum
                    }
                }
            }
        }
    }
}
