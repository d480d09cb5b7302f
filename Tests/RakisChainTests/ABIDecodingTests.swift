import RakisChain
import Testing

/// Hostile or broken data must give an error, never a trap or an outsized allocation.
@Suite struct ABIDecodingTests {
    static func word(_ value: UInt64) -> [UInt8] { UInt256(value).bigEndianBytes }

    @Test func truncatedData() throws {
        let encoded = try ABI.encode([.string("hello")], as: [.string])
        for length in [0, 31, 32, 63, 64, 68] {
            #expect(throws: ABIError.self) { try ABI.decode([.string], from: Array(encoded.prefix(length))) }
        }
        #expect(throws: ABIError.outOfBounds(offset: 64)) { try ABI.decode([.uint(bits: 256), .bool], from: Self.word(1)) }
    }

    @Test func offsetsAndLengthsBeyondTheData() {
        #expect(throws: ABIError.invalidOffset) { try ABI.decode([.string], from: Self.word(0x1000)) }
        #expect(throws: ABIError.invalidOffset) { try ABI.decode([.string], from: [UInt8](repeating: 0xff, count: 32)) }
        #expect(throws: ABIError.invalidOffset) { try ABI.decode([.bytes], from: Self.word(32) + Self.word(33)) }
        // A billion-element array in 96 bytes: refused before anything is allocated.
        #expect(throws: ABIError.invalidOffset) {
            try ABI.decode([.array(.uint(bits: 256))], from: Self.word(32) + Self.word(1_000_000_000) + Self.word(0))
        }
    }

    @Test func typesThatDoNotExist() {
        #expect(throws: ABIError.malformedType("bytes33")) { try ABI.decode([.fixedBytes(33)], from: Self.word(0)) }
        #expect(throws: ABIError.malformedType("uint0[]")) { try ABI.decode([.array(.uint(bits: 0))], from: Self.word(0)) }
    }

    @Test func valuesTheEncoderCannotProduce() {
        #expect(throws: ABIError.invalidValue(type: "bool", offset: 0)) { try ABI.decode([.bool], from: Self.word(2)) }
        #expect(throws: ABIError.invalidValue(type: "uint8", offset: 0)) { try ABI.decode([.uint(bits: 8)], from: Self.word(256)) }
        #expect(throws: ABIError.invalidValue(type: "address", offset: 0)) {
            try ABI.decode([.address], from: [1] + [UInt8](repeating: 0, count: 31))
        }
        #expect(throws: ABIError.invalidValue(type: "bytes4", offset: 0)) {
            try ABI.decode([.fixedBytes(4)], from: [1, 2, 3, 4, 5] + [UInt8](repeating: 0, count: 27))
        }
        let invalidUTF8 = Self.word(32) + Self.word(2) + [0xc3, 0x28] + [UInt8](repeating: 0, count: 30)
        #expect(throws: ABIError.invalidUTF8(offset: 32)) { try ABI.decode([.string], from: invalidUTF8) }
    }

    /// Every element of a long array points at the same nested array: the decoded value would be
    /// far larger than the data.
    @Test func aliasedOffsets() {
        let count: UInt64 = 200
        var data = Self.word(32) + Self.word(count)
        let shared = Self.word(count * 32)
        for _ in 0..<count { data += shared }
        data += Self.word(count)
        for _ in 0..<count { data += Self.word(0) }
        #expect(throws: ABIError.overlappingData) { try ABI.decode([.array(.array(.uint(bits: 256)))], from: data) }
    }

    @Test func randomGarbageNeverTraps() {
        var generator = SystemRandomNumberGenerator()
        let types: [ABIType] = ABITests.fulfilTypes + [.array(.string), .fixedArray(.bytes, 2)]
        for _ in 0..<500 {
            let length = Int.random(in: 0...400, using: &generator)
            // Small words make plausible offsets and lengths, so decoding goes deep before failing.
            let data = (0..<length).map { index in
                index % 32 == 31 ? UInt8.random(in: 0...0xc0, using: &generator) : (Bool.random(using: &generator) ? 0 : UInt8.random(in: 0...255, using: &generator))
            }
            _ = try? ABI.decode(types, from: data)
        }
    }
}
