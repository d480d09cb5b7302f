import RakisCore

/// The weighted peers a node has heard from, with what they serve. Used to size the share of
/// requests this node takes on. Only weighted identities are recorded (the validator refuses
/// anyone else's announcement), and they count by weight, so announcements from fresh keys
/// cannot shrink anyone's share.
struct PeerDirectory {
    private struct Entry {
        var status: PeerStatus
        var weight: Int
        var lastSeen: Millis
    }

    private var entries: [NodeID: Entry] = [:]
    /// Serving weights per set of models (sorted), summed when first asked and dropped when a peer
    /// appears or the sums age past a third of the freshness.
    private var sums: [[String]: Int] = [:]
    private var summedAt: Millis?
    /// Distinct model sets summed between refreshes at most: requests choose their model lists,
    /// so the cache must not grow with them.
    private static let maxCachedSums = 64

    mutating func record(_ node: NodeID, status: PeerStatus, weight: Int, at time: Millis) {
        precondition(weight > 0, "only a weighted identity's announcement is recorded")
        if entries[node]?.weight != weight { summedAt = nil }
        entries[node] = Entry(status: status, weight: weight, lastSeen: time)
    }

    /// The weight `node` announced itself with, 0 if it has not (or was forgotten).
    func weight(of node: NodeID) -> Int { entries[node]?.weight ?? 0 }

    /// The weight of the nodes (this one included, once it announced itself) seen serving at
    /// least one of `models` within `freshness`. A node serving several counts once: a request
    /// that accepts two models shares its quorum among the servers of both.
    mutating func servingWeight(anyOf models: [String], now: Millis, freshness: Millis) -> Int {
        if summedAt.map({ now - $0 >= freshness / 3 }) ?? true || sums.count >= Self.maxCachedSums {
            sums = [:]
            summedAt = now
        }
        let key = Array(Set(models)).sorted()
        if let sum = sums[key] { return sum }
        var sum = 0
        for entry in entries.values where entry.lastSeen >= now - freshness && entry.status.models.contains(where: key.contains) {
            sum += entry.weight
        }
        sums[key] = sum
        return sum
    }

    /// The membership changed: each entry takes its identity's new weight, and one left without
    /// weight is forgotten.
    mutating func reweigh(_ weight: (NodeID) -> Int) {
        for (node, entry) in entries {
            let now = weight(node)
            entries[node] = now > 0 ? Entry(status: entry.status, weight: now, lastSeen: entry.lastSeen) : nil
        }
        summedAt = nil
    }

    /// Entries are kept for weighted identities only, whose number the membership bounds (or, on
    /// an open network, the work their tickets cost); stale ones are dropped here.
    mutating func forgetSilent(before time: Millis) {
        let before = entries.count
        entries = entries.filter { $0.value.lastSeen >= time }
        if entries.count != before { summedAt = nil }
    }
}
