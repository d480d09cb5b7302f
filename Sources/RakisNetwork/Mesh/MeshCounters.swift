import Synchronization

/// What the mesh shows outside its event loop: statistics, the current neighbours and the bound
/// listen address. Written on the loop, read from any thread, so it sits behind a mutex.
final class MeshCounters: Sendable {
    private struct State {
        var statistics = TransportStatistics()
        var neighbours: [MeshNeighbour] = []
        var listenAddress: MeshAddress?
    }

    private let state = Mutex(State())

    var statistics: TransportStatistics { state.withLock { $0.statistics } }
    var neighbours: [MeshNeighbour] { state.withLock { $0.neighbours } }
    var listenAddress: MeshAddress? { state.withLock { $0.listenAddress } }

    func update(_ change: (inout TransportStatistics) -> Void) {
        state.withLock { change(&$0.statistics) }
    }

    func setNeighbours(_ neighbours: [MeshNeighbour]) {
        state.withLock {
            $0.neighbours = neighbours
            $0.statistics.connections = neighbours.count
            $0.statistics.connected = !neighbours.isEmpty
        }
    }

    func setListenAddress(_ address: MeshAddress) {
        state.withLock { $0.listenAddress = address }
    }
}
