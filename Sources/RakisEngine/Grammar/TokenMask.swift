/// The tokens allowed at one matcher state, stored as whichever is smaller: the sorted list of
/// allowed ids (structural states allow a few dozen tokens) or one bit per token (a free
/// string's body allows most of the vocabulary).
public struct TokenMask: Sendable, Equatable {
    enum Storage: Sendable, Equatable {
        case list([Int32])
        case bits([UInt64])
    }
    let storage: Storage
    public let allowedCount: Int

    /// The mask of `allowed` (a bit per token) over a vocabulary of `size` tokens.
    init(bits: [UInt64], size: Int) {
        let count = bits.reduce(0) { $0 + $1.nonzeroBitCount }
        allowedCount = count
        // A list costs 32 bits a token, the bits one a token.
        if count * 32 < size {
            var list: [Int32] = []
            list.reserveCapacity(count)
            for (word, value) in bits.enumerated() where value != 0 {
                var rest = value
                while rest != 0 {
                    list.append(Int32(word * 64 + rest.trailingZeroBitCount))
                    rest &= rest - 1
                }
            }
            storage = .list(list)
        } else {
            storage = .bits(bits)
        }
    }

    init(list: [Int32]) {
        storage = .list(list.sorted())
        allowedCount = list.count
    }

    public func allows(_ token: Int32) -> Bool {
        switch storage {
        case let .list(list): list.contains(token)
        case let .bits(bits): Self.isSet(bits, Int(token))
        }
    }

    /// The allowed tokens, in increasing order.
    public var tokens: [Int32] {
        switch storage {
        case let .list(list): return list
        case let .bits(bits):
            return (0..<bits.count * 64).filter { Self.isSet(bits, $0) }.map { Int32($0) }
        }
    }

    private static func isSet(_ bits: [UInt64], _ index: Int) -> Bool {
        let word: UInt64 = bits[index >> 6]
        let bit: UInt64 = 1 << UInt64(index & 63)
        return word & bit != 0
    }

    var bytes: Int {
        switch storage {
        case let .list(list): list.count * 4
        case let .bits(bits): bits.count * 8
        }
    }

    /// `logits` with every token the mask refuses at -infinity, which the sampler never picks.
    public func apply(to logits: [Float]) -> [Float] {
        switch storage {
        case let .list(list):
            var masked = [Float](repeating: -.infinity, count: logits.count)
            for token in list { masked[Int(token)] = logits[Int(token)] }
            return masked
        case let .bits(bits):
            var masked = logits
            masked.withUnsafeMutableBufferPointer { values in
                for (word, value) in bits.enumerated() where value != .max {
                    // Only the refused tokens' bits, one at a time.
                    var refused = ~value
                    while refused != 0 {
                        let token = word * 64 + refused.trailingZeroBitCount
                        if token < values.count { values[token] = -.infinity }
                        refused &= refused - 1
                    }
                }
            }
            return masked
        }
    }
}
