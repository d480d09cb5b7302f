/// GGUF block formats the engine computes with through another format's kernel, rewritten
/// exactly into that format's GGUF blocks before packing:
/// - Q4_0 (w = d * (q - 8)) as Q4_1 (w = d * q + m) with m = -8d, exact in half precision;
/// - Q5_0 (w = d * (q - 16), 5-bit q) as Q8_0 (w = d * q, 8-bit q) with q - 16.
/// Each weight keeps its value; only the product's arithmetic follows the target format's.
enum BlockTranscoding {
    struct ScaleOverflow: Error {
        let block: Int
    }

    /// Q4_1 blocks (20 bytes) from Q4_0 blocks (18 bytes: d, then 16 bytes of nibbles).
    static func q4_1(fromQ4_0 source: UnsafeRawBufferPointer) throws(ScaleOverflow) -> [UInt8] {
        precondition(source.count % 18 == 0)
        var blocks = [UInt8](repeating: 0, count: source.count / 18 * 20)
        for block in 0..<source.count / 18 {
            let input = source.baseAddress! + 18 * block
            let d = input.loadUnaligned(as: Float16.self)
            let minimum = Float16(-8 * Float(d))
            guard minimum.isFinite || !d.isFinite else { throw ScaleOverflow(block: block) }
            withUnsafeBytes(of: d.bitPattern.littleEndian) { blocks.replaceSubrange(20 * block..<20 * block + 2, with: $0) }
            withUnsafeBytes(of: minimum.bitPattern.littleEndian) { blocks.replaceSubrange(20 * block + 2..<20 * block + 4, with: $0) }
            blocks.replaceSubrange(20 * block + 4..<20 * block + 20, with: UnsafeRawBufferPointer(start: input + 2, count: 16))
        }
        return blocks
    }

    /// Q8_0 blocks (34 bytes) from Q5_0 blocks (22 bytes: d, 32 high bits, 16 bytes of nibbles;
    /// weight j < 16 in the low nibble of byte j, weight j + 16 in its high nibble, the fifth bit
    /// of weight j in bit j of the high bits).
    static func q8_0(fromQ5_0 source: UnsafeRawBufferPointer) -> [UInt8] {
        precondition(source.count % 22 == 0)
        var blocks = [UInt8](repeating: 0, count: source.count / 22 * 34)
        for block in 0..<source.count / 22 {
            let input = source.baseAddress! + 22 * block
            let highBits = UInt32(littleEndian: input.loadUnaligned(fromByteOffset: 2, as: UInt32.self))
            blocks[34 * block] = input.load(as: UInt8.self)
            blocks[34 * block + 1] = input.load(fromByteOffset: 1, as: UInt8.self)
            for j in 0..<32 {
                let byte = input.load(fromByteOffset: 6 + j % 16, as: UInt8.self)
                let low = j < 16 ? byte & 0x0F : byte >> 4
                let q = Int8(low | UInt8((highBits >> j) & 1) << 4) - 16
                blocks[34 * block + 2 + j] = UInt8(bitPattern: q)
            }
        }
        return blocks
    }
}
