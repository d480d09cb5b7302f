import Foundation
import Testing
import RakisCore
import RakisTestSupport

extension LoopbackNetworkTests {
    /// A node can serve a model through an OpenAI-compatible server instead of its own engine.
    /// Here the server is another Rakis network's /v1 endpoint: node 0 of the "downstream"
    /// network answers with the consensus output of three "upstream" nodes, and agrees with the
    /// two downstream nodes that run the engine themselves (greedy decoding: the same text).
    @Test func aNodeServesAModelThroughAnotherRakisNetworksOpenAIEndpoint() async throws {
        let upstream = try LoopbackCluster(serving: 3, followers: 0, transports: [.mesh], api: true)
        #expect(await upstream.waitUntilConnected(), "\(upstream.logs())")
        let upstreamAPI = "http://127.0.0.1:\(try #require(upstream.apiPort))"
        let downstream = try LoopbackCluster(serving: 3, followers: 0, transports: [.mesh], backends: [0: "\(upstreamAPI)/v1"])
        #expect(await downstream.waitUntilConnected(), "\(downstream.logs())")

        let outcome = try await downstream.submit("Name the largest planet.", quorum: 3, extra: ["--chat"])
        #expect(outcome.status == "final", "\(outcome.json)\n\(downstream.logs())\n\(upstream.logs())")
        let requestId = try #require(outcome.requestId)
        let cluster = try #require(outcome.json["cluster"] as? [String])
        #expect(cluster.count == 3, "the backend's output agrees with the engines' \(outcome.json)")
        // The downstream node 0 did ask upstream: a request concluded there.
        let requests = try await HTTP.get("\(upstreamAPI)/api/requests").data
        let upstreamRequests = try JSONSerialization.jsonObject(with: requests) as? [[String: Any]] ?? []
        #expect(upstreamRequests.contains { $0["phase"] as? String == "final" }, "\(upstreamRequests)")
        #expect(downstream.nodes[0].log.contains("request \(requestId.prefix(8)): inference took"))
        #expect(await downstream.stopAll().allSatisfy { $0 == 0 })
        #expect(await upstream.stopAll().allSatisfy { $0 == 0 })
    }
}
