import Testing
import RakisCore
import RakisNode
@testable import RakisRuntime

/// The conclusion cache serves late askers and waiting clients, and bounds the clients.
@Suite(.timeLimit(.minutes(1))) struct RecentConclusionsTests {
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

    @Test func oneClientTooManyIsAnsweredAtOnceAndTheOthersGetTheirConclusions() async {
        let holder = Holder()
        let ids = (0..<RecentConclusions.maxWaiters).map { Hash256.of([UInt8($0 & 0xff), UInt8($0 >> 8)]) }
        await withTaskGroup(of: Bool.self) { group in
            for id in ids { group.addTask { await holder.wait(for: id)?.requestId == id } }
            while await holder.waitingCount < ids.count { await Task.yield() }
            // The client beyond the bound is refused at once. Were it to wait, nothing would ever
            // answer it: after 10 s the waits are ended, so that the test fails instead of hanging.
            let refusedAtOnce = await withTaskGroup(of: Bool?.self) { race -> Bool in
                race.addTask { await holder.wait(for: Hash256.of([9, 9, 9])) == nil }
                race.addTask { try? await Task.sleep(for: .seconds(10)); return nil }
                let first = await race.next() ?? nil
                race.cancelAll()
                if first == nil { await holder.endWaits() }
                return first == true
            }
            #expect(refusedAtOnce, "the client beyond the bound was made to wait")
            for id in ids { await holder.record(Self.conclusion(id)) }
            var answered = 0
            for await gotIt in group where gotIt { answered += 1 }
            #expect(answered == ids.count)
        }
        #expect(await holder.waitingCount == 0)
    }

    @Test func stoppingAnswersEveryWaiterWithNil() async {
        let holder = Holder()
        async let answer = holder.wait(for: Hash256.of([1]))
        while await holder.waitingCount < 1 { await Task.yield() }
        await holder.endWaits()
        #expect(await answer == nil)
    }
}
