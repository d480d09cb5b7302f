import Synchronization

/// Each client's budget of requests: a token bucket for its rate and a count of its requests in
/// flight. Clients are API keys (checked against the store before they get here) and the one
/// anonymous client, so the table grows only with keys an operator created; it is trimmed of
/// idle clients past `maxClients` all the same.
final class RequestBudgets: Sendable {
    /// What `admit` decided.
    enum Decision {
        /// Go ahead; release the ticket when the response has been written.
        case admitted(InFlightTicket, remaining: Int)
        /// Over the rate: the earliest whole second at which a request would be admitted.
        case overRate(retryAfterSeconds: Int)
        /// `limit` requests of this client are in flight already.
        case tooManyInFlight(limit: Int)
    }

    private struct Budget {
        var tokens: Double
        var refilledAt: ContinuousClock.Instant
        var inFlight = 0
    }

    /// Beyond this many clients, idle ones are forgotten (their bucket starts full again).
    static let maxClients = 4_096
    private let budgets = Mutex<[String: Budget]>([:])

    /// Takes one token and one in-flight slot for `client`, or says why not.
    func admit(_ client: String, limits: ClientLimits, now: ContinuousClock.Instant) -> Decision {
        budgets.withLock { budgets in
            if budgets.count >= Self.maxClients, budgets[client] == nil {
                budgets = budgets.filter { $0.value.inFlight > 0 }
            }
            let capacity = Double(limits.ratePerMinute)
            let perSecond = capacity / 60
            var budget = budgets[client] ?? Budget(tokens: capacity, refilledAt: now)
            let seconds = (now - budget.refilledAt) / .seconds(1)
            budget.tokens = min(capacity, budget.tokens + max(0, seconds) * perSecond)
            budget.refilledAt = now
            defer { budgets[client] = budget }
            guard budget.inFlight < limits.maxInFlight else { return .tooManyInFlight(limit: limits.maxInFlight) }
            guard budget.tokens >= 1 else {
                return .overRate(retryAfterSeconds: max(1, Int(((1 - budget.tokens) / perSecond).rounded(.up))))
            }
            budget.tokens -= 1
            budget.inFlight += 1
            return .admitted(InFlightTicket(client: client, budgets: self), remaining: Int(budget.tokens))
        }
    }

    /// Requests of `client` in flight now.
    func inFlight(_ client: String) -> Int {
        budgets.withLock { $0[client]?.inFlight ?? 0 }
    }

    fileprivate func release(_ client: String) {
        budgets.withLock { budgets in
            guard var budget = budgets[client] else { return }
            precondition(budget.inFlight > 0, "a ticket of \(client) released more often than admitted")
            budget.inFlight -= 1
            budgets[client] = budget
        }
    }
}

/// One admitted request's in-flight slot. Released once: when the response has been written,
/// or, should the server drop the response unwritten (the client went away), when the ticket
/// goes away with it.
final class InFlightTicket: Sendable {
    private let client: String
    private let budgets: RequestBudgets
    private let released = Atomic<Bool>(false)

    fileprivate init(client: String, budgets: RequestBudgets) {
        self.client = client
        self.budgets = budgets
    }

    func release() {
        if released.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged {
            budgets.release(client)
        }
    }

    deinit { release() }
}
