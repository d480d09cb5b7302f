import CSecp256k1
import Secp256k1

/// A node's secp256k1 key on the chain: it pays for transactions and signs fulfilments.
public struct ChainKey: Sendable {
    public enum Error: Swift.Error, Equatable, CustomStringConvertible {
        case invalidSecret

        public var description: String {
            "a chain key is 32 bytes (64 hex digits, optionally after 0x), not zero and below the secp256k1 group order"
        }
    }

    private let secret: [UInt8]
    public let address: EthereumAddress

    public init(secret: [UInt8]) throws(Error) {
        let context = Secp256k1Context.shared.pointer
        guard secret.count == 32, secp256k1_ec_seckey_verify(context, secret) == 1 else { throw .invalidSecret }
        var publicKey = secp256k1_pubkey()
        guard secp256k1_ec_pubkey_create(context, &publicKey, secret) == 1 else { throw .invalidSecret }
        self.secret = secret
        address = EthereumAddress(publicKey: publicKey)
    }

    /// Loads a key from its 64 hex digits, with or without "0x" (wallets export both).
    public init(hex: String) throws(Error) {
        let prefixed = hex.hasPrefix("0x") ? hex : "0x" + hex
        guard let secret = EthereumHex.decode(prefixed) else { throw .invalidSecret }
        try self.init(secret: secret)
    }

    /// A fresh key from the system's secure random source.
    public static func generate() -> ChainKey {
        var generator = SystemRandomNumberGenerator()
        while true {
            let candidate = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            // Fails only for zero or a value above the group order, about 2^-128 of draws.
            if let key = try? ChainKey(secret: candidate) { return key }
        }
    }

    /// The secret as "0x" and 64 hex digits, for the key file.
    public var secretHex: String { EthereumHex.encode(secret) }

    /// Signs a 32-byte digest with a deterministic RFC 6979 nonce. libsecp256k1 always returns
    /// the low-s form, which is the only one Ethereum accepts.
    public func sign(digest: [UInt8]) -> RecoverableSignature {
        precondition(digest.count == 32, "ECDSA signs a 32-byte digest")
        let context = Secp256k1Context.shared.pointer
        var signature = secp256k1_ecdsa_recoverable_signature()
        var compact = [UInt8](repeating: 0, count: 64)
        var recoveryId: Int32 = 0
        // With a verified secret and a 32-byte digest neither call can fail.
        guard secp256k1_ecdsa_sign_recoverable(context, &signature, digest, secret, nil, nil) == 1,
              secp256k1_ecdsa_recoverable_signature_serialize_compact(context, &compact, &recoveryId, &signature) == 1
        else { preconditionFailure("secp256k1_ecdsa_sign_recoverable failed") }
        return RecoverableSignature(r: Array(compact[..<32]), s: Array(compact[32...]), recoveryId: UInt8(recoveryId))
    }
}
