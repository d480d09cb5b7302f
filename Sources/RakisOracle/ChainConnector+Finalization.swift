import Foundation
import RakisChain
import RakisCore

/// Proposals: fulfilments of requests with a challenge window. Once the window is over, one
/// registered node that concluded the same output calls `finalize`, which pays the signers and
/// calls the consumer back; the others stand by in `ChainRanking.finalizers` order, one
/// submitter turn each, in case it does not. A proposal of another output is counted and logged,
/// and disputed if `disputeBond` asks for it; a node drawn for a dispute's committee votes, from
/// its own address, for the proposal exactly when it holds the output this node concluded.
extension ChainConnector {
    func scheduleFinalization(_ proposal: OracleProposal) {
        if let result = concludedResults[proposal.key], result.hash != proposal.outputHash {
            runtime.countChainEvent("proposal", "contradicted")
            logger.warning("contract request \(proposal.requestId): the proposed output is not the one this node concluded; it can be disputed until \(proposal.challengeEnds)")
            considerDispute(proposal)
            return
        }
        let order = ChainRanking.finalizers(registeredNodes, chainRequest: proposal.key)
        let turn = order.firstIndex(of: identity.nodeId) ?? order.count
        let windowLeft = Duration.milliseconds(max(0, Millis(proposal.challengeEnds + 1) * 1_000 - runtime.now))
        let wait = windowLeft + configuration.submitterTurn * turn
        spawn { [weak self] in
            try? await Task.sleep(for: wait)
            await self?.finalize(proposal)
        }
    }

    func finalize(_ proposal: OracleProposal) async {
        guard let result = concludedResults[proposal.key], result.hash == proposal.outputHash else { return }
        do {
            guard try await state(of: proposal.requestId) == .proposed else { return }
            let receipt = try await account.send(to: configuration.oracle, data: OracleContract.finalize(proposal, output: result.output, answer: result.answer))
            runtime.countChainEvent("finalization", "mined")
            logger.info("contract request \(proposal.requestId): finalized in block \(receipt.blockNumber), gas used \(receipt.gasUsed)")
        } catch {
            runtime.countChainEvent("finalization", "failed")
            logger.warning("contract request \(proposal.requestId): not finalized: \(error)")
        }
    }

    /// Disputes a proposal whose output is not the one this node concluded, when the node stakes
    /// disputes (`disputeBond` > 0). Called when the proposal is seen and when this node concludes,
    /// whichever comes last. The registered nodes take turns (`ChainRanking.finalizers` order, one
    /// submitter turn each), so that one bond is staked, not one per node: whoever finds the
    /// proposal disputed already stands down.
    func considerDispute(_ proposal: OracleProposal) {
        guard configuration.disputeBond > 0, let result = concludedResults[proposal.key], result.hash != proposal.outputHash,
              let minDeposit = registry?.minDeposit, disputesConsidered[proposal.key] == nil
        else { return }
        disputesConsidered[proposal.key] = true
        let order = ChainRanking.finalizers(registeredNodes, chainRequest: proposal.key)
        let wait = configuration.submitterTurn * (order.firstIndex(of: identity.nodeId) ?? order.count)
        let bond = minDeposit * UInt256(UInt64(configuration.disputeBond))
        spawn { [weak self] in
            try? await Task.sleep(for: wait)
            await self?.dispute(proposal, bond: bond)
        }
    }

    func dispute(_ proposal: OracleProposal, bond: UInt256) async {
        do {
            guard Int(runtime.now / 1_000) <= proposal.challengeEnds, try await state(of: proposal.requestId) == .proposed else { return }
            let receipt = try await account.send(to: configuration.oracle, value: bond, data: OracleContract.dispute(proposal))
            runtime.countChainEvent("dispute", "opened")
            logger.notice("contract request \(proposal.requestId): disputed the proposal, which contradicts this node's certificate, with a bond of \(bond) wei in block \(receipt.blockNumber)")
        } catch {
            runtime.countChainEvent("dispute", "failed")
            logger.warning("contract request \(proposal.requestId): not disputed: \(error)")
        }
    }

    /// The largest `disputeBond` a node's settings may ask for, in minimum deposits.
    public static let maxDisputeBond = 1_000

    /// A dispute's committee member votes by the output it concluded, waiting for its own
    /// conclusion until the dispute's deadline (a proposal can come before the network is done);
    /// one that concludes none by then abstains.
    func vote(on proposal: OracleProposal, before deadline: Int) async {
        do {
            guard let seats = try await readUInt(OracleContract.disputeSeatsOf(proposal.requestId, address)), seats != .zero else { return }
            var concluded = concludedResults[proposal.key]
            while concluded == nil, Int(runtime.now / 1_000) < deadline, !Task.isCancelled {
                try await Task.sleep(for: .seconds(1))
                concluded = concludedResults[proposal.key]
            }
            guard let result = concluded else {
                logger.warning("contract request \(proposal.requestId): drawn to judge a dispute, but this node concluded no output for it; no vote")
                return
            }
            let upheld = result.hash == proposal.outputHash
            // Whichever vote reaches a majority also settles the dispute (slashing or paying every
            // signer), which its estimate, made before the other votes landed, may not cover.
            let receipt = try await account.send(to: configuration.oracle, data: OracleContract.vote(proposal, upheld: upheld),
                                                 minimumGas: Self.decidingVoteGas)
            runtime.countChainEvent("dispute vote", upheld ? "upheld" : "rejected")
            logger.notice("contract request \(proposal.requestId): voted \(upheld ? "for" : "against") the proposal in block \(receipt.blockNumber)")
        } catch {
            runtime.countChainEvent("dispute vote", "failed")
            logger.warning("contract request \(proposal.requestId): no vote: \(error)")
        }
    }

    /// Enough for a vote that settles a dispute over a proposal of 32 signers.
    static let decidingVoteGas = 1_500_000
}
