/// An `open` network's admission ticket: a nonce such that
/// SHA-256("rakis/ticket" || network || 0x00 || nodeId || nonce as 8 big-endian bytes) starts with
/// at least `difficulty` zero bits. Minting one takes about 2^difficulty hashes; checking it, one.
/// It is bound to the node id and the network, so it can be neither moved nor reused elsewhere.
public struct AdmissionTicket: Sendable, Hashable {
    public let nonce: UInt64

    public init(nonce: UInt64) {
        self.nonce = nonce
    }

    private static let domain = Array("rakis/ticket".utf8)

    public static func digest(node: NodeID, network: String, nonce: UInt64) -> Hash256 {
        var bytes = domain + Array(network.utf8) + [0] + node.publicKeyBytes
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: nonce >> UInt64(shift))) }
        return Hash256.of(bytes)
    }

    public func isValid(for node: NodeID, network: String, difficulty: Int) -> Bool {
        Self.digest(node: node, network: network, nonce: nonce).leadingZeroBitCount >= difficulty
    }

    /// The smallest nonce from `start` on that makes a valid ticket. `progress` sees every
    /// 2^20th nonce tried, for a caller that shows progress or gives up.
    public static func mint(for node: NodeID, network: String, difficulty: Int, start: UInt64 = 0,
                            progress: (UInt64) -> Bool = { _ in true }) -> AdmissionTicket? {
        var nonce = start
        while true {
            if digest(node: node, network: network, nonce: nonce).leadingZeroBitCount >= difficulty {
                return AdmissionTicket(nonce: nonce)
            }
            if nonce & 0xFFFFF == 0, !progress(nonce) { return nil }
            guard nonce < .max else { return nil }
            nonce += 1
        }
    }

    /// The JSON form: 16 lowercase hex digits.
    public var hex: String {
        Hex.encode((0..<8).map { UInt8(truncatingIfNeeded: nonce >> UInt64(56 - 8 * $0)) })
    }

    public init?(hex: String) {
        guard let bytes = Hex.decode(hex), bytes.count == 8 else { return nil }
        nonce = bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }
}

extension Hash256 {
    /// Zero bits before the first one, reading the digest big-endian.
    public var leadingZeroBitCount: Int {
        for (index, word) in [words.0, words.1, words.2, words.3].enumerated() where word != 0 {
            return 64 * index + word.leadingZeroBitCount
        }
        return 256
    }
}
