import CSecp256k1
import Secp256k1

/// An ECDSA signature with the bit that lets anyone recover the signer's public key, hence
/// address, from the digest: what `ecrecover` checks on chain.
public struct RecoverableSignature: Sendable, Hashable {
    public enum Error: Swift.Error, Equatable, CustomStringConvertible {
        case wrongLength(Int)
        case invalidV(UInt8)
        case invalidScalar
        case highS
        case unrecoverable

        public var description: String {
            switch self {
            case .wrongLength(let count): "a signature is 65 bytes (r, s, v), not \(count)"
            case .invalidV(let v): "signature v must be 27 or 28, not \(v)"
            case .invalidScalar: "signature r or s is zero or not below the secp256k1 group order"
            case .highS: "signature s is in the upper half of the group order (malleable form)"
            case .unrecoverable: "no public key matches this signature and digest"
            }
        }
    }

    public let r: [UInt8]
    public let s: [UInt8]
    /// 0 or 1: the parity of the nonce point's y coordinate (EIP-1559's `yParity`).
    public let recoveryId: UInt8

    /// Only for signatures libsecp256k1 has just produced.
    init(r: [UInt8], s: [UInt8], recoveryId: UInt8) {
        self.r = r
        self.s = s
        self.recoveryId = recoveryId
    }

    /// A signature as `ecrecover` takes it; rejects what the oracle contract would reject.
    public init(r: [UInt8], s: [UInt8], v: UInt8) throws(Error) {
        guard r.count == 32, s.count == 32 else { throw .wrongLength(r.count + s.count + 1) }
        guard v == 27 || v == 28 else { throw .invalidV(v) }
        guard r.contains(where: { $0 != 0 }), s.contains(where: { $0 != 0 }) else { throw .invalidScalar }
        self.init(r: r, s: s, recoveryId: v - 27)
        var recoverable = try parsed()
        var plain = secp256k1_ecdsa_signature()
        let context = Secp256k1Context.shared.pointer
        _ = secp256k1_ecdsa_recoverable_signature_convert(context, &plain, &recoverable)
        // With no output, normalize only reports whether s was in the upper half.
        guard secp256k1_ecdsa_signature_normalize(context, nil, &plain) == 0 else { throw .highS }
    }

    /// Parses 65 bytes r ‖ s ‖ v, v being 27 or 28.
    public init(rsv bytes: [UInt8]) throws(Error) {
        guard bytes.count == 65 else { throw .wrongLength(bytes.count) }
        try self.init(r: Array(bytes[0..<32]), s: Array(bytes[32..<64]), v: bytes[64])
    }

    /// 27 or 28, the form `ecrecover` and personal-message signatures use.
    public var v: UInt8 { 27 + recoveryId }

    /// r ‖ s ‖ v, 65 bytes.
    public var rsv: [UInt8] { r + s + [v] }

    /// The address whose key signed `digest` (32 bytes) with this signature.
    public func recoverAddress(digest: [UInt8]) throws(Error) -> EthereumAddress {
        precondition(digest.count == 32, "ECDSA signs a 32-byte digest")
        var signature = try parsed()
        var publicKey = secp256k1_pubkey()
        guard secp256k1_ecdsa_recover(Secp256k1Context.shared.pointer, &publicKey, &signature, digest) == 1 else {
            throw .unrecoverable
        }
        return EthereumAddress(publicKey: publicKey)
    }

    private func parsed() throws(Error) -> secp256k1_ecdsa_recoverable_signature {
        var signature = secp256k1_ecdsa_recoverable_signature()
        // Parsing fails when r or s is not below the group order.
        guard secp256k1_ecdsa_recoverable_signature_parse_compact(
            Secp256k1Context.shared.pointer, &signature, r + s, Int32(recoveryId)) == 1
        else { throw .invalidScalar }
        return signature
    }
}
