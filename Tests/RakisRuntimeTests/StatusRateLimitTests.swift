import RakisCore
import Testing
@testable import RakisRuntime

@Suite struct StatusRateLimitTests {
    let start: Millis = 1_700_000_000_000

    @Test func oneBroadcastASecondAndAskersWithinItShareTheNext() {
        var limit = StatusRateLimit()
        #expect(limit.ask(at: start) == .now)
        #expect(limit.ask(at: start + 300) == .later(700))
        #expect(limit.ask(at: start + 400) == .alreadyDue)
        limit.clearDue()
        #expect(limit.ask(at: start + 1_000) == .now)
        #expect(limit.ask(at: start + 2_500) == .now)
    }

    @Test func aQueuedAskWithinTheSecondWaitsAgain() {
        var limit = StatusRateLimit()
        #expect(limit.ask(at: start) == .now)
        #expect(limit.ask(at: start + 100) == .later(900))
        // A new connection's ask overtook the scheduled one: it waits for the rest of the second.
        limit.clearDue()
        #expect(limit.ask(at: start + 600) == .later(400))
    }
}
