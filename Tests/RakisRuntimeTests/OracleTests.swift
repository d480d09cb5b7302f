import Foundation
import Testing
import RakisChain
import RakisCore
import RakisNode
import RakisRuntime
import RakisStore
import RakisTestSupport

extension LoopbackNetworkTests {
    /// callLLM end to end: the oracle and a StoryTeller on a private py-evm chain, five real
    /// nodes registered with it. The consumer pays for a story; two colluders who registered after
    /// it cannot fulfil it; the nodes bring the request into the network and agree on the output,
    /// the three the contract drew for its committee attest with their chain keys, and one node
    /// fulfils with their signatures. The StoryTeller's callback stores the story and the signers
    /// are paid. The submitter is killed and restarted on its store on the way: it sends nothing
    /// new. Then a request with a challenge window is proposed and finalized, one falls back to
    /// the next submitter, and a lie is disputed by a node whose certificate contradicts it, voted
    /// down by the second committee and slashed.
    @Test(.requires(.testChain))
    func aContractAsksTheNetworkAndOneNodeFulfilsWithACertificate() async throws {
        // Short turns, so a test of the fallback would not wait long; nodes stake disputes.
        let testbed = try await OracleTestbed(extraSettings: ["submitter_turn_ms: 15000", "introducer_turn_ms: 3000", "dispute_bond: 1"])
        let (chain, deployment) = (testbed.chain, testbed.deployment)

        // Five nodes, each with a funded, registered chain key.
        var extra: [Int: [String]] = [:]
        var accounts: [ChainAccount] = []
        let identities = (0..<5).map { _ in NodeIdentity.generate() }
        for index in 0..<5 {
            let account = try await deployment.fundedAccount()
            try await deployment.register(account, as: identities[index].nodeId)
            accounts.append(account)
            extra[index] = ["--config", testbed.settings, "--chain-key-file", try testbed.chainKeyFile(account, node: index)]
        }
        let cluster = try LoopbackCluster(serving: 5, followers: 0, transports: [.mesh], extraArguments: extra, identities: identities)
        #expect(await cluster.waitUntilConnected(), "\(cluster.logs())")

        let consumer = try await deployment.fundedAccount()
        let requestId = try await deployment.tell("Tell a one-sentence story about a lighthouse.", from: consumer)

        // Two colluders register now, after the request, and fulfil it with an output of their
        // choosing before the network answers: they are not its committee, and the oracle refuses.
        var colluders: [ChainAccount] = []
        for _ in 0..<2 {
            let account = try await deployment.fundedAccount()
            try await deployment.register(account, as: NodeIdentity.generate().nodeId)
            colluders.append(account)
        }
        let forged = "The colluders' story."
        let forgedSet = Keccak256.hash("any commitments".utf8)
        let forgedDigest = OracleDigest.fulfilmentDigest(chainId: UInt64(chain.chainId), oracle: deployment.oracle, requestId: requestId,
                                                         output: forged, commitmentSetHash: forgedSet)
        let forgery = OracleContract.fulfill(requestId: requestId, output: forged, commitmentSetHash: forgedSet,
                                             signatures: colluders.map(\.key).sorted { $0.address < $1.address }
                                                 .map { $0.sign(digest: EthereumMessage.personalHash(forgedDigest)) })
        do {
            _ = try await deployment.rpc.estimateGas(from: colluders[0].address.lowercaseHex, to: deployment.oracle.lowercaseHex, data: forgery)
            Issue.record("a fulfilment by two registered nodes off the committee would be accepted")
        } catch let error as ChainRPCError {
            #expect(error.revertMessage == "signer not on the committee")
        }
        // They leave again, so that the later requests' committees are the three nodes'.
        for account in colluders {
            _ = try await account.send(to: deployment.oracle, data: try ABI.encodeCall("deregister()", [], as: []))
        }

        // The moment a node has stored its signed fulfilment, it is killed and restarted on its
        // store: the request is not yet fulfilled on chain, and the node must not sign again.
        var submitter: Int?
        let stored = await eventually(timeout: .seconds(180)) {
            submitter = cluster.nodes.firstIndex { $0.log.contains("fulfilment stored") }
            return submitter != nil
        }
        #expect(stored, "no node stored a fulfilment\n\(cluster.logs())\n\(chain.log.suffix(2000))")
        let index = try #require(submitter)
        await cluster.nodes[index].kill()
        try cluster.nodes[index].restart()

        var story = ""
        let told = await eventually(timeout: .seconds(120)) {
            story = (try? await deployment.story(requestId)) ?? ""
            return !story.isEmpty
        }
        #expect(told, "no story\n\(cluster.logs())\n\(chain.log.suffix(2000))")
        #expect(try await deployment.state(requestId) == .fulfilled)

        // The nodes that were not restarted count their attestations and the chain's progress.
        var attested = 0.0
        var block = 0.0
        for other in cluster.nodes.indices where other != index {
            let metrics = await cluster.metrics(other)
            attested += metrics[#"rakis_chain_events_total{event="attestation",outcome="made"}"#] ?? 0
            block = max(block, metrics["rakis_chain_block"] ?? 0)
        }
        #expect(attested >= 1 && block > Double(deployment.deploymentBlock), "attestations \(attested), block \(block)")
        // The contract drew three of the five (one seat each): each of them attested, on the
        // network's quorum or not.
        var drawn: [Int] = []
        for (node, account) in accounts.enumerated() {
            let answer = try await deployment.rpc.call(to: deployment.oracle.lowercaseHex, data: OracleContract.seatsOf(requestId, account.address))
            if answer.last != 0 { drawn.append(node) }
        }
        #expect(drawn.count == 3, "the nodes with seats: \(drawn)")
        for node in drawn where node != index {
            #expect(await cluster.metrics(node)[#"rakis_chain_events_total{event="attestation",outcome="made"}"#] == 1,
                    "node \(node), drawn by the contract, did not attest")
        }

        // The nodes were paid by seats: a third of the fee for each of the three seats signed (two
        // or three, as attestations arrived before the submitter's turn; an unsigned seat's third
        // goes back to the consumer), and the wei the division leaves to the submitter.
        var earned = UInt256.zero
        for account in accounts { earned = earned + (try await deployment.earnings(account.address)) }
        let fee = UInt256(10_000_000_000_000_000)
        let unsignedSeat = UInt256(10_000_000_000_000_000 / 3)
        #expect(earned == fee || earned + unsignedSeat == fee, "the nodes earned \(earned)")

        // One fulfilment in all: every node sent its registration, and the submitter one more
        // transaction, across its restart. Give a second submission time to show up.
        try await Task.sleep(for: .seconds(3))
        var sent: [Int] = []
        for account in accounts { sent.append(try await deployment.rpc.pendingNonce(of: account.address.lowercaseHex)) }
        #expect(sent[index] == 2 && sent.enumerated().allSatisfy { $0.offset == index || $0.element == 1 }, "transactions per node: \(sent)")
        // The restarted node's store holds that one transaction, seen mined (sent again after the
        // restart if the kill came before its receipt).
        let key = "\(chain.chainId):\(deployment.oracle.lowercaseHex):\(requestId)"
        var submission: ChainSubmission?
        #expect(await eventually(timeout: .seconds(30)) {
            submission = try? NodeStore(path: "\(cluster.dataDirectory(index))/rakis.sqlite").submission(for: key)
            return submission?.state == .mined
        }, "stored submission: \(String(describing: submission))\n\(cluster.nodes[index].log.suffix(3000))")
        let (receipt, _) = try await deployment.fulfilment(requestId)
        #expect(receipt.transactionHash == submission?.txHash)
        print("FIGURES oracle: request \(requestId) fulfilled by node \(index) (restarted after storing its transaction); fulfil gas used \(receipt.gasUsed); story \(story.debugDescription)")

        // A request with a challenge window of 4 s, straight to the oracle (the StoryTeller's
        // callback stores it): the fulfilment is a proposal, and once the window is over a node
        // that concluded the same output finalizes it, which calls the consumer back.
        let ask = try requestCall("Tell a one-sentence story about a ship.", quorum: 3, challengeWindow: 4, callback: deployment.storyTeller)
        _ = try await consumer.send(to: deployment.oracle, value: UInt256(10_000_000_000_000_000), data: ask)
        let asked = ContinuousClock.now
        let count = try await deployment.rpc.call(to: deployment.oracle.lowercaseHex, data: try ABI.encodeCall("requestCount()", [], as: []))
        let windowed = try #require(UInt256(bigEndian: count))
        var wentThroughProposal = false
        let finalized = await eventually(timeout: .seconds(120)) {
            let state = try? await deployment.state(windowed)
            if state == .proposed { wentThroughProposal = true }
            return state == .fulfilled
        }
        #expect(finalized, "the windowed request was not finalized\n\(cluster.logs())")
        #expect(wentThroughProposal, "the windowed request was never seen as a proposal")
        #expect(((try? await deployment.story(windowed)) ?? "").isEmpty == false, "no callback after finalize")
        print("FIGURES oracle challenge window: request \(windowed) proposed, then finalized and called back \(ContinuousClock.now - asked) after it was made (window 4 s)")

        // Fallback: no node can pay for a fulfilment any more. The first in line is refused by
        // the chain; then the others get their ether back, and the next in line submits when
        // its turn comes.
        for account in accounts { try await deployment.drain(account) }
        let second = try await deployment.tell("Tell a one-sentence story about a harbour.", from: consumer)
        var refused: Int?
        #expect(await eventually(timeout: .seconds(120)) {
            refused = cluster.nodes.indices.first { cluster.nodes[$0].log.contains("the chain refused fulfilment") }
            return refused != nil
        }, "nobody tried to submit\n\(cluster.logs())")
        let first = try #require(refused)
        let refusedAt = ContinuousClock.now
        for other in accounts.indices where other != first {
            try await deployment.deployer.send(to: accounts[other].address, value: UInt256(1_000_000_000_000_000_000), data: [])
        }
        let secondTold = await eventually(timeout: .seconds(60)) { ((try? await deployment.story(second)) ?? "").isEmpty == false }
        #expect(secondTold, "no second story\n\(cluster.logs())")
        let fallbackSubmitter = try await deployment.fulfilment(second).submitter
        #expect(fallbackSubmitter != accounts[first].address && accounts.contains { $0.address == fallbackSubmitter })
        print("FIGURES oracle fallback: node \(first) refused, the next in line fulfilled \(ContinuousClock.now - refusedAt) later (turns of 15 s)")

        // A committee that lies, caught by a dispute: a request with a quorum of one and a 60 s
        // window; the node the contract drew has its chain key sign another output, proposed at
        // once. The nodes, whose certificates say otherwise, stake disputes (`dispute_bond: 1`):
        // one of them disputes, the second committee's members vote it down from their own
        // addresses, and the liar is slashed. Each node can afford the bond.
        for account in accounts {
            try await deployment.deployer.send(to: account.address, value: UInt256(2_000_000_000_000_000_000), data: [])
        }
        let lie = try requestCall("Tell a one-sentence story about a storm.", quorum: 1, challengeWindow: 60, callback: deployment.storyTeller)
        _ = try await consumer.send(to: deployment.oracle, value: UInt256(10_000_000_000_000_000), data: lie)
        let lastId = try await deployment.rpc.call(to: deployment.oracle.lowercaseHex, data: try ABI.encodeCall("requestCount()", [], as: []))
        let disputedId = try #require(UInt256(bigEndian: lastId))
        var liars: [Int] = []
        for (node, account) in accounts.enumerated() {
            let answer = try await deployment.rpc.call(to: deployment.oracle.lowercaseHex, data: OracleContract.seatsOf(disputedId, account.address))
            if answer.last != 0 { liars.append(node) }
        }
        let liar = try #require(liars.count == 1 ? liars.first : nil, "one node drawn for a quorum of one: \(liars)")
        let forgedStory = "A story nobody told."
        let forgedCommitments = Keccak256.hash("no commitments".utf8)
        let lieDigest = OracleDigest.fulfilmentDigest(chainId: UInt64(chain.chainId), oracle: deployment.oracle, requestId: disputedId,
                                                      output: forgedStory, commitmentSetHash: forgedCommitments)
        _ = try await accounts[liar].send(to: deployment.oracle, data: OracleContract.fulfill(
            requestId: disputedId, output: forgedStory, commitmentSetHash: forgedCommitments,
            signatures: [accounts[liar].key.sign(digest: EthereumMessage.personalHash(lieDigest))]))
        #expect(try await deployment.state(disputedId) == .proposed)
        let disputed = await eventually(timeout: .seconds(60)) { (try? await deployment.state(disputedId)) == .disputed }
        #expect(disputed, "no node disputed the lie\n\(cluster.logs())")
        let votedDown = await eventually(timeout: .seconds(90)) { (try? await deployment.state(disputedId)) == .pending }
        #expect(votedDown, "the lie was not voted down\n\(cluster.logs())")
        let deposit = try await deployment.rpc.call(to: deployment.oracle.lowercaseHex,
                                                    data: try ABI.encodeCall("depositOf(address)", [.address(accounts[liar].address)], as: [.address]))
        #expect(UInt256(bigEndian: deposit) == .zero, "the liar's deposit after the dispute")
        var votes = 0.0
        var disputes = 0.0
        for node in accounts.indices {
            let metrics = await cluster.metrics(node)
            votes += metrics[#"rakis_chain_events_total{event="dispute vote",outcome="rejected"}"#] ?? 0
            disputes += metrics[#"rakis_chain_events_total{event="dispute",outcome="opened"}"#] ?? 0
        }
        #expect(votes >= 1)
        #expect(disputes == 1, "one bond staked by the nodes in turn, not one per node: \(disputes)")
        print("FIGURES oracle dispute: a lie proposed by the one node drawn was disputed by a node, voted down by \(Int(votes)) node(s) of the second committee and its deposit slashed")

        #expect(await cluster.stopAll().allSatisfy { $0 == 0 })
        await testbed.tearDown()
    }

    /// A structured request on chain, end to end: the GrantJudge asks the oracle with its schema of
    /// flat fields, three real nodes answer it under the schema, sign the result hash (output and
    /// typed answer) and one fulfils; the judge's callback decodes the typed answer, records the
    /// decision and pays the recipient exactly when it approves. The fields it recorded, written
    /// back as canonical JSON and encoded again, hash to the result the committee signed: the
    /// contract acted on the agreed answer, with no JSON parsed on chain.
    @Test(.requires(.testChain))
    func aGrantJudgeActsOnTheNetworksTypedAnswer() async throws {
        let testbed = try await OracleTestbed()
        let deployment = testbed.deployment
        var extra: [Int: [String]] = [:]
        let identities = (0..<3).map { _ in NodeIdentity.generate() }
        for index in 0..<3 {
            let account = try await deployment.fundedAccount()
            try await deployment.register(account, as: identities[index].nodeId)
            extra[index] = ["--config", testbed.settings, "--chain-key-file", try testbed.chainKeyFile(account, node: index)]
        }
        let cluster = try LoopbackCluster(serving: 3, followers: 0, transports: [.mesh], extraArguments: extra, identities: identities)
        #expect(await cluster.waitUntilConnected(), "\(cluster.logs())")

        let judge = try await deployment.deployGrantJudge(maxTokens: 64)
        let schema = try OutputSchema(json: try JSONParser.parse(Array(try await deployment.grantSchema(judge).utf8)), path: "schema")
        #expect(OracleAnswer.types(of: schema)?.map(\.canonicalName) == ["bool", "uint8", "string", "uint256"])
        let grant = UInt256(100_000_000_000_000_000)
        try await deployment.deployer.send(to: judge, value: UInt256(1_000_000_000_000_000_000), data: [])
        let applicant = try await deployment.fundedAccount()
        let recipient = ChainAccount(key: ChainKey.generate(), rpcURL: testbed.chain.url).address
        let requestId = try await deployment.applyForGrant(
            judge, proposal: "An open-source library that makes school timetables for rural schools, maintained by two teachers.",
            amount: grant, recipient: recipient, from: applicant)

        var decision: OracleDeployment.GrantDecision?
        let decided = await eventually(timeout: .seconds(240)) {
            decision = try? await deployment.grantDecision(judge, requestId)
            return decision?.decided == true
        }
        #expect(decided, "the judge was not called back\n\(cluster.logs())\n\(testbed.chain.log.suffix(2000))")
        let made = try #require(decision)
        let fulfilled = try await deployment.fulfilled(requestId)
        #expect(fulfilled.callbackSucceeded)
        let categories = ["research", "education", "infrastructure", "other"]
        let output = JSONValue.object(["approve": .bool(made.approve), "category": .string(categories[made.category]),
                                       "reason": .string(made.reason), "score": .number(Double(made.score))]).canonicalString
        let answer = try #require(OracleAnswer.encode(output: output, schema: schema), "the recorded fields do not fit the schema: \(output)")
        #expect(OracleDigest.resultHash(output: output, answer: answer) == fulfilled.resultHash,
                "the judge recorded \(output), which is not the result the committee signed")
        let balance = UInt256(hexQuantity: try await deployment.rpc.balance(of: recipient.lowercaseHex)) ?? .zero
        #expect(balance == (made.approve ? grant : .zero), "approve \(made.approve), recipient balance \(balance)")
        print("FIGURES oracle structured: the GrantJudge decided \(output) (request \(requestId)); recipient paid: \(balance != .zero)")

        #expect(await cluster.stopAll().allSatisfy { $0 == 0 })
        await testbed.tearDown()
    }

    /// `request(...)` straight to the oracle: SmolLM2, 24 tokens at temperature 0, secDistance
    /// 0.25, secPercentage 0.66, ten minutes to answer.
    private func requestCall(_ prompt: String, quorum: Int, challengeWindow: Int, callback: EthereumAddress) throws -> [UInt8] {
        let deadline = Int(Date().timeIntervalSince1970) + 600
        let numbers = [24, 0, quorum, 2_500, 6_600, deadline].map { ABIValue.uint(UInt256(UInt64($0))) }
        return try ABI.encodeCall(
            "request(string,string[],uint32,uint16,uint8,uint16,uint16,uint64,address,uint64)",
            [.string(prompt), .array([.string("smollm2-135m-instruct")])] + numbers + [.address(callback), .uint(UInt256(UInt64(challengeWindow)))],
            as: [.string, .array(.string), .uint(bits: 32), .uint(bits: 16), .uint(bits: 8), .uint(bits: 16), .uint(bits: 16),
                 .uint(bits: 64), .address, .uint(bits: 64)])
    }
}
