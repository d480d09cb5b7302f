import RakisCore

/// The peers a node has heard from, with what they serve. Used to size the share of requests
/// this node takes on.
struct PeerDirectory {
    private struct Entry {
        var status: PeerStatus
        var lastSeen: Millis
    }

    private var entries: [NodeID: Entry] = [:]
    /// Counts per model, recomputed when a peer appears or the cached counts age past `freshness`.
    private var counts: [String: Int] = [:]
    private var countedAt: Millis?

    mutating func record(_ node: NodeID, status: PeerStatus, at time: Millis) {
        if entries[node] == nil { countedAt = nil }
        entries[node] = Entry(status: status, lastSeen: time)
    }

    /// Nodes (this one included, once it announced itself) seen serving `model` within `freshness`.
    mutating func servingCount(model: String, now: Millis, freshness: Millis) -> Int {
        if let countedAt, now - countedAt < freshness / 3 { return counts[model] ?? 0 }
        counts = [:]
        for entry in entries.values where entry.lastSeen >= now - freshness {
            for served in entry.status.models { counts[served, default: 0] += 1 }
        }
        countedAt = now
        return counts[model] ?? 0
    }
}
