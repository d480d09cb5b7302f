extension Q6_KMatrix {
    /// A Q3_K matrix, computed as Q6_K: its weights w = (d * (sc - 32)) * q, with a 6-bit sc per
    /// 16 weights and q in -4...3, are exactly Q6_K weights with scales sc - 32 (the product's
    /// arithmetic is Q6_K's too). GGUF Q3_K super-blocks are 110 bytes: 32 bytes of high bits,
    /// 64 of bit pairs, 12 of packed scales, then d. Within each half of 128 weights, weight
    /// 32j + l has its two low bits at bits 2j, 2j+1 of byte l of the half's 32, and is reduced by
    /// 4 unless bit 4h + j of high-bit byte l is set.
    public init(rows: Int, columns: Int, q3_K gguf: UnsafeRawBufferPointer) {
        self.init(rows: rows, columns: columns, bytesPerBlock: 110, gguf: gguf) { block, d, scales, weights in
            d = block.loadUnaligned(fromByteOffset: 108, as: UInt16.self)
            for i in 0..<16 { scales[i] = Int8(Self.q3_KScale(i, block + 96)) - 32 }
            for index in 0..<256 {
                let (half, rest) = index.quotientAndRemainder(dividingBy: 128)
                let (j, l) = rest.quotientAndRemainder(dividingBy: 32)
                let pair = (block.load(fromByteOffset: 32 + 32 * half + l, as: UInt8.self) >> (2 * j)) & 3
                let high = block.load(fromByteOffset: l, as: UInt8.self) >> (4 * half + j) & 1
                weights[index] = Int8(pair) - (high == 1 ? 0 : 4)
            }
        }
    }

    /// Scale `i` (0..<16, 6 bits) of Q3_K's 12 packed bytes: the low nibbles of bytes 0...7 give
    /// scales 0...7's low four bits, their high nibbles scales 8...15's; bytes 8...11 hold the
    /// top two bits, scale i's at bits 2(i / 4) of byte 8 + i % 4.
    static func q3_KScale(_ i: Int, _ bytes: UnsafeRawPointer) -> UInt8 {
        let low = bytes.load(fromByteOffset: i % 8, as: UInt8.self) >> (i < 8 ? 0 : 4) & 0x0F
        let high = bytes.load(fromByteOffset: 8 + i % 4, as: UInt8.self) >> (2 * (i / 4)) & 3
        return low | high << 4
    }
}
