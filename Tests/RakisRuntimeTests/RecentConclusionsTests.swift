import Testing
import RakisCore
import RakisNode
@testable import RakisRuntime

/// The conclusion cache serves late askers and waiting clients.
@Suite struct RecentConclusionsTests {
    /// The runtime's actor, reduced to the cache.
    actor Holder {
        var conclusions = RecentConclusions()
        func wait(for id: Hash256) async -> RequestConclusion? {
            if let conclusion = conclusions[id] { return conclusion }
            return await withCheckedContinuation { conclusions.wait(for: id, $0) }
        }
        func record(_ conclusion: RequestConclusion) { conclusions.record(conclusion) }
        func endWaits() { conclusions.endWaits() }
        var waitingCount: Int { conclusions.waitingCount }
    }

    static func conclusion(_ id: Hash256) -> RequestConclusion {
        RequestConclusion(requestId: id, outcome: .failed(.noQuorum), certificate: nil, concludedAt: 1)
    }

    @Test func aWaiterGetsItsConclusionAndLaterAskersTheCachedOne() async {
        let holder = Holder()
        let id = Hash256.of([7])
        async let answer = holder.wait(for: id)
        while await holder.waitingCount < 1 { await Task.yield() }
        await holder.record(Self.conclusion(id))
        #expect(await answer?.requestId == id)
        #expect(await holder.waitingCount == 0)
        #expect(await holder.wait(for: id)?.requestId == id, "a concluded request is answered from the cache")
    }

    @Test func stoppingAnswersEveryWaiterWithNil() async {
        let holder = Holder()
        async let answer = holder.wait(for: Hash256.of([1]))
        while await holder.waitingCount < 1 { await Task.yield() }
        await holder.endWaits()
        #expect(await answer == nil)
    }
}
