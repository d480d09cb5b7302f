import CRakisKernels

/// A Q6_K matrix: super-blocks of 256 weights with a scale d in half precision and a signed
/// 8-bit scale per 16 weights; weight i is w = (d * sc_(i/16)) * q, q in -32...31.
///
/// d * sc is exact in single precision (11 by 8 significant bits). A 32-value activation block
/// meets two weight scales, one per half, so its product is, per block in order,
///     acc = fma((d * sc_lo) * d_a, Float(sum over the first 16), acc)
///     acc = fma((d * sc_hi) * d_a, Float(sum over the last 16), acc)
/// with exact integer sums.
///
/// Packed layout, per group of 8 rows and super-block (2,192 bytes): the 8 d (half), the 16
/// scales sc[i][lane] (128 bytes, signed), then the weights as signed bytes, 256 per 32-value
/// block, laid out as Q8_0's (`Q8_0Matrix`): chunk k of a block holds row j's weight 4k+i at 4j+i.
public struct Q6_KMatrix: PackedMatrix {
    public let rows: Int
    public let columns: Int
    let superBlocks: Int
    let storage: PackedStorage
    static let groupBlockBytes = 2_192
    static let ggufBlockBytes = 210
    static let weightsOffset = 144

    /// Repacks GGUF Q6_K rows (210-byte super-blocks: 128 bytes of low nibbles, 64 bytes of
    /// high bit pairs, 16 signed scales, then d). Within each half of 128 weights, weight
    /// 32t + l takes its low nibble from byte l (t = 0, 2) or l + 32 (t = 1, 3) of the half's
    /// 64 (low nibble for t < 2, high for t >= 2) and its top two bits from bits 2t, 2t+1 of
    /// byte l of the half's 32.
    /// `packed(bytes)` is told, after each group of 8 rows, how many source bytes are done with.
    public init(rows: Int, columns: Int, gguf: UnsafeRawBufferPointer, packed: (Int) -> Void = { _ in }) {
        precondition(columns % 256 == 0 && gguf.count == rows * columns / 256 * Self.ggufBlockBytes)
        self.init(rows: rows, columns: columns, bytesPerBlock: Self.ggufBlockBytes, gguf: gguf, packed: packed) { block, d, scales, weights in
            d = block.loadUnaligned(fromByteOffset: 208, as: UInt16.self)
            for i in 0..<16 { scales[i] = block.load(fromByteOffset: 192 + i, as: Int8.self) }
            for index in 0..<256 { weights[index] = Int8(Self.quant(index, block)) - 32 }
        }
    }

    /// Packs rows of `bytesPerBlock`-byte GGUF super-blocks that `decode` reads into the half
    /// bits of d, the 16 scales and the 256 signed weights of this format.
    init(rows: Int, columns: Int, bytesPerBlock: Int, gguf: UnsafeRawBufferPointer, packed: (Int) -> Void = { _ in },
         decode: (UnsafeRawPointer, inout UInt16, inout [Int8], inout [Int8]) -> Void) {
        precondition(rows % 8 == 0 && columns % 256 == 0 && gguf.count == rows * columns / 256 * bytesPerBlock)
        self.rows = rows
        self.columns = columns
        superBlocks = columns / 256
        storage = PackedStorage(count: rows / 8 * superBlocks * Self.groupBlockBytes)
        let source = gguf.baseAddress!
        var d: UInt16 = 0
        var scales = [Int8](repeating: 0, count: 16)
        var weights = [Int8](repeating: 0, count: 256)
        for group in 0..<rows / 8 {
            for superBlock in 0..<superBlocks {
                let target = storage.bytes + (group * superBlocks + superBlock) * Self.groupBlockBytes
                for lane in 0..<8 {
                    decode(source + ((group * 8 + lane) * superBlocks + superBlock) * bytesPerBlock, &d, &scales, &weights)
                    target.storeBytes(of: d, toByteOffset: 2 * lane, as: UInt16.self)
                    for i in 0..<16 { target.storeBytes(of: scales[i], toByteOffset: 16 + 8 * i + lane, as: Int8.self) }
                    for index in 0..<256 {
                        let (block, position) = index.quotientAndRemainder(dividingBy: 32)
                        let (k, i) = position.quotientAndRemainder(dividingBy: 4)
                        target.storeBytes(of: weights[index], toByteOffset: Self.weightsOffset + 256 * block + 32 * k + 4 * lane + i, as: Int8.self)
                    }
                }
            }
            packed((group + 1) * 8 * superBlocks * bytesPerBlock)
        }
    }

    /// The unsigned 6-bit value of weight `index` (0..<256) of a GGUF Q6_K super-block.
    static func quant(_ index: Int, _ block: UnsafeRawPointer) -> UInt8 {
        let (half, rest) = index.quotientAndRemainder(dividingBy: 128)
        let (quarter, l) = rest.quotientAndRemainder(dividingBy: 32)
        let lowByte = block.load(fromByteOffset: 64 * half + l + (quarter % 2) * 32, as: UInt8.self)
        let low = quarter < 2 ? lowByte & 0x0F : lowByte >> 4
        let high = (block.load(fromByteOffset: 128 + 32 * half + l, as: UInt8.self) >> (2 * quarter)) & 3
        return low | high << 4
    }

    public func multiply(_ activations: QuantizedActivations, groups: Range<Int>,
                         into out: UnsafeMutablePointer<Float>, outStride: Int) {
        precondition(activations.columns == columns)
        guard simdKernelsAvailable else {
            return referenceMultiply(activations, groups: groups, into: out, outStride: outStride)
        }
        rakis_q6_k_matmul(storage.bytes.assumingMemoryBound(to: UInt8.self), superBlocks, groups.lowerBound, groups.upperBound,
                          activations.values, activations.scales, activations.tokens, out, outStride)
    }

    /// d * sc for the 16 weights `half` (0 or 1) of block `sub` of the super-block, for `lane`: exact.
    @inline(__always)
    func scale(_ packed: UnsafeRawPointer, lane: Int, sub: Int, half: Int) -> Float {
        let d = Float(packed.loadUnaligned(fromByteOffset: 2 * lane, as: Float16.self))
        return d * Float(packed.load(fromByteOffset: 16 + 8 * (2 * sub + half) + lane, as: Int8.self))
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
                    let weights = packed + Self.weightsOffset + 256 * sub
                    let a = activations.values + (token * blocks + block) * 32
                    for half in 0..<2 {
                        var sum: Int32 = 0
                        for k in 4 * half..<4 * half + 4 {
                            for i in 0..<4 {
                                sum += Int32(weights.load(fromByteOffset: 32 * k + 4 * lane + i, as: Int8.self)) * Int32(a[4 * k + i])
                            }
                        }
                        acc = acc.addingProduct(scale(packed, lane: lane, sub: sub, half: half) * activations.scales[token * blocks + block], Float(sum))
                    }
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
            let weights = packed + Self.weightsOffset + 256 * sub
            for k in 0..<8 {
                let scale = scale(packed, lane: lane, sub: sub, half: k / 4)
                for i in 0..<4 {
                    out[block * 32 + 4 * k + i] = scale * Float(weights.load(fromByteOffset: 32 * k + 4 * lane + i, as: Int8.self))
                }
            }
        }
    }
}
