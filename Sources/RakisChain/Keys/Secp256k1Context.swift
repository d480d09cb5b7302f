import CSecp256k1

/// This module's libsecp256k1 context (RakisNetwork keeps its own for Nostr; neither module
/// depends on the other). Created once because creation precomputes tables; randomized to blind
/// signing against side channels. After that the library only reads it, so it is shared across
/// threads.
final class ChainSecp256k1Context: @unchecked Sendable {
    static let shared = ChainSecp256k1Context()

    let pointer: OpaquePointer

    private init() {
        guard let context = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE)) else {
            fatalError("libsecp256k1 could not create a context")
        }
        var generator = SystemRandomNumberGenerator()
        let seed = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        // Only a broken library fails to randomize; signing stays correct without blinding.
        _ = secp256k1_context_randomize(context, seed)
        pointer = context
    }
}

extension EthereumAddress {
    /// The address of a public key: the last 20 bytes of the Keccak-256 of its uncompressed
    /// form without the 0x04 tag (x ‖ y).
    init(publicKey: secp256k1_pubkey) {
        var key = publicKey
        var serialized = [UInt8](repeating: 0, count: 65)
        var length = serialized.count
        let status = secp256k1_ec_pubkey_serialize(
            ChainSecp256k1Context.shared.pointer, &serialized, &length, &key, UInt32(SECP256K1_EC_UNCOMPRESSED))
        // Serializing a parsed key into a 65-byte buffer cannot fail.
        precondition(status == 1 && length == 65, "secp256k1_ec_pubkey_serialize failed")
        self.init(bytes: Array(Keccak256.hash(serialized[1...]).suffix(20)))!
    }
}
