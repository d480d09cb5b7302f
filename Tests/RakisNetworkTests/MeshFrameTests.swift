import NIOCore
import Testing
@testable import RakisNetwork

@Suite struct MeshFrameTests {
    @Test func placeholder() {}
}
