import Crypto
import RakisCore

/// A node's Nostr key and the proof that it belongs to the node's Ed25519 identity.
///
/// The Nostr key is derived from the Ed25519 seed, so a node has one stable Nostr key without a
/// second key file. Other nodes cannot check the derivation (they do not know the seed); they
/// check the binding instead: the node signs its Nostr public key with its Ed25519 key, so an
/// event can only name a node id whose owner vouched for the event's key.
public struct NostrBinding: Sendable {
    /// Domain separation for both the key derivation and the binding signature.
    public static let label = "rakis/nostr-key/1"

    public let key: NostrKey
    public let nodeId: NodeID
    /// Ed25519 signature by `nodeId` over `message(for: key.publicKey)`.
    public let signature: [UInt8]

    public init(identity: NodeIdentity) {
        key = Self.deriveKey(seed: identity.seed)
        nodeId = identity.nodeId
        signature = identity.sign(Self.message(for: key.publicKey))
    }

    /// HKDF-SHA256 of the Ed25519 seed. About one secret in 2^128 is not a valid secp256k1
    /// scalar; then the derivation retries with a counter in the info ("rakis/nostr-key/1/1",
    /// "/2", ...), so every seed has exactly one Nostr key.
    public static func deriveKey(seed: [UInt8]) -> NostrKey {
        var attempt = 0
        while true {
            let info = attempt == 0 ? label : "\(label)/\(attempt)"
            let secret = HKDF<SHA256>.deriveKey(
                inputKeyMaterial: SymmetricKey(data: seed),
                info: Array(info.utf8),
                outputByteCount: 32
            ).withUnsafeBytes { Array($0) }
            if let key = try? NostrKey(secret: secret) { return key }
            attempt += 1
        }
    }

    /// What the node signs: the label, a newline and the x-only public key in hex.
    public static func message(for publicKey: [UInt8]) -> [UInt8] {
        Array("\(label)\n\(Hex.encode(publicKey))".utf8)
    }

    /// Whether `signature` shows that `nodeId` owns the Nostr key `publicKey`.
    public static func verify(nodeId: NodeID, publicKey: [UInt8], signature: [UInt8]) -> Bool {
        nodeId.verifies(signature: signature, of: message(for: publicKey))
    }
}
