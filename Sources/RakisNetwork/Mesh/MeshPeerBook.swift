import NIOCore
import RakisCore

/// The addresses the node dials, each with its backoff state: bootstrap addresses, and peers
/// learned from HELLOs and peer exchange. Pure bookkeeping; `MeshCore` decides when to dial.
struct MeshPeerBook {
    struct Target {
        let address: MeshAddress
        /// Who is expected there: from peer exchange or a HELLO; for a bootstrap address, known
        /// after its first handshake. The HELLO on the connection is what counts.
        var nodeId: NodeID?
        let isBootstrap: Bool
        /// Failed dials or lost connections in a row, for the backoff.
        var failures = 0
        var nextAttempt: NIODeadline
        /// A dial or a connection still in its handshake.
        var dialing = false
    }

    private(set) var targets: [MeshAddress: Target] = [:]
    /// Addresses that turned out to be this node; never dialed again.
    private var ownAddresses: Set<MeshAddress> = []
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Bootstrap addresses are always kept, whatever the capacity.
    mutating func addBootstrap(_ address: MeshAddress, now: NIODeadline) {
        guard targets[address] == nil else { return }
        targets[address] = Target(address: address, nodeId: nil, isBootstrap: true, nextAttempt: now)
    }

    /// Adds a learned peer unless its address is already known, is this node, or the book is full.
    mutating func learn(_ peer: MeshPeerRecord, now: NIODeadline) {
        guard targets[peer.address] == nil, !ownAddresses.contains(peer.address), targets.count < capacity else { return }
        targets[peer.address] = Target(address: peer.address, nodeId: peer.nodeId, isBootstrap: false, nextAttempt: now)
    }

    mutating func dialStarted(_ address: MeshAddress) {
        targets[address]?.dialing = true
    }

    /// A handshake completed with `nodeId` at `address`: the address is good, the backoff resets.
    mutating func connected(_ address: MeshAddress, nodeId: NodeID) {
        targets[address]?.nodeId = nodeId
        targets[address]?.failures = 0
        targets[address]?.dialing = false
    }

    /// A dial failed or a connection to the address ended: try again after the backoff.
    mutating func failed(_ address: MeshAddress, now: NIODeadline, backoff: MeshConfiguration.Backoff) {
        guard var target = targets[address] else { return }
        target.dialing = false
        target.failures += 1
        target.nextAttempt = now + TimeAmount(backoff.delay(afterFailures: target.failures))
        targets[address] = target
    }

    /// The address leads back to this node (a bootstrap list naming itself, or a peer relaying it).
    mutating func markOwn(_ address: MeshAddress) {
        ownAddresses.insert(address)
        targets[address] = nil
    }

    var dialingCount: Int { targets.values.count(where: \.dialing) }
}
