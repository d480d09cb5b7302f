import Foundation
import NIOCore
import NIOPosix
import RakisCore
import RakisTestSupport
import Synchronization
@testable import RakisNetwork

/// Stands in for the node runtime: records what its mesh delivers and, if `forwards`, relays
/// each packet it sees for the first time to its other neighbours, as gossip does.
final class TestRuntime: Sendable {
    let forwards: Bool
    private let received = Mutex<[ReceivedPacket]>([])
    private let seen = Mutex<Set<[UInt8]>>([])
    private let transport = Mutex<MeshTransport?>(nil)

    init(forwards: Bool = false) {
        self.forwards = forwards
    }

    func attach(_ mesh: MeshTransport) { transport.withLock { $0 = mesh } }

    /// Marks a packet this node originates, so it is not relayed when it comes back.
    func originate(_ bytes: [UInt8]) {
        _ = seen.withLock { $0.insert(bytes) }
        transport.withLock { $0 }?.send(bytes, except: nil)
    }

    func deliver(_ packet: ReceivedPacket) {
        received.withLock { $0.append(packet) }
        let isNew = seen.withLock { $0.insert(packet.bytes).inserted }
        if forwards, isNew { transport.withLock { $0 }?.send(packet.bytes, except: packet.source) }
    }

    func copies(of bytes: [UInt8]) -> Int { received.withLock { $0.count(where: { $0.bytes == bytes }) } }
    var packets: [ReceivedPacket] { received.withLock { $0 } }
}

/// A started mesh on 127.0.0.1 with a free port, with the runtime it delivers to.
struct TestNode {
    let mesh: MeshTransport
    let runtime: TestRuntime
    var nodeId: NodeID { mesh.configuration.identity.nodeId }
    var address: MeshAddress { mesh.listenAddress! }

    static func start(_ label: String, network: String = "mesh-test", bootstrap: [TestNode] = [], port: Int = 0,
                      forwards: Bool = false, configure: (inout MeshConfiguration) -> Void = { _ in }) async throws -> TestNode {
        var configuration = MeshConfiguration(identity: NodeIdentity(deterministicLabel: label), network: network,
                                              listenHost: "127.0.0.1", listenPort: port,
                                              bootstrapPeers: bootstrap.map(\.address.description))
        configure(&configuration)
        let mesh = MeshTransport(configuration: configuration)
        let runtime = TestRuntime(forwards: forwards)
        runtime.attach(mesh)
        try await mesh.start { runtime.deliver($0) }
        return TestNode(mesh: mesh, runtime: runtime)
    }

    func isNeighbour(of other: TestNode) -> Bool { mesh.neighbours.contains { $0.nodeId == other.nodeId } }
}

/// A bare TCP client speaking raw bytes to a mesh, to play a broken or hostile peer.
struct RawPeer {
    let channel: Channel

    static func connect(to address: MeshAddress) async throws -> RawPeer {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: address.host, port: address.port).get()
        return RawPeer(channel: channel)
    }

    /// Writes bytes; a write after the mesh has cut the connection is allowed to fail.
    func send(_ bytes: [UInt8]) async {
        try? await channel.writeAndFlush(ByteBuffer(bytes: bytes)).get()
    }

    func sendFrame(_ kind: MeshFrameKind, _ payload: [UInt8]) async {
        await send(Array(MeshFrame.encode(kind, payload: payload, allocator: ByteBufferAllocator()).readableBytesView))
    }

    var isClosed: Bool { !channel.isActive }

    func close() async { try? await channel.close().get() }
}

func wallClockMillis() -> Millis { Millis(Date().timeIntervalSince1970 * 1000) }
