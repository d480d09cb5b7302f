import RakisCore

/// The peers a node has heard from, with what they serve. Used to size the share of requests
/// this node takes on.
struct PeerDirectory {
    private struct Entry {
        var status: PeerStatus
        var lastSeen: Millis
    }

    private var entries: [NodeID: Entry] = [:]

    mutating func record(_ node: NodeID, status: PeerStatus, at time: Millis) {
        entries[node] = Entry(status: status, lastSeen: time)
    }

    /// Nodes (this one included, once it announced itself) seen serving `model` within `freshness`.
    func servingCount(model: String, now: Millis, freshness: Millis) -> Int {
        entries.values.reduce(0) { count, entry in
            count + (entry.lastSeen >= now - freshness && entry.status.models.contains(model) ? 1 : 0)
        }
    }
}
