import RakisCore

/// Misbehaviour scores, a rate limit and bans per sender, on every transport alike: what the mesh
/// does per connection, for the servers that do not say who published (MQTT brokers, Nostr relays).
///
/// Only signed packets count, against the rate and as misbehaviour: a sender is known once its
/// packet's signature verified, so nobody can spend an honest node's rate or get it banned by
/// forging its id. `admit` is asked before the state machine sees a packet, `count` after, with
/// what the state machine found. Packets from identities without weight are refused before any
/// signature check (`PacketValidator`), so the senders counted are mostly ones that can sit on
/// committees, whose number the membership bounds; the table is bounded anyway.
struct SenderDiscipline {
    enum Verdict: Equatable {
        case pass
        /// Banned until then.
        case banned(until: Millis)
        /// Over the rate limit: dropped, not held against it.
        case overRate
    }

    /// As the mesh scores a connection: a rule-breaking packet costs 25, the score decays by 1 a
    /// second, and 100 bans for 10 minutes.
    static let strikeCost = 25.0
    static let banScore = 100.0
    static let decayPerSecond = 1.0
    static let banLength: Millis = 600_000
    /// Packets a second per sender over all transports, and the burst allowed.
    static let rate = 100.0
    static let burst = 400.0
    static let capacity = 4_096

    private struct Entry {
        var score = 0.0
        var tokens = SenderDiscipline.burst
        var updatedAt: Millis
        var bannedUntil: Millis?
    }

    private var entries = BoundedDictionary<NodeID, Entry>(capacity: SenderDiscipline.capacity)

    /// Whether a packet that claims to come from `sender` goes on to the state machine.
    func admit(_ sender: NodeID, at now: Millis) -> Verdict {
        guard entries[sender] != nil else { return .pass }
        let entry = advanced(sender, to: now)
        if let until = entry.bannedUntil { return .banned(until: until) }
        return entry.tokens >= 1 ? .pass : .overRate
    }

    /// A packet whose signature verified came from `sender`; `misbehaved` if it broke the rules.
    /// Returns whether that banned the sender.
    mutating func count(_ sender: NodeID, misbehaved: Bool, at now: Millis) -> Bool {
        var entry = advanced(sender, to: now)
        defer { entries[sender] = entry }
        entry.tokens = max(0, entry.tokens - 1)
        guard misbehaved, entry.bannedUntil == nil else { return false }
        entry.score += Self.strikeCost
        guard entry.score >= Self.banScore else { return false }
        entry.bannedUntil = now + Self.banLength
        return true
    }

    /// The entry brought to `now`: the score decayed, the tokens refilled, an expired ban lifted.
    private func advanced(_ sender: NodeID, to now: Millis) -> Entry {
        guard var entry = entries[sender] else { return Entry(updatedAt: now) }
        let seconds = Double(max(0, now - entry.updatedAt)) / 1_000
        entry.score = max(0, entry.score - seconds * Self.decayPerSecond)
        entry.tokens = min(Self.burst, entry.tokens + seconds * Self.rate)
        entry.updatedAt = now
        if let until = entry.bannedUntil, until <= now { entry.bannedUntil = nil }
        return entry
    }
}
