import RakisCore

/// Remembers ids for at least one `generation` and at most two, without scanning: ids go into
/// the current generation; when it is a generation old, it becomes the previous one and the
/// one before is dropped whole.
struct RecentSet {
    private var current = DigestSet()
    private var previous = DigestSet()
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
            current = DigestSet()
            currentStarted = now
        } else if currentStarted == nil {
            currentStarted = now
        }
        current.insert(id)
    }
}

/// A set of SHA-256 digests. Every node checks every packet id against one of these, so it
/// uses open addressing with the digest's own first word as the hash: digests are already
/// uniformly distributed, and a general-purpose hasher would only add work.
struct DigestSet {
    private var slots: [Hash256?] = Array(repeating: nil, count: 16)
    private(set) var count = 0

    func contains(_ id: Hash256) -> Bool {
        var index = Int(truncatingIfNeeded: id.words.0) & (slots.count - 1)
        while let present = slots[index] {
            if present == id { return true }
            index = (index + 1) & (slots.count - 1)
        }
        return false
    }

    mutating func insert(_ id: Hash256) {
        if 2 * (count + 1) > slots.count { grow() }
        var index = Int(truncatingIfNeeded: id.words.0) & (slots.count - 1)
        while let present = slots[index] {
            if present == id { return }
            index = (index + 1) & (slots.count - 1)
        }
        slots[index] = id
        count += 1
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: nil, count: old.count * 2)
        count = 0
        for case let id? in old { insert(id) }
    }
}
