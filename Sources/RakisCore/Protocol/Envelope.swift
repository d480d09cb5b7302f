/// A signed packet as it travels: protocol version, network name, sender, signature, packet.
///
/// The signature is Ed25519 over `"rakis/1\n" + network + "\n" + canonical(packet)`, so a
/// packet signed for one network is worthless on another. The envelope's id is
/// SHA-256(sender public key || signed message): independent of the signature bytes, so a
/// re-signed copy of the same packet is still recognized as a replay.
///
/// Envelopes are immutable and shared by reference; the encoded forms are computed once.
public final class Envelope: Sendable {
    public static let protocolVersion = 1

    public let network: String
    public let sender: NodeID
    public let signature: [UInt8]
    public let packet: Packet
    /// The bytes the signature covers.
    public let signedMessage: [UInt8]
    public let id: Hash256
    public let json: JSONValue
    /// The canonical encoding sent on the wire.
    public let wireBytes: [UInt8]
    /// For a reveal: the commitment it re-derives for its sender. Derived once here because every
    /// verifier needs it.
    public let revealedCommitment: Hash256?

    init(network: String, sender: NodeID, signature: [UInt8], packet: Packet, packetJSON: JSONValue) {
        self.network = network
        self.sender = sender
        self.signature = signature
        self.packet = packet
        signedMessage = Self.signedMessage(network: network, packetJSON: packetJSON)
        id = Hash256.of(sender.publicKeyBytes + signedMessage)
        json = [
            "v": .number(Double(Self.protocolVersion)),
            "network": .string(network),
            "sender": .string(sender.hex),
            "sig": .string(Hex.encode(signature)),
            "packet": packetJSON,
        ]
        wireBytes = json.canonicalBytes()
        if case let .reveal(reveal) = packet.body {
            revealedCommitment = Commitment.derive(reveal: reveal, nodeId: sender)
        } else {
            revealedCommitment = nil
        }
    }

    /// Signs a packet for a network.
    public convenience init(signing packet: Packet, network: String, identity: NodeIdentity) {
        let packetJSON = packet.json
        let signature = identity.sign(Self.signedMessage(network: network, packetJSON: packetJSON))
        self.init(network: network, sender: identity.nodeId, signature: signature, packet: packet, packetJSON: packetJSON)
    }

    static func signedMessage(network: String, packetJSON: JSONValue) -> [UInt8] {
        Array("rakis/\(protocolVersion)\n\(network)\n".utf8) + packetJSON.canonicalBytes()
    }

    /// Whether the signature is the sender's over the signed message.
    public var hasValidSignature: Bool {
        sender.verifies(signature: signature, of: signedMessage)
    }

    public var request: InferenceRequest? { if case let .request(value) = packet.body { value } else { nil } }
    public var commit: Commit? { if case let .commit(value) = packet.body { value } else { nil } }
    public var quorum: QuorumDecision? { if case let .quorum(value) = packet.body { value } else { nil } }
    public var reveal: Reveal? { if case let .reveal(value) = packet.body { value } else { nil } }
    public var result: ResultCertificate? { if case let .result(value) = packet.body { value } else { nil } }
    public var attestation: ChainAttestation? { if case let .attestation(value) = packet.body { value } else { nil } }
    public var chat: ChatPost? { if case let .chat(value) = packet.body { value } else { nil } }

    /// The request a packet belongs to; nil for peer status and chat.
    public var requestId: Hash256? {
        switch packet.body {
        case let .request(request): request.id
        case let .commit(commit): commit.requestId
        case let .quorum(quorum): quorum.requestId
        case let .reveal(reveal): reveal.requestId
        case let .result(result): result.requestId
        case let .attestation(attestation): attestation.requestId
        case .peerStatus, .chat: nil
        }
    }
}

extension Envelope {
    /// Decodes wire bytes into an envelope. It checks size, JSON syntax, shape and canonical form;
    /// the signature and the packet's meaning are checked by `PacketValidator`.
    public static func decode(_ bytes: [UInt8]) throws(PacketRejection) -> Envelope {
        guard bytes.count <= Limits.maxEnvelopeBytes else {
            throw .tooLarge(size: bytes.count, limit: Limits.maxEnvelopeBytes)
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes, maxDepth: Limits.maxJSONDepth)
        } catch {
            throw .malformed("\(error)")
        }
        do {
            return try Envelope(json: value, path: "envelope")
        } catch let rejection as PacketRejection {
            throw rejection
        } catch {
            throw .malformed("\(error)")
        }
    }

    /// Decodes an envelope from its JSON value, also when it is embedded in another packet.
    convenience init(json: JSONValue, path: String, expecting expectedType: String? = nil) throws {
        let reader = try JSONObjectReader(json, path: path)
        try reader.rejectUnknownKeys(allowed: ["v", "network", "sender", "sig", "packet"])
        let version = try reader.int("v")
        guard version == Self.protocolVersion else { throw PacketRejection.unsupportedVersion(version) }
        guard let signature = Hex.decode(try reader.string("sig")), signature.count == 64 else {
            throw JSONShapeError(path: reader.childPath("sig"), message: "expected 128 lowercase hex digits (an Ed25519 signature)")
        }
        let packetJSON = try reader.value("packet")
        let packet = try Packet(json: packetJSON, path: reader.childPath("packet"))
        if let expectedType, packet.body.typeName != expectedType {
            throw JSONShapeError(path: reader.childPath("packet.type"), message: "expected a \(expectedType) packet, found \(packet.body.typeName)")
        }
        // One packet, one encoding: a field sent as null, or a number written two ways, must not
        // yield a second signed form (or a second request id) of the same packet.
        guard packet.json == packetJSON else { throw PacketRejection.nonCanonical(path: reader.childPath("packet")) }
        self.init(
            network: try reader.string("network"),
            sender: try NodeID(json: reader, key: "sender"),
            signature: signature,
            packet: packet,
            packetJSON: packetJSON
        )
    }
}
