import FuzzSupport
import NIOCore
@testable import RakisNetwork

/// Arbitrary bytes from a mesh peer: the frames are cut as the decoder cuts them (a length
/// prefix above the limit is refused from its 4 bytes), and each HELLO and PEERS payload is
/// decoded or refused, never crashing the node.
@_cdecl("FuzzMeshFrames_main")
func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    FuzzDriver.run(argc, argv) { bytes in
        var buffer = ByteBuffer(bytes: bytes)
        while let frame = try? MeshFrame.parse(&buffer, maxFrameBytes: 1 << 16) {
            switch frame.kind {
            case .hello: _ = try? MeshHello(decoding: frame.payload)
            case .peers: _ = try? MeshPeerList.decode(frame.payload)
            case .packet: continue
            }
        }
    }
}
