import RakisChain
import Testing

@Suite struct UInt256Tests {
    static let maxDecimal = "115792089237316195423570985008687907853269984665640564039457584007913129639935"

    @Test func decimalRoundTrip() {
        #expect(UInt256.max.description == Self.maxDecimal)
        #expect(UInt256(Self.maxDecimal) == .max)
        #expect(UInt256.zero.description == "0")
        #expect(UInt256("1000000000000000000")?.description == "1000000000000000000")
        #expect(UInt256("10000000000000000000000000000000000000001")?.description == "10000000000000000000000000000000000000001")
    }

    @Test func decimalRejectsOverflowAndJunk() {
        #expect(UInt256("115792089237316195423570985008687907853269984665640564039457584007913129639936") == nil)
        #expect(UInt256("") == nil)
        #expect(UInt256("-1") == nil)
        #expect(UInt256("1_000") == nil)
        #expect(UInt256("0x10") == nil)
    }

    @Test func hexQuantities() {
        #expect(UInt256.zero.hexQuantity == "0x0")
        #expect(UInt256(1024).hexQuantity == "0x400")
        #expect(UInt256(hexQuantity: "0x0") == .zero)
        #expect(UInt256(hexQuantity: "0xDE0B6B3A7640000") == UInt256("1000000000000000000"))
        #expect(UInt256(hexQuantity: "0x" + String(repeating: "f", count: 64)) == .max)
        #expect(UInt256(hexQuantity: "0x") == nil)
        #expect(UInt256(hexQuantity: "400") == nil)
        #expect(UInt256(hexQuantity: "0x1g") == nil)
        #expect(UInt256(hexQuantity: "0x1" + String(repeating: "0", count: 64)) == nil)
    }

    @Test func bytes() {
        let value = UInt256(0x0102)
        #expect(value.bigEndianBytes == [UInt8](repeating: 0, count: 30) + [1, 2])
        #expect(value.minimalBigEndianBytes == [1, 2])
        #expect(UInt256.zero.minimalBigEndianBytes == [])
        #expect(UInt256(bigEndian: [0, 0, 1, 2]) == value)
        #expect(UInt256(bigEndian: [UInt8](repeating: 1, count: 33)) == nil)
        #expect(UInt256(bigEndian: [0] + [UInt8](repeating: 0xff, count: 32)) == .max)
        #expect(value.significantBitCount == 9)
        #expect(UInt256.max.significantBitCount == 256)
        #expect(value.exactUInt64 == 0x0102)
        #expect(UInt256.max.exactUInt64 == nil)
    }

    @Test func arithmetic() {
        let ether = UInt256("1000000000000000000")!
        #expect((ether * ether).description == "1000000000000000000000000000000000000")
        let limb = UInt256(UInt64.max)
        #expect((limb * limb).description == "340282366920938463426481119284349108225")
        #expect((limb + 1).description == "18446744073709551616")
        #expect((limb + 1 - 1) == limb)
        let wrappedUp = UInt256.max.addingReportingOverflow(1)
        #expect(wrappedUp.partialValue == .zero && wrappedUp.overflow)
        let wrappedDown = UInt256.zero.subtractingReportingOverflow(1)
        #expect(wrappedDown.partialValue == .max && wrappedDown.overflow)
        #expect(UInt256.max.multipliedReportingOverflow(by: 2).overflow)
        #expect(UInt256(3) < UInt256(bigEndian: [1] + [UInt8](repeating: 0, count: 8))!)
    }

    /// Quotients checked against Python's integers, including divisors above 2^255, where the
    /// running remainder's doubling overflows.
    @Test func division() {
        let ether = UInt256("1000000000000000000")!
        #expect(ether * ether / ether == ether)
        #expect((UInt256.max / 3).description == "38597363079105398474523661669562635951089994888546854679819194669304376546645")
        #expect((UInt256("12345678901234567890123456789")! / 987_654_321).description == "12499999887343749990")
        let aboveHalf = UInt256("57896044618658097711785492504343953926634992332820282019728792003956564819969")!  // 2^255 + 1
        #expect(UInt256.max / aboveHalf == 1)
        #expect(UInt256.max / UInt256.max == 1)
        #expect(UInt256(7) / 8 == .zero)
        #expect((UInt256.max / (UInt256("1606938044258990275541962092341162602522202993782792835301376")! + 12345)).description == "72057594037927935")
    }
}
