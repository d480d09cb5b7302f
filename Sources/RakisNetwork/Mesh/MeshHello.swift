import NIOCore
import RakisCore

/// The first frame on every mesh connection, sent by both sides at once: protocol version,
/// network, node id, the address the node can be dialed at, a timestamp and a random nonce,
/// signed by the node's Ed25519 key.
///
/// Replays: the signature covers the timestamp, so a captured HELLO is only usable within the
/// clock-skew window, and each receiver remembers the (node id, nonce) pairs it accepted within
/// that window, so the same HELLO cannot be played back to it. Because both sides send HELLO
/// before hearing from the other, a HELLO cannot name the other side's nonce; a HELLO captured
/// in transit could still be shown to a *different* node within the window. That only
/// occupies a connection slot under the victim's name: every packet is signed on its own, so
/// nothing can be forged through such a connection.
struct MeshHello: Equatable {
    static let protocolVersion: UInt8 = 1
    /// Domain separation: these signatures can never be mistaken for any other Rakis signature.
    static let domain = Array("rakis/mesh-hello/1\n".utf8)
    static let nonceBytes = 16
    static let signatureBytes = 64
    static let maxNetworkBytes = 64

    var version: UInt8
    var network: String
    var nodeId: NodeID
    /// Where the node accepts connections; nil if it cannot be dialed (listening on a wildcard
    /// address without an advertised one).
    var address: MeshAddress?
    var timestamp: Millis
    var nonce: [UInt8]
    var signature: [UInt8]

    /// A fresh HELLO signed by `identity`.
    static func signed(by identity: NodeIdentity, network: String, address: MeshAddress?, timestamp: Millis,
                       nonce: [UInt8] = randomNonce()) -> MeshHello {
        var hello = MeshHello(version: protocolVersion, network: network, nodeId: identity.nodeId, address: address,
                              timestamp: timestamp, nonce: nonce, signature: [])
        hello.signature = identity.sign(hello.signedBytes)
        return hello
    }

    static func randomNonce() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<nonceBytes).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// The domain tag followed by every field but the signature, as encoded on the wire.
    var signedBytes: [UInt8] { Self.domain + fieldBytes }

    var hasValidSignature: Bool { nodeId.verifies(signature: signature, of: signedBytes) }

    /// version u8 · network (u8 length, UTF-8) · node id (32) · address (u8 length, UTF-8,
    /// empty if none) · timestamp (i64 ms, big-endian) · nonce (16). Length prefixes keep
    /// the encoding unambiguous, so no two field sets sign the same bytes.
    private var fieldBytes: [UInt8] {
        var bytes = [version]
        let networkBytes = Array(network.utf8)
        bytes.append(UInt8(networkBytes.count))
        bytes += networkBytes
        bytes += nodeId.publicKeyBytes
        let addressBytes = Array((address?.description ?? "").utf8)
        bytes.append(UInt8(addressBytes.count))
        bytes += addressBytes
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: timestamp >> Int64(shift))) }
        bytes += nonce
        return bytes
    }

    /// The frame payload: the signed fields, then the 64-byte signature.
    func encoded() -> [UInt8] { fieldBytes + signature }

    /// Decodes a HELLO payload; every byte must belong to a field.
    init(decoding payload: ByteBuffer) throws(MeshProtocolError) {
        var buffer = payload
        func bad(_ why: String) -> MeshProtocolError { .malformedHello(why) }
        guard let version = buffer.readInteger(as: UInt8.self) else { throw bad("empty") }
        guard let networkLength = buffer.readInteger(as: UInt8.self), Int(networkLength) <= Self.maxNetworkBytes,
              let network = buffer.readString(length: Int(networkLength))
        else { throw bad("network name missing or longer than \(Self.maxNetworkBytes) bytes") }
        guard let key = buffer.readBytes(length: 32) else { throw bad("node id missing") }
        guard let addressLength = buffer.readInteger(as: UInt8.self),
              let addressText = buffer.readString(length: Int(addressLength))
        else { throw bad("address missing") }
        var address: MeshAddress?
        if !addressText.isEmpty {
            guard let parsed = MeshAddress(addressText) else { throw bad("address \"\(addressText)\" is not host:port") }
            address = parsed
        }
        guard let timestamp = buffer.readInteger(as: Int64.self) else { throw bad("timestamp missing") }
        guard let nonce = buffer.readBytes(length: Self.nonceBytes) else { throw bad("nonce missing") }
        guard let signature = buffer.readBytes(length: Self.signatureBytes) else { throw bad("signature missing") }
        guard buffer.readableBytes == 0 else { throw bad("\(buffer.readableBytes) trailing bytes") }
        self.init(version: version, network: network, nodeId: NodeID(publicKey: key), address: address,
                  timestamp: timestamp, nonce: nonce, signature: signature)
    }

    init(version: UInt8, network: String, nodeId: NodeID, address: MeshAddress?, timestamp: Millis, nonce: [UInt8], signature: [UInt8]) {
        self.version = version
        self.network = network
        self.nodeId = nodeId
        self.address = address
        self.timestamp = timestamp
        self.nonce = nonce
        self.signature = signature
    }
}

/// A frame whose payload breaks the mesh protocol. The connection is closed.
enum MeshProtocolError: Error, Equatable, CustomStringConvertible {
    case malformedHello(String)
    case malformedPeers(String)

    var description: String {
        switch self {
        case .malformedHello(let why): "malformed HELLO: \(why)"
        case .malformedPeers(let why): "malformed PEERS: \(why)"
        }
    }
}
