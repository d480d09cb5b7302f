import RakisCore

/// This node's status broadcasts outside the periodic announcement (a new connection, a new
/// peer), at most one a second: a broadcast asked for within the second is served when the second
/// ends, and any more asked for meanwhile are served by that one.
struct StatusRateLimit {
    enum Answer: Equatable {
        /// Broadcast now.
        case now
        /// Ask again after this long.
        case later(Millis)
        /// A broadcast is already due when the second ends.
        case alreadyDue
    }

    static let interval: Millis = 1_000

    private var lastBroadcast: Millis = 0
    private var due = false

    /// Asked for a broadcast at `now`. An answer `.now` counts as the broadcast.
    mutating func ask(at now: Millis) -> Answer {
        let elapsed = now - lastBroadcast
        guard elapsed >= Self.interval else {
            guard !due else { return .alreadyDue }
            due = true
            return .later(Self.interval - elapsed)
        }
        lastBroadcast = now
        return .now
    }

    /// An ask that went through the node's input queue (the one after `.later`, or a new
    /// connection's) is about to be made: what was due is asked for by it.
    mutating func clearDue() {
        due = false
    }
}
