import CSecp256k1
import Secp256k1

extension EthereumAddress {
    /// The address of a public key: the last 20 bytes of the Keccak-256 of its uncompressed
    /// form without the 0x04 tag (x ‖ y).
    init(publicKey: secp256k1_pubkey) {
        var key = publicKey
        var serialized = [UInt8](repeating: 0, count: 65)
        var length = serialized.count
        let status = secp256k1_ec_pubkey_serialize(
            Secp256k1Context.shared.pointer, &serialized, &length, &key, UInt32(SECP256K1_EC_UNCOMPRESSED))
        // Serializing a parsed key into a 65-byte buffer cannot fail.
        precondition(status == 1 && length == 65, "secp256k1_ec_pubkey_serialize failed")
        self.init(bytes: Array(Keccak256.hash(serialized[1...]).suffix(20)))!
    }
}
