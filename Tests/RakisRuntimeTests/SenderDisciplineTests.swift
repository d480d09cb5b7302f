import Testing
import RakisCore
@testable import RakisRuntime

/// Per-sender scores, rates and bans, the same on every transport.
@Suite struct SenderDisciplineTests {
    let sender = NodeIdentity(deterministicLabel: "disciplined").nodeId

    @Test func fourRuleBreakingPacketsInQuickSuccessionBanForTenMinutes() {
        var discipline = SenderDiscipline()
        #expect(discipline.admit(sender, at: 0) == .pass)
        var banned: [Bool] = []
        for _ in 0..<4 { banned.append(discipline.count(sender, misbehaved: true, at: 0)) }
        #expect(banned == [false, false, false, true])
        #expect(discipline.admit(sender, at: 10) == .banned(until: SenderDiscipline.banLength))
        #expect(discipline.admit(sender, at: SenderDiscipline.banLength) == .pass, "the ban expires")
    }

    @Test func scoresDecaySoSlowMisbehaviourIsNotBanned() {
        var discipline = SenderDiscipline()
        // One strike a minute decays away before the next: never banned.
        for minute in 0..<10 {
            let banned = discipline.count(sender, misbehaved: true, at: Millis(minute) * 60_000)
            #expect(!banned)
        }
        #expect(discipline.admit(sender, at: 600_000) == .pass)
    }

    @Test func theRateLimitDropsTheExcessAndRefills() {
        var discipline = SenderDiscipline()
        for _ in 0..<Int(SenderDiscipline.burst) { _ = discipline.count(sender, misbehaved: false, at: 0) }
        #expect(discipline.admit(sender, at: 0) == .overRate)
        #expect(discipline.admit(sender, at: 1_000) == .pass, "a second refills \(SenderDiscipline.rate) packets")
        // Another sender is untouched.
        #expect(discipline.admit(NodeIdentity(deterministicLabel: "other").nodeId, at: 0) == .pass)
    }
}
