import RakisCore

/// Remembers ids for at least one `generation` and at most two, without scanning: ids go into
/// the current generation; when it is a generation old, it becomes the previous one and the
/// one before is dropped whole.
struct RecentSet {
    private var current: Set<Hash256> = []
    private var previous: Set<Hash256> = []
    private var currentStarted: Millis?
    private let generation: Millis

    init(generation: Millis = 60_000) {
        self.generation = generation
    }

    func contains(_ id: Hash256) -> Bool {
        current.contains(id) || previous.contains(id)
    }

    mutating func insert(_ id: Hash256, now: Millis) {
        if let started = currentStarted, now - started >= generation {
            previous = current
            current = []
            currentStarted = now
        } else if currentStarted == nil {
            currentStarted = now
        }
        current.insert(id)
    }
}
