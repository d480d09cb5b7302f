import Foundation
import Testing
import RakisChain
import RakisCore
import RakisTestSupport

/// The oracle contract on a real EVM (py-evm), driven by our own ABI, signing and transactions:
/// a certificate signed as the nodes sign it fulfils a request, and forged ones are refused.
@Suite(.serialized, .timeLimit(.minutes(5)), .requires(.testChain))
struct OracleContractTests {
    struct Setup {
        let chain: PrivateChain
        let deployment: OracleDeployment
        /// Registered nodes, the request's committee; two registered after the request; one never registered.
        let nodes: [ChainAccount]
        let latecomers: [ChainAccount]
        let outsider: ChainKey
        let requestId: UInt256

        func call(output: String, signers: [ChainKey], signedOutput: String? = nil, sorted: Bool = true) -> [UInt8] {
            let commitmentSetHash = Keccak256.hash("three commitments".utf8)
            let digest = OracleDigest.fulfilmentDigest(chainId: UInt64(chain.chainId), oracle: deployment.oracle, requestId: requestId,
                                                       output: signedOutput ?? output, commitmentSetHash: commitmentSetHash)
            let ordered = sorted ? signers.sorted { $0.address < $1.address } : signers.sorted { $0.address > $1.address }
            return OracleContract.fulfill(requestId: requestId, output: output, commitmentSetHash: commitmentSetHash,
                                          signatures: ordered.map { $0.sign(digest: EthereumMessage.personalHash(digest)) })
        }

        /// The revert reason of a fulfilment sent by `submitter`, from the chain's gas estimate.
        func revertReason(_ data: [UInt8], from submitter: EthereumAddress) async -> String? {
            do {
                _ = try await deployment.rpc.estimateGas(from: submitter.lowercaseHex, to: deployment.oracle.lowercaseHex, data: data)
                return nil
            } catch let error as ChainRPCError {
                return error.revertMessage
            } catch {
                return "\(error)"
            }
        }
    }

    func setUp() async throws -> Setup {
        let chain = try await PrivateChain(blockTime: 0)
        let deployment = try await OracleDeployment.deploy(on: chain)
        var nodes: [ChainAccount] = []
        for _ in 0..<3 {
            let account = try await deployment.fundedAccount()
            try await deployment.register(account, as: NodeIdentity.generate().nodeId)
            nodes.append(account)
        }
        let requestId = try await deployment.tell("Once upon a time", from: try await deployment.fundedAccount())
        var latecomers: [ChainAccount] = []
        for _ in 0..<2 {
            let account = try await deployment.fundedAccount()
            try await deployment.register(account, as: NodeIdentity.generate().nodeId)
            latecomers.append(account)
        }
        return Setup(chain: chain, deployment: deployment, nodes: nodes, latecomers: latecomers, outsider: ChainKey.generate(),
                     requestId: requestId)
    }

    @Test func forgedCertificatesAreRefusedAndAGenuineOneFulfils() async throws {
        let setup = try await setUp()
        let keys = setup.nodes.map { $0.key }
        let submitter = setup.nodes[0]
        let output = "A lighthouse keeper counted ships."

        #expect(await setup.revertReason(setup.call(output: output, signers: [keys[0], setup.outsider]), from: submitter.address)
            == "signer not registered")
        #expect(await setup.revertReason(setup.call(output: output, signers: [keys[1]]), from: submitter.address) == "too few seats")
        // Two colluding registered nodes that are not the request's committee: any output, refused.
        #expect(await setup.revertReason(setup.call(output: output, signers: setup.latecomers.map(\.key)), from: setup.latecomers[0].address)
            == "signer not on the committee")
        #expect(await setup.revertReason(setup.call(output: output + "!", signers: [keys[0], keys[1]], signedOutput: output),
                                         from: submitter.address) == "signer not registered",
                "a tampered output recovers other addresses")
        #expect(await setup.revertReason(setup.call(output: output, signers: [keys[0], keys[1]], sorted: false), from: submitter.address)
            == "signers not ascending")
        #expect(await setup.revertReason(setup.call(output: output, signers: [keys[0], keys[1]]), from: setup.outsider.address)
            == "submitter not registered")

        let genuine = setup.call(output: output, signers: [keys[0], keys[1]])
        #expect(await setup.revertReason(genuine, from: submitter.address) == nil)
        let receipt = try await submitter.send(to: setup.deployment.oracle, data: genuine)
        #expect(try await setup.deployment.story(setup.requestId) == output)
        #expect(try await setup.deployment.state(setup.requestId) == .fulfilled)
        #expect(await setup.revertReason(genuine, from: submitter.address) == "not pending", "a request is fulfilled once")
        print("FIGURES oracle fulfil gas (2 signatures, \(output.utf8.count)-byte output, our transaction): \(receipt.gasUsed)")
    }
}
