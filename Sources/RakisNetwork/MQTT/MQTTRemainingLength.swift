/// The fixed header's "remaining length": 7 bits per byte, least significant group first, the
/// high bit saying another byte follows; at most four bytes (spec section 2.2.3).
public enum MQTTRemainingLength {
    /// The largest length four bytes can carry.
    public static let maximum = 268_435_455

    /// The encoding of `value`, which must lie in `0...maximum`.
    public static func encode(_ value: Int) -> [UInt8] {
        precondition((0...maximum).contains(value), "remaining length \(value) out of range")
        var bytes: [UInt8] = []
        var rest = value
        repeat {
            var byte = UInt8(rest & 0x7F)
            rest >>= 7
            if rest > 0 { byte |= 0x80 }
            bytes.append(byte)
        } while rest > 0
        return bytes
    }

    /// Decodes a remaining length from the start of `bytes` (the bytes after the first header
    /// byte). Returns the value and how many bytes it took, or nil when `bytes` ends before the
    /// field does (more must arrive). Throws once a fifth byte would be needed, without waiting
    /// for it: a peer cannot make us buffer a length that is already known to be malformed.
    public static func decode<Bytes: Collection<UInt8>>(
        _ bytes: Bytes
    ) throws(MQTTDecodingError) -> (value: Int, byteCount: Int)? {
        var value = 0
        var count = 0
        for byte in bytes {
            value |= Int(byte & 0x7F) << (7 * count)
            count += 1
            if byte & 0x80 == 0 { return (value, count) }
            if count == 4 { throw .remainingLengthTooLong }
        }
        return nil
    }
}
