import Crypto
import Foundation

/// A node's Ed25519 key pair. The node id is the lowercase hex of the public key.
public struct NodeIdentity: Sendable {
    public let privateKey: Curve25519.Signing.PrivateKey
    /// Derived once: deriving the public key is a scalar multiplication.
    public let nodeId: NodeID

    public init(privateKey: Curve25519.Signing.PrivateKey) {
        self.privateKey = privateKey
        nodeId = NodeID(publicKey: Array(privateKey.publicKey.rawRepresentation))
    }

    /// A fresh random identity.
    public static func generate() -> NodeIdentity {
        NodeIdentity(privateKey: Curve25519.Signing.PrivateKey())
    }

    /// An identity from its 32-byte seed (RFC 8032 secret key).
    public init(seed: [UInt8]) throws {
        self.init(privateKey: try Curve25519.Signing.PrivateKey(rawRepresentation: seed))
    }

    /// A reproducible identity for simulations and tests: the seed is SHA-256 of the label.
    public init(deterministicLabel label: String) {
        // Force-try is safe: any 32 bytes are a valid Ed25519 seed.
        self.init(privateKey: try! Curve25519.Signing.PrivateKey(rawRepresentation: Hash256.of(Array(label.utf8)).bytes))
    }

    public var seed: [UInt8] { Array(privateKey.rawRepresentation) }

    public func sign(_ message: [UInt8]) -> [UInt8] {
        // Signing with a valid key cannot fail; BoringSSL's Ed25519 is deterministic (RFC 8032).
        Array(try! privateKey.signature(for: message))
    }
}

/// A node id: the 32-byte Ed25519 public key, written as 64 lowercase hex digits.
/// Stored as four big-endian words, so hashing and ordering are cheap and match the hex order.
public struct NodeID: Hashable, Comparable, Sendable, CustomStringConvertible {
    private let key: Hash256

    public init(publicKey: [UInt8]) {
        precondition(publicKey.count == 32, "an Ed25519 public key has 32 bytes")
        key = Hash256(bytes: publicKey)
    }

    /// Parses a node id; nil unless it is 64 lowercase hex digits.
    public init?(hex: String) {
        guard let key = Hash256(hex: hex) else { return nil }
        self.key = key
    }

    public var hex: String { key.hex }
    public var publicKeyBytes: [UInt8] { key.bytes }
    public var description: String { hex }
    /// The first 8 hex digits, for logs and reports.
    public var short: String { String(hex.prefix(8)) }

    public static func < (lhs: NodeID, rhs: NodeID) -> Bool { lhs.key < rhs.key }

    /// Ed25519 verification of `signature` over `message` by this node's key.
    public func verifies(signature: [UInt8], of message: [UInt8]) -> Bool {
        guard signature.count == 64,
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKeyBytes)
        else { return false }
        return key.isValidSignature(signature, for: message)
    }
}
