import Foundation
import RakisChain
import RakisCore

/// Proposals: fulfilments of requests with a challenge window. Once the window is over, one
/// registered node that concluded the same output calls `finalize`, which pays the signers and
/// calls the consumer back; the others stand by in `ChainRanking.finalizers` order, one
/// submitter turn each, in case it does not.
extension ChainConnector {
    func scheduleFinalization(_ proposal: OracleProposal) {
        let order = ChainRanking.finalizers(Array(registry.values), chainRequest: proposal.key)
        let turn = order.firstIndex(of: identity.nodeId) ?? order.count
        let windowLeft = Duration.milliseconds(max(0, Millis(proposal.challengeEnds + 1) * 1_000 - runtime.now))
        let wait = windowLeft + configuration.submitterTurn * turn
        spawn { [weak self] in
            try? await Task.sleep(for: wait)
            await self?.finalize(proposal)
        }
    }

    func finalize(_ proposal: OracleProposal) async {
        guard let output = concludedOutputs[proposal.key] else { return }
        guard Keccak256.hash(output.utf8) == proposal.outputHash else {
            runtime.countChainEvent("proposal", "contradicted")
            logger.warning("contract request \(proposal.requestId): the proposed output is not the one this node concluded; it can be disputed until \(proposal.challengeEnds)")
            return
        }
        do {
            guard try await state(of: proposal.requestId) == .proposed else { return }
            let receipt = try await account.send(to: configuration.oracle, data: OracleContract.finalize(proposal, output: output))
            runtime.countChainEvent("finalization", "mined")
            logger.info("contract request \(proposal.requestId): finalized in block \(receipt.blockNumber), gas used \(receipt.gasUsed)")
        } catch {
            runtime.countChainEvent("finalization", "failed")
            logger.warning("contract request \(proposal.requestId): not finalized: \(error)")
        }
    }
}
