/// EIP-191 "personal" messages: what wallets and the oracle's `ecrecover` check sign, so a
/// signature over a message can never double as a transaction signature.
public enum EthereumMessage {
    private static let prefix = Array("\u{19}Ethereum Signed Message:\n32".utf8)

    /// keccak256("\x19Ethereum Signed Message:\n32" ++ message), for a 32-byte message.
    public static func personalHash(_ message32: [UInt8]) -> [UInt8] {
        precondition(message32.count == 32, "the personal-message prefix here is for 32-byte messages")
        return Keccak256.hash(prefix + message32)
    }
}
