import RakisCore
import RakisNetwork

/// Which packets arrived recently, from which sources and over which transports.
///
/// A packet reaches a node many times: once per transport, and on the mesh once per neighbour
/// that relays it. Only the first copy goes to the state machine; other copies just record the
/// transport. A source sending the same packet again is different: that is how the protocol
/// retransmits (a quorum fixer re-sends its quorum, a member its reveal), and the state machine
/// answers such re-sends, so they go through, up to `maxResends` times; beyond that it is a replay.
///
/// Entries live for between one and two generations (two maps swapped), which keeps memory
/// bounded; an older packet is stale and the state machine refuses it anyway.
struct DeliveryLog {
    enum Arrival: Equatable {
        /// The first copy: hand it to the state machine.
        case first
        /// Another transport's or another neighbour's copy. `newTransport`: the first over this transport.
        case copy(newTransport: Bool)
        /// The same source sent it again: a retransmission, handed to the state machine.
        case resent
        /// The same source, more often than any retransmission schedule explains.
        case replay
    }

    private struct Entry {
        var sends: [PacketSource: Int] = [:]
        var transports: Set<TransportName> = []
    }

    /// The protocol retransmits a packet at most 3 times; one more allows for a transport's own
    /// redelivery (MQTT QoS 1).
    static let maxResends = 4

    private var current: [Hash256: Entry] = [:]
    private var previous: [Hash256: Entry] = [:]
    private var generationStart: Millis = 0
    let generation: Millis

    init(generation: Millis) {
        self.generation = generation
    }

    mutating func arrival(_ id: Hash256, from source: PacketSource, now: Millis) -> Arrival {
        rotate(now: now)
        guard var entry = current[id] ?? previous[id] else {
            current[id] = Entry(sends: [source: 1], transports: [source.transport])
            return .first
        }
        defer { current[id] = entry }
        let sends = entry.sends[source, default: 0] + 1
        entry.sends[source] = sends
        if sends == 1 {
            return .copy(newTransport: entry.transports.insert(source.transport).inserted)
        }
        return sends - 1 <= Self.maxResends ? .resent : .replay
    }

    /// Forgets a packet whose copy turned out to be forged. The id does not cover the signature,
    /// so without this, whoever is first to pass on a copy with a broken signature would make
    /// the node drop the genuine packet as a copy.
    mutating func forget(_ id: Hash256) {
        current[id] = nil
        previous[id] = nil
    }

    /// Packets this node sent itself: their echoes (a broker returns our own publishes) are copies.
    mutating func sent(_ id: Hash256, now: Millis) {
        rotate(now: now)
        if current[id] == nil { current[id] = previous[id] ?? Entry() }
    }

    private mutating func rotate(now: Millis) {
        guard now - generationStart >= generation else { return }
        previous = now - generationStart >= 2 * generation ? [:] : current
        current = [:]
        generationStart = now
    }
}
