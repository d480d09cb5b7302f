/// GPT-2's byte alphabet: each of the 256 byte values is written as one printable character, so
/// that a byte-level vocabulary can be stored as text without spaces or control characters.
///
/// Bytes that are already printable (`!`…`~`, `¡`…`¬`, `®`…`ÿ`) stand for themselves. The other
/// 68 (control characters, space, DEL, NBSP, soft hyphen) take U+0100 onwards, in byte order;
/// this is why a leading space shows up as `Ġ` (U+0120) in the vocabulary.
enum ByteToUnicode {
    /// The character standing for each byte, indexed by the byte.
    static let characters: [Unicode.Scalar] = {
        var nextStandIn: UInt8 = 0
        return (0...255).map { (byte: UInt8) -> Unicode.Scalar in
            if standsForItself(byte) { return Unicode.Scalar(byte) }
            defer { nextStandIn += 1 }
            // The stand-ins run from U+0100 to U+0143: always valid scalars.
            return Unicode.Scalar(0x100 + UInt32(nextStandIn))!
        }
    }()

    /// The byte a character stands for, or nil if the character is not in the alphabet.
    static func byte(for character: Unicode.Scalar) -> UInt8? {
        let value = Int(character.value)
        guard value < bytesByCharacter.count, bytesByCharacter[value] >= 0 else { return nil }
        return UInt8(bytesByCharacter[value])
    }

    /// The inverse table, indexed by scalar value; -1 marks characters outside the alphabet.
    private static let bytesByCharacter: [Int16] = {
        var table = [Int16](repeating: -1, count: 0x144)
        for (byte, character) in characters.enumerated() {
            table[Int(character.value)] = Int16(byte)
        }
        return table
    }()

    private static func standsForItself(_ byte: UInt8) -> Bool {
        (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
    }
}
