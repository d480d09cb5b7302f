/// A calendar queue of timed items. Items at the same time come out in insertion order, so the
/// simulation never depends on how the queue happens to break ties.
///
/// Items due within `horizon` milliseconds of the cursor sit in one bucket per millisecond:
/// pushing appends, popping reads in order, and memory is touched sequentially. Later items
/// wait in a small heap and move into their bucket as the cursor comes within reach, before any
/// item for the same millisecond can be pushed directly, so insertion order is kept.
struct EventQueue<Item> {
    private static var horizon: Int { 1 << 16 }

    private struct Bucket {
        var items: [Item] = []
        var next = 0
    }

    private struct Deferred {
        let time: Int64
        let sequence: UInt64
        let item: Item

        func precedes(_ other: Deferred) -> Bool {
            time != other.time ? time < other.time : sequence < other.sequence
        }
    }

    private var buckets = [Bucket](repeating: Bucket(), count: horizon)
    private var cursor: Int64
    private var near = 0
    private var deferred: [Deferred] = []
    private var sequence: UInt64 = 0

    /// `start` is the earliest time anything will be scheduled for.
    init(start: Int64) {
        cursor = start
    }

    var isEmpty: Bool { count == 0 }
    var count: Int { near + deferred.count }

    mutating func push(_ item: Item, at time: Int64) {
        precondition(time >= cursor, "the simulation never schedules into the past")
        if time < cursor + Int64(Self.horizon) {
            buckets[Self.slot(time)].items.append(item)
            near += 1
        } else {
            pushDeferred(Deferred(time: time, sequence: sequence, item: item))
            sequence += 1
        }
    }

    mutating func pop() -> (time: Int64, item: Item)? {
        guard count > 0 else { return nil }
        var time = cursor
        while true {
            let slot = Self.slot(time)
            if buckets[slot].next < buckets[slot].items.count {
                let item = buckets[slot].items[buckets[slot].next]
                buckets[slot].next += 1
                near -= 1
                if buckets[slot].next == buckets[slot].items.count { buckets[slot] = Bucket() }
                cursor = time
                return (time, item)
            }
            // Nothing due now: step to the next millisecond, or jump to the first deferred item.
            time = near == 0 ? deferred[0].time : time + 1
            cursor = time
            while let first = deferred.first, first.time < time + Int64(Self.horizon) {
                buckets[Self.slot(first.time)].items.append(popDeferred().item)
                near += 1
            }
        }
    }

    private static func slot(_ time: Int64) -> Int { Int(truncatingIfNeeded: time) & (horizon - 1) }

    private mutating func pushDeferred(_ entry: Deferred) {
        deferred.append(entry)
        var child = deferred.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard deferred[child].precedes(deferred[parent]) else { break }
            deferred.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func popDeferred() -> Deferred {
        let top = deferred[0]
        let last = deferred.removeLast()
        if !deferred.isEmpty {
            deferred[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                guard left < deferred.count else { break }
                let right = left + 1
                let child = right < deferred.count && deferred[right].precedes(deferred[left]) ? right : left
                guard deferred[child].precedes(deferred[parent]) else { break }
                deferred.swapAt(parent, child)
                parent = child
            }
        }
        return top
    }
}
