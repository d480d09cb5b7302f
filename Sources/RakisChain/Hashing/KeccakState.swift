/// The 1600-bit state of Keccak: 25 lanes of 64 bits, lane `x + 5y` at column x, row y.
///
/// The lanes are plain stored properties and the round is written out lane by lane, so the
/// permutation runs in registers and the stack without touching the heap.
struct KeccakState {
    var a0, a1, a2, a3, a4: UInt64
    var a5, a6, a7, a8, a9: UInt64
    var a10, a11, a12, a13, a14: UInt64
    var a15, a16, a17, a18, a19: UInt64
    var a20, a21, a22, a23, a24: UInt64

    init() {
        (a0, a1, a2, a3, a4) = (0, 0, 0, 0, 0)
        (a5, a6, a7, a8, a9) = (0, 0, 0, 0, 0)
        (a10, a11, a12, a13, a14) = (0, 0, 0, 0, 0)
        (a15, a16, a17, a18, a19) = (0, 0, 0, 0, 0)
        (a20, a21, a22, a23, a24) = (0, 0, 0, 0, 0)
    }

    /// XORs one 136-byte block (the rate of Keccak-256: 17 lanes) into the state.
    mutating func absorb(_ block: UnsafeRawBufferPointer) {
        a0 ^= block.littleEndianLane(0)
        a1 ^= block.littleEndianLane(1)
        a2 ^= block.littleEndianLane(2)
        a3 ^= block.littleEndianLane(3)
        a4 ^= block.littleEndianLane(4)
        a5 ^= block.littleEndianLane(5)
        a6 ^= block.littleEndianLane(6)
        a7 ^= block.littleEndianLane(7)
        a8 ^= block.littleEndianLane(8)
        a9 ^= block.littleEndianLane(9)
        a10 ^= block.littleEndianLane(10)
        a11 ^= block.littleEndianLane(11)
        a12 ^= block.littleEndianLane(12)
        a13 ^= block.littleEndianLane(13)
        a14 ^= block.littleEndianLane(14)
        a15 ^= block.littleEndianLane(15)
        a16 ^= block.littleEndianLane(16)
    }

    /// The first 32 bytes of the state (lanes 0 to 3, each little-endian): a Keccak-256 digest.
    func digest256() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for lane in [a0, a1, a2, a3] {
            for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: lane >> shift)) }
        }
        return bytes
    }

    /// Keccak-f[1600]: 24 rounds of θ, ρ, π, χ and ι.
    mutating func permute() {
        var a0 = self.a0, a1 = self.a1, a2 = self.a2, a3 = self.a3, a4 = self.a4
        var a5 = self.a5, a6 = self.a6, a7 = self.a7, a8 = self.a8, a9 = self.a9
        var a10 = self.a10, a11 = self.a11, a12 = self.a12, a13 = self.a13, a14 = self.a14
        var a15 = self.a15, a16 = self.a16, a17 = self.a17, a18 = self.a18, a19 = self.a19
        var a20 = self.a20, a21 = self.a21, a22 = self.a22, a23 = self.a23, a24 = self.a24
        for constant in Self.roundConstants {
            // θ: each lane absorbs the parities of two neighbouring columns.
            let c0 = a0 ^ a5 ^ a10 ^ a15 ^ a20
            let c1 = a1 ^ a6 ^ a11 ^ a16 ^ a21
            let c2 = a2 ^ a7 ^ a12 ^ a17 ^ a22
            let c3 = a3 ^ a8 ^ a13 ^ a18 ^ a23
            let c4 = a4 ^ a9 ^ a14 ^ a19 ^ a24
            let d0 = c4 ^ c1.rotatedLeft(1)
            let d1 = c0 ^ c2.rotatedLeft(1)
            let d2 = c1 ^ c3.rotatedLeft(1)
            let d3 = c2 ^ c4.rotatedLeft(1)
            let d4 = c3 ^ c0.rotatedLeft(1)
            // ρ and π: rotate each lane and move it to its new position.
            let b0 = a0 ^ d0
            let b10 = (a1 ^ d1).rotatedLeft(1)
            let b20 = (a2 ^ d2).rotatedLeft(62)
            let b5 = (a3 ^ d3).rotatedLeft(28)
            let b15 = (a4 ^ d4).rotatedLeft(27)
            let b16 = (a5 ^ d0).rotatedLeft(36)
            let b1 = (a6 ^ d1).rotatedLeft(44)
            let b11 = (a7 ^ d2).rotatedLeft(6)
            let b21 = (a8 ^ d3).rotatedLeft(55)
            let b6 = (a9 ^ d4).rotatedLeft(20)
            let b7 = (a10 ^ d0).rotatedLeft(3)
            let b17 = (a11 ^ d1).rotatedLeft(10)
            let b2 = (a12 ^ d2).rotatedLeft(43)
            let b12 = (a13 ^ d3).rotatedLeft(25)
            let b22 = (a14 ^ d4).rotatedLeft(39)
            let b23 = (a15 ^ d0).rotatedLeft(41)
            let b8 = (a16 ^ d1).rotatedLeft(45)
            let b18 = (a17 ^ d2).rotatedLeft(15)
            let b3 = (a18 ^ d3).rotatedLeft(21)
            let b13 = (a19 ^ d4).rotatedLeft(8)
            let b14 = (a20 ^ d0).rotatedLeft(18)
            let b24 = (a21 ^ d1).rotatedLeft(2)
            let b9 = (a22 ^ d2).rotatedLeft(61)
            let b19 = (a23 ^ d3).rotatedLeft(56)
            let b4 = (a24 ^ d4).rotatedLeft(14)
            // χ: the only non-linear step, along each row.
            a0 = b0 ^ (~b1 & b2)
            a1 = b1 ^ (~b2 & b3)
            a2 = b2 ^ (~b3 & b4)
            a3 = b3 ^ (~b4 & b0)
            a4 = b4 ^ (~b0 & b1)
            a5 = b5 ^ (~b6 & b7)
            a6 = b6 ^ (~b7 & b8)
            a7 = b7 ^ (~b8 & b9)
            a8 = b8 ^ (~b9 & b5)
            a9 = b9 ^ (~b5 & b6)
            a10 = b10 ^ (~b11 & b12)
            a11 = b11 ^ (~b12 & b13)
            a12 = b12 ^ (~b13 & b14)
            a13 = b13 ^ (~b14 & b10)
            a14 = b14 ^ (~b10 & b11)
            a15 = b15 ^ (~b16 & b17)
            a16 = b16 ^ (~b17 & b18)
            a17 = b17 ^ (~b18 & b19)
            a18 = b18 ^ (~b19 & b15)
            a19 = b19 ^ (~b15 & b16)
            a20 = b20 ^ (~b21 & b22)
            a21 = b21 ^ (~b22 & b23)
            a22 = b22 ^ (~b23 & b24)
            a23 = b23 ^ (~b24 & b20)
            a24 = b24 ^ (~b20 & b21)
            // ι: breaks the symmetry between rounds.
            a0 ^= constant
        }
        self.a0 = a0; self.a1 = a1; self.a2 = a2; self.a3 = a3; self.a4 = a4
        self.a5 = a5; self.a6 = a6; self.a7 = a7; self.a8 = a8; self.a9 = a9
        self.a10 = a10; self.a11 = a11; self.a12 = a12; self.a13 = a13; self.a14 = a14
        self.a15 = a15; self.a16 = a16; self.a17 = a17; self.a18 = a18; self.a19 = a19
        self.a20 = a20; self.a21 = a21; self.a22 = a22; self.a23 = a23; self.a24 = a24
    }

    private static let roundConstants: [UInt64] = [
        0x0000000000000001,
        0x0000000000008082,
        0x800000000000808A,
        0x8000000080008000,
        0x000000000000808B,
        0x0000000080000001,
        0x8000000080008081,
        0x8000000000008009,
        0x000000000000008A,
        0x0000000000000088,
        0x0000000080008009,
        0x000000008000000A,
        0x000000008000808B,
        0x800000000000008B,
        0x8000000000008089,
        0x8000000000008003,
        0x8000000000008002,
        0x8000000000000080,
        0x000000000000800A,
        0x800000008000000A,
        0x8000000080008081,
        0x8000000000008080,
        0x0000000080000001,
        0x8000000080008008,
    ]
}

private extension UnsafeRawBufferPointer {
    func littleEndianLane(_ index: Int) -> UInt64 {
        UInt64(littleEndian: loadUnaligned(fromByteOffset: 8 * index, as: UInt64.self))
    }
}

private extension UInt64 {
    func rotatedLeft(_ count: UInt64) -> UInt64 {
        (self &<< count) | (self &>> (64 &- count))
    }
}
