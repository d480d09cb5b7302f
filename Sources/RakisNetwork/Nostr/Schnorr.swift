import CSecp256k1
import RakisCore
import Secp256k1

/// BIP-340 Schnorr signatures over secp256k1, as Nostr uses them.
public enum Schnorr {
    /// Whether `signature` (64 bytes) over the 32-byte `message` verifies under the x-only
    /// public key `publicKey` (32 bytes). Any malformed input is simply not a valid signature.
    public static func verify(signature: [UInt8], message: [UInt8], publicKey: [UInt8]) -> Bool {
        guard signature.count == 64, message.count == 32, publicKey.count == 32 else { return false }
        let context = Secp256k1Context.shared.pointer
        var key = secp256k1_xonly_pubkey()
        guard secp256k1_xonly_pubkey_parse(context, &key, publicKey) == 1 else { return false }
        return secp256k1_schnorrsig_verify(context, signature, message, message.count, &key) == 1
    }
}

/// A secp256k1 key pair for signing Nostr events.
public struct NostrKey: Sendable {
    public enum Error: Swift.Error, Equatable, CustomStringConvertible {
        case invalidSecret

        public var description: String {
            "a Nostr secret key must be 32 bytes, not zero and below the secp256k1 group order"
        }
    }

    /// libsecp256k1's opaque key pair (secret key and its public point), so signing does not
    /// recompute the public key every time.
    private let keypair: secp256k1_keypair
    /// The BIP-340 x-only public key: the x coordinate of the public point, 32 bytes.
    public let publicKey: [UInt8]

    /// The key pair for a 32-byte secret; throws unless the secret is a valid secp256k1 scalar.
    public init(secret: [UInt8]) throws(Error) {
        guard secret.count == 32 else { throw .invalidSecret }
        let context = Secp256k1Context.shared.pointer
        var keypair = secp256k1_keypair()
        guard secp256k1_keypair_create(context, &keypair, secret) == 1 else { throw .invalidSecret }
        var xOnly = secp256k1_xonly_pubkey()
        var serialized = [UInt8](repeating: 0, count: 32)
        // Both calls only fail on invalid arguments, which a created key pair rules out.
        guard secp256k1_keypair_xonly_pub(context, &xOnly, nil, &keypair) == 1,
              secp256k1_xonly_pubkey_serialize(context, &serialized, &xOnly) == 1
        else { throw .invalidSecret }
        self.keypair = keypair
        publicKey = serialized
    }

    /// Whether 32 bytes are usable as a secret key (non-zero and below the group order).
    public static func isValidSecret(_ secret: [UInt8]) -> Bool {
        secret.count == 32 && secp256k1_ec_seckey_verify(Secp256k1Context.shared.pointer, secret) == 1
    }

    public var publicKeyHex: String { Hex.encode(publicKey) }

    /// Signs a 32-byte message with fresh auxiliary randomness, as BIP-340 recommends.
    public func sign(_ message: [UInt8]) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        let aux = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return sign(message, auxiliaryRandomness: aux)
    }

    /// Signs a 32-byte message with the given 32 bytes of auxiliary randomness (fixed only for
    /// test vectors: the randomness protects the nonce against fault and side-channel attacks).
    public func sign(_ message: [UInt8], auxiliaryRandomness aux: [UInt8]) -> [UInt8] {
        precondition(message.count == 32, "BIP-340 signs a 32-byte message")
        precondition(aux.count == 32, "BIP-340 auxiliary randomness is 32 bytes")
        var signature = [UInt8](repeating: 0, count: 64)
        var keypair = self.keypair
        let status = secp256k1_schnorrsig_sign32(Secp256k1Context.shared.pointer, &signature, message, &keypair, aux)
        // Signing with a valid key pair and 32-byte inputs cannot fail.
        precondition(status == 1, "secp256k1_schnorrsig_sign32 failed")
        return signature
    }
}
