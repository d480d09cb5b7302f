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
            // The next generation will likely hold as many ids: size it once instead of growing.
            current = DigestSet(expectedCount: previous.count)
            currentStarted = now
        } else if currentStarted == nil {
            currentStarted = now
        }
        current.insert(id)
    }
}

/// A set of SHA-256 digests. Every node checks every packet id against one of these, so it uses
/// open addressing with the digest's own first word as the hash (digests are already uniform),
/// and stores only the first 128 bits: a false "seen" would need a 2^128-work collision with a
/// packet not yet sent.
struct DigestSet {
    /// First and second words of each id; (0, 0) marks an empty slot.
    private var slots: [(UInt64, UInt64)]
    /// Whether the one id whose 128-bit prefix is all zeros is present.
    private var hasZero = false
    private(set) var count = 0

    init(expectedCount: Int = 0) {
        var capacity = 16
        while 3 * capacity < 4 * expectedCount { capacity *= 2 }
        slots = [(UInt64, UInt64)](repeating: (0, 0), count: capacity)
    }

    func contains(_ id: Hash256) -> Bool {
        let key = (id.words.0, id.words.1)
        if key == (0, 0) { return hasZero }
        var index = Int(truncatingIfNeeded: key.0) & (slots.count - 1)
        while slots[index] != (0, 0) {
            if slots[index] == key { return true }
            index = (index + 1) & (slots.count - 1)
        }
        return false
    }

    mutating func insert(_ id: Hash256) {
        let key = (id.words.0, id.words.1)
        if key == (0, 0) {
            if !hasZero { hasZero = true; count += 1 }
            return
        }
        if 4 * (count + 1) > 3 * slots.count { grow() }
        var index = Int(truncatingIfNeeded: key.0) & (slots.count - 1)
        while slots[index] != (0, 0) {
            if slots[index] == key { return }
            index = (index + 1) & (slots.count - 1)
        }
        slots[index] = key
        count += 1
    }

    private mutating func grow() {
        let old = slots
        slots = [(UInt64, UInt64)](repeating: (0, 0), count: old.count * 2)
        for key in old where key != (0, 0) {
            var index = Int(truncatingIfNeeded: key.0) & (slots.count - 1)
            while slots[index] != (0, 0) { index = (index + 1) & (slots.count - 1) }
            slots[index] = key
        }
    }
}
