import NIOCore
import RakisCore

/// A known peer as peer exchange passes it on: who, and where to dial it.
public struct MeshPeerRecord: Hashable, Sendable {
    public let nodeId: NodeID
    public let address: MeshAddress

    public init(nodeId: NodeID, address: MeshAddress) {
        self.nodeId = nodeId
        self.address = address
    }
}

/// The PEERS frame payload: a count, then per peer its 32-byte node id and its address
/// (u8 length, UTF-8). At most `Limits.maxPeersPerExchange` peers, so a frame stays small.
enum MeshPeerList {
    static func encode(_ peers: [MeshPeerRecord]) -> [UInt8] {
        let peers = peers.prefix(Limits.maxPeersPerExchange)
        var bytes = [UInt8(peers.count)]
        for peer in peers {
            bytes += peer.nodeId.publicKeyBytes
            let address = Array(peer.address.description.utf8)
            bytes.append(UInt8(address.count))
            bytes += address
        }
        return bytes
    }

    static func decode(_ payload: ByteBuffer) throws(MeshProtocolError) -> [MeshPeerRecord] {
        var buffer = payload
        guard let count = buffer.readInteger(as: UInt8.self) else { throw .malformedPeers("empty") }
        guard Int(count) <= Limits.maxPeersPerExchange else {
            throw .malformedPeers("\(count) peers, at most \(Limits.maxPeersPerExchange) allowed")
        }
        var peers: [MeshPeerRecord] = []
        for index in 0..<Int(count) {
            guard let key = buffer.readBytes(length: 32),
                  let length = buffer.readInteger(as: UInt8.self),
                  let text = buffer.readString(length: Int(length))
            else { throw .malformedPeers("peer \(index) truncated") }
            guard let address = MeshAddress(text) else { throw .malformedPeers("peer \(index) address \"\(text)\" is not host:port") }
            peers.append(MeshPeerRecord(nodeId: NodeID(publicKey: key), address: address))
        }
        guard buffer.readableBytes == 0 else { throw .malformedPeers("\(buffer.readableBytes) trailing bytes") }
        return peers
    }
}
