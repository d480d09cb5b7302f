/// A quorum member's signature, with its chain key, over the fulfilment of a chain request
/// (docs/ORACLE.md): the oracle contract pays and believes an output only with enough of these.
///
/// The envelope's Ed25519 signature covers the chain address, and `link` is the chain key's
/// signature over the node id: each identity signs the other. Checking the secp256k1 signatures
/// needs the chain's cryptography, so it is the chain connector's job; this type only carries
/// them.
public struct ChainAttestation: Sendable, Hashable {
    public let requestId: Hash256
    /// The signer's chain address, "0x" and 40 lowercase hex digits.
    public let address: String
    /// The chosen output's result hash (docs/ORACLE.md): Keccak-256 of its UTF-8 bytes, and for a
    /// structured request the hash of that and of its typed answer.
    public let outputHash: [UInt8]
    /// Keccak-256 of the quorum's commitments in the quorum packet's order.
    public let commitmentSetHash: [UInt8]
    /// r ‖ s ‖ v (65 bytes, v = 27 or 28) over the fulfilment digest, EIP-191 prefixed.
    public let signature: [UInt8]
    /// r ‖ s ‖ v by the same key over the link message of the sender's node id.
    public let link: [UInt8]

    public init(requestId: Hash256, address: String, outputHash: [UInt8], commitmentSetHash: [UInt8], signature: [UInt8], link: [UInt8]) {
        self.requestId = requestId
        self.address = address
        self.outputHash = outputHash
        self.commitmentSetHash = commitmentSetHash
        self.signature = signature
        self.link = link
    }

    static let hashBytes = 32
    static let signatureBytes = 65

    /// Shapes only: lengths, and the address's spelling.
    func validate(path: String) throws(PacketRejection) {
        guard Self.isAddress(address) else {
            throw .outOfRange(field: "\(path).address", detail: "must be 0x and 40 lowercase hex digits")
        }
        for (field, bytes, count) in [("outputHash", outputHash, Self.hashBytes), ("commitmentSetHash", commitmentSetHash, Self.hashBytes),
                                      ("signature", signature, Self.signatureBytes), ("link", link, Self.signatureBytes)]
            where bytes.count != count {
            throw .outOfRange(field: "\(path).\(field)", detail: "\(bytes.count) bytes, expected \(count)")
        }
    }

    /// "0x" and 40 lowercase hex digits: the one spelling of an address on the wire.
    public static func isAddress(_ text: String) -> Bool {
        text.hasPrefix("0x") && text.utf8.count == 42 && Hex.decode(String(text.dropFirst(2))) != nil
    }
}
