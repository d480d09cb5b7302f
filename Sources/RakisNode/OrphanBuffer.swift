import RakisCore

/// Packets that arrived before what they depend on, grouped by request, bounded in count.
/// When the buffer is full, the request whose packets waited longest loses them.
struct OrphanBuffer {
    struct Orphan {
        let envelope: Envelope
        let via: TransportName
    }

    private var byRequest: [Hash256: [Orphan]] = [:]
    /// Requests in the order their first orphan arrived, for eviction.
    private var arrivalOrder: [Hash256] = []
    private(set) var count = 0
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    mutating func hold(_ envelope: Envelope, for requestId: Hash256, via: TransportName) {
        if byRequest[requestId] == nil { arrivalOrder.append(requestId) }
        byRequest[requestId, default: []].append(Orphan(envelope: envelope, via: via))
        count += 1
        while count > capacity, !arrivalOrder.isEmpty {
            count -= byRequest.removeValue(forKey: arrivalOrder.removeFirst())?.count ?? 0
        }
    }

    /// Removes and returns the packets waiting for a request.
    mutating func release(_ requestId: Hash256) -> [Orphan] {
        guard let waiting = byRequest.removeValue(forKey: requestId) else { return [] }
        count -= waiting.count
        arrivalOrder.removeAll { $0 == requestId }
        return waiting
    }
}
