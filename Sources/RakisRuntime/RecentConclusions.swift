import RakisCore
import RakisNode

/// How requests concluded at this node, for local clients (the API, the CLI): the recent
/// conclusions, for clients that ask after the fact, and the clients waiting for one to come.
struct RecentConclusions {
    typealias Waiter = CheckedContinuation<RequestConclusion?, Never>

    /// Conclusions kept in memory; older ones are read from the store.
    static let capacity = 1_024
    /// Local clients that may wait at once (each holds an HTTP connection or a CLI process).
    static let maxWaiters = 4_096

    /// Bounded: every request id anyone invents can conclude here (as a failure).
    private var recent = BoundedDictionary<Hash256, RequestConclusion>(capacity: capacity)
    /// One entry per waiting local client, all resumed by a conclusion or by `endWaits`.
    private var waiters: [Hash256: [Waiter]] = [:]
    private var waiting = 0

    /// Local clients waiting now.
    var waitingCount: Int { waiting }

    /// The request's conclusion, if it is recent enough to be held.
    subscript(requestId: Hash256) -> RequestConclusion? { recent[requestId] }

    /// `waiter` gets the request's conclusion when it comes, or nil if the node stops first, or
    /// at once if `maxWaiters` clients are waiting already.
    mutating func wait(for requestId: Hash256, _ waiter: Waiter) {
        guard waiting < Self.maxWaiters else {
            waiter.resume(returning: nil)
            return
        }
        waiting += 1
        waiters[requestId, default: []].append(waiter)
    }

    /// Keeps the conclusion and hands it to the clients waiting for it.
    mutating func record(_ conclusion: RequestConclusion) {
        recent[conclusion.requestId] = conclusion
        for waiter in waiters.removeValue(forKey: conclusion.requestId) ?? [] {
            waiting -= 1
            waiter.resume(returning: conclusion)
        }
    }

    /// The node stops: every waiting client gets nil.
    mutating func endWaits() {
        for waiter in waiters.values.joined() { waiter.resume(returning: nil) }
        waiters = [:]
        waiting = 0
    }
}
