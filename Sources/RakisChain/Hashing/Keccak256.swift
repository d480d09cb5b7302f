/// Keccak-256 as Ethereum uses it: the Keccak submission's padding (a 0x01 domain byte), not
/// the 0x06 of the later SHA3-256 standard, so the two give different digests.
public enum Keccak256 {
    /// Bytes absorbed per permutation: 1600 bits of state minus twice the 256-bit output.
    static let rate = 136

    public static func hash(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        if let digest = bytes.withContiguousStorageIfAvailable({ hash(buffer: UnsafeRawBufferPointer($0)) }) {
            return digest
        }
        return Array(bytes).withUnsafeBytes { hash(buffer: $0) }
    }

    static func hash(buffer input: UnsafeRawBufferPointer) -> [UInt8] {
        var state = KeccakState()
        var offset = 0
        while input.count - offset >= rate {
            state.absorb(UnsafeRawBufferPointer(rebasing: input[offset..<offset + rate]))
            state.permute()
            offset += rate
        }
        // The last block is always partial (maybe empty): pad10*1, where the first and the last
        // padding bits share a byte (0x81) when only one byte is left.
        var last = [UInt8](repeating: 0, count: rate)
        let tail = input.count - offset
        for index in 0..<tail { last[index] = input[offset + index] }
        last[tail] ^= 0x01
        last[rate - 1] ^= 0x80
        last.withUnsafeBytes { state.absorb($0) }
        state.permute()
        return state.digest256()
    }
}
