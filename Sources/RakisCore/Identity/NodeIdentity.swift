import Crypto
import Foundation

/// A node's Ed25519 key pair. The node id is the lowercase hex of the public key.
public struct NodeIdentity: Sendable {
    public let privateKey: Curve25519.Signing.PrivateKey

    public init(privateKey: Curve25519.Signing.PrivateKey) {
        self.privateKey = privateKey
    }

    /// A fresh random identity.
    public static func generate() -> NodeIdentity {
        NodeIdentity(privateKey: Curve25519.Signing.PrivateKey())
    }

    /// An identity from its 32-byte seed (RFC 8032 secret key).
    public init(seed: [UInt8]) throws {
        privateKey = try Curve25519.Signing.PrivateKey(rawRepresentation: seed)
    }

    /// A reproducible identity for simulations and tests: the seed is SHA-256 of the label.
    public init(deterministicLabel label: String) {
        // Force-try is safe: any 32 bytes are a valid Ed25519 seed.
        privateKey = try! Curve25519.Signing.PrivateKey(rawRepresentation: Hash256.of(Array(label.utf8)).bytes)
    }

    public var seed: [UInt8] { Array(privateKey.rawRepresentation) }
    public var nodeId: NodeID { NodeID(publicKey: Array(privateKey.publicKey.rawRepresentation)) }

    public func sign(_ message: [UInt8]) -> [UInt8] {
        // Signing with a valid key cannot fail; BoringSSL's Ed25519 is deterministic (RFC 8032).
        Array(try! privateKey.signature(for: message))
    }
}

/// A node id: the 32-byte Ed25519 public key, written as 64 lowercase hex digits.
public struct NodeID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let hex: String

    public init(publicKey: [UInt8]) {
        precondition(publicKey.count == 32, "an Ed25519 public key has 32 bytes")
        hex = Hex.encode(publicKey)
    }

    /// Parses a node id; nil unless it is 64 lowercase hex digits.
    public init?(hex: String) {
        guard let bytes = Hex.decode(hex), bytes.count == 32 else { return nil }
        self.hex = hex
    }

    public var publicKeyBytes: [UInt8] { Hex.decode(hex)! }
    public var description: String { hex }
    /// The first 8 hex digits, for logs and reports.
    public var short: String { String(hex.prefix(8)) }

    public static func < (lhs: NodeID, rhs: NodeID) -> Bool { lhs.hex < rhs.hex }

    /// Ed25519 verification of `signature` over `message` by this node's key.
    public func verifies(signature: [UInt8], of message: [UInt8]) -> Bool {
        guard signature.count == 64,
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKeyBytes)
        else { return false }
        return key.isValidSignature(signature, for: message)
    }
}
