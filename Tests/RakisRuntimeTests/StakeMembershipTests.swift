import Foundation
import Testing
import RakisChain
import RakisCore
import RakisTestSupport

extension LoopbackNetworkTests {
    /// A stake network: four real nodes take their weights from the oracle's registry on a
    /// private chain. Three are registered (deposits of 1, 1 and 2 units); the fourth sits on no
    /// committee until it registers (3 units), and then a quorum of four, which needs it, is
    /// final. The chain then drops the blocks of that registration (evm_revert, deeper than the
    /// nodes' confirmations): every node reads the registry again, and the fourth has no weight.
    @Test(.requires(.testChain))
    func aStakeNetworksWeightsAreTheRegistrysThroughARegistrationAndAReorganization() async throws {
        let testbed = try await OracleTestbed()
        let deployment = testbed.deployment
        let identities = (0..<4).map { _ in NodeIdentity.generate() }
        var accounts: [ChainAccount] = []
        for (index, units) in [1, 1, 2].enumerated() {
            let account = try await deployment.fundedAccount()
            try await deployment.register(account, as: identities[index].nodeId, deposit: OracleDeployment.minDeposit * UInt256(UInt64(units)))
            accounts.append(account)
        }
        accounts.append(try await deployment.fundedAccount())
        var extra: [Int: [String]] = [:]
        for index in 0..<4 {
            extra[index] = ["--config", testbed.settings, "--chain-key-file", try testbed.chainKeyFile(accounts[index], node: index)]
        }
        for _ in 0..<3 { _ = try await deployment.rpc.client.call("evm_mine") }  // the registrations confirmed
        let cluster = try LoopbackCluster(serving: 4, followers: 0, transports: [.mesh], extraArguments: extra, identities: identities, stake: true)
        #expect(await cluster.waitUntilConnected(), "\(cluster.logs())")

        /// Whether every node holds weights summing to `total`, and node 3 weighs `newcomer`.
        func everyNodeHolds(total: Double, newcomer: Double) async -> Bool {
            for index in 0..<4 where await cluster.metrics(index)["rakis_membership_weight"] != total { return false }
            return await cluster.metrics(3)["rakis_node_weight"] == newcomer
        }
        #expect(await eventually(timeout: .seconds(30)) { await everyNodeHolds(total: 4, newcomer: 0) }, "\(cluster.logs())")
        #expect(await cluster.metrics(2)["rakis_node_weight"] == 2)

        // Node 3 registers; the nodes adopt the new weights once the registration is confirmed.
        let beforeRegistration = try await deployment.rpc.client.call("evm_snapshot")
        try await deployment.register(accounts[3], as: identities[3].nodeId, deposit: OracleDeployment.minDeposit * 3)
        #expect(await eventually(timeout: .seconds(30)) { await everyNodeHolds(total: 7, newcomer: 3) }, "\(cluster.logs())")
        let outcome = try await cluster.submit("Name a colour.", quorum: 4, extra: ["--config", testbed.settings])
        #expect(outcome.status == "final", "a quorum of four needs the node that registered: \(outcome.json)\n\(cluster.logs())")
        #expect(cluster.nodes[3].log.contains("inference took"), "node 3 ran nothing\n\(cluster.nodes[3].log.suffix(3000))")

        // The chain replaces the blocks from the registration on: the nodes notice, read the
        // registry again from the oracle's first block, and node 3 is out.
        _ = try await deployment.rpc.client.call("evm_revert", [beforeRegistration])
        #expect(await eventually(timeout: .seconds(60)) { await everyNodeHolds(total: 4, newcomer: 0) }, "\(cluster.logs())")
        var reorganizations = 0.0
        for index in 0..<4 {
            reorganizations += await cluster.metrics(index)[#"rakis_chain_events_total{event="reorganization",outcome="seen"}"#] ?? 0
        }
        #expect(reorganizations == 4, "every node saw the reorganization: \(reorganizations)")
        print("FIGURES stake membership: a registration was adopted by every node, a quorum of four with the newcomer was final in \(outcome.seconds ?? 0) s, and the reorganization that dropped it was followed by all four")

        #expect(await cluster.stopAll().allSatisfy { $0 == 0 })
        await testbed.tearDown()
    }
}
