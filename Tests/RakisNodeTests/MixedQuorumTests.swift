import Testing
import RakisCore
@testable import RakisNode

/// Quorums mixing model families (docs/PROTOCOL.md, "Default security frame"). Threat: a prompt
/// that fools one family, so that all its nodes write the same wrong answer, bit for bit, as
/// colluders would. Claim: when no family holds secPercentage of the seats, that answer cannot
/// be final unless the other family agrees with it within secDistance; the request fails openly
/// instead.
@Suite struct MixedQuorumTests {
    static let other = "other-llm"

    /// Three nodes of each family; the request accepts both.
    func cluster(answers: [String: String]) -> (TestCluster, RequestSpec) {
        let cluster = TestCluster(serving: 6, models: [[TestCluster.model], [Self.other]])
        cluster.infer = { _, job in answers[job.model]! }
        var spec = cluster.spec(quorum: 6)
        spec.models = [TestCluster.model, Self.other]
        return (cluster, spec)
    }

    @Test func aFooledFamilyCannotCarryAQuorumItHoldsHalfOf() {
        let (cluster, spec) = cluster(answers: [TestCluster.model: "The capital of France is Lyon.", Self.other: "Paris."])
        let id = cluster.submit(spec, at: 0)
        cluster.run(until: cluster.now + 20_000)
        // Each family's three seats agree exactly, but 3 of 6 is short of 66%.
        for node in 0..<6 {
            #expect(cluster.failure(id, at: node) == .consensus(.noClusterLargeEnough(largest: 3, required: 4)),
                    "node \(node): \(String(describing: cluster.outcome(id, at: node)))")
        }
    }

    @Test func familiesThatAgreeFinalizeTogether() throws {
        let (cluster, spec) = cluster(answers: [TestCluster.model: "Paris.", Self.other: "Paris."])
        let id = cluster.submit(spec, at: 0)
        cluster.run(until: cluster.now + 20_000)
        let chosen = try #require(cluster.chosen(id, at: 0))
        #expect(chosen.cluster.count == 6)
        // The commits name each member's model: both families are in the agreeing cluster.
        let models = Set(cluster.broadcasts.compactMap { $0.envelope.commit }.filter { $0.requestId == id }.map(\.model))
        #expect(models == [TestCluster.model, Self.other])
        #expect((0..<6).allSatisfy { cluster.chosen(id, at: $0) == chosen })
    }
}
