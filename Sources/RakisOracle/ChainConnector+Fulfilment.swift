import Foundation
import Logging
import RakisChain
import RakisCore
import RakisNode
import RakisRuntime
import RakisStore

/// A chain request final at this node: what the oracle will be told, and the attestations
/// gathered for it so far.
struct Fulfilment {
    let requestId: Hash256
    let oracleRequest: OracleRequest
    let result: ConcludedResult
    let commitmentSetHash: [UInt8]
    /// The fulfilment digest, EIP-191 prefixed: what every attestation must sign.
    let signedHash: [UInt8]
    /// The agreeing quorum members, by node id.
    let members: Set<NodeID>
    var signatures: [EthereumAddress: RecoverableSignature] = [:]
    /// The committee seats of the signers, as the oracle answered: fixed when the request was
    /// made, so each signer's are read once.
    var seats: [EthereumAddress: Int] = [:]
}

/// A chain request's output as this node concluded it, with its typed answer for a structured
/// request and the result hash the oracle names it by (`OracleDigest.resultHash`).
struct ConcludedResult {
    let output: String
    let answer: [UInt8]?
    let hash: [UInt8]

    /// Nil when a structured request's output has no typed answer (its schema does not admit it):
    /// a node attests, finalizes and votes only by results it can name.
    init?(output: String, format: OutputSchema?) {
        var answer: [UInt8]?
        if let format {
            guard let encoded = OracleAnswer.encode(output: output, schema: format) else { return nil }
            answer = encoded
        }
        self.output = output
        self.answer = answer
        hash = OracleDigest.resultHash(output: output, answer: answer)
    }
}

extension ChainConnector {
    func handle(_ signal: ChainSignal) async {
        switch signal {
        case let .concluded(conclusion):
            await concluded(conclusion)
        case let .attestation(envelope):
            receive(envelope)
        }
    }

    // MARK: - Attesting

    func concluded(_ conclusion: RequestConclusion) async {
        guard case let .final(chosen) = conclusion.outcome, let quorum = conclusion.certificate?.quorum.quorum,
              let request = quorum.request.request, let coordinates = request.origin.chain,
              coordinates.contract == configuration.oracle.lowercaseHex, coordinates.chainId == Int(chainId)
        else { return }
        let id = conclusion.requestId
        guard let result = ConcludedResult(output: chosen.output, format: request.format) else {
            logger.error("request \(id.hex.prefix(8)): the final output is not a value its schema admits; no attestation")
            return
        }
        concludedResults[OracleRequest.key(coordinates)] = result
        if let proposal = proposals[OracleRequest.key(coordinates)] { considerDispute(proposal) }
        guard let oracleRequest = await oracleRequest(coordinates) else {
            logger.warning("request \(id.hex.prefix(8)) names contract request \(coordinates.chainRequestId), which this node has not seen confirmed; no attestation")
            return
        }
        guard oracleRequest.matches(request) else {
            logger.warning("request \(id.hex.prefix(8)) does not ask what contract request \(coordinates.chainRequestId) asks; no attestation")
            return
        }
        let commitmentSetHash = OracleDigest.commitmentSetHash(commitments: quorum.commits.map { $0.commit!.commitment.bytes })
        let digest = OracleDigest.fulfilmentDigest(chainId: chainId, oracle: configuration.oracle, requestId: oracleRequest.requestId,
                                                   resultHash: result.hash, commitmentSetHash: commitmentSetHash)
        let agreeing = Set(chosen.cluster)
        let members = Set(quorum.commits.filter { agreeing.contains($0.commit!.commitment) }.map(\.sender))
        var fulfilment = Fulfilment(requestId: id, oracleRequest: oracleRequest, result: result, commitmentSetHash: commitmentSetHash,
                                    signedHash: EthereumMessage.personalHash(digest), members: members)
        // The contract counts its own committee's signatures: this node signs if the contract drew
        // it, having verified the network's result like every node that concluded it (a member of
        // the agreeing cluster signs in any case).
        var attests = members.contains(identity.nodeId)
        if !attests { attests = (await seats(of: address, on: oracleRequest) ?? 0) > 0 }
        if attests, await mayAttest(oracleRequest, id, resultHash: result.hash) {
            let signature = configuration.key.sign(digest: fulfilment.signedHash)
            fulfilment.signatures[address] = signature
            let link = configuration.key.sign(digest: EthereumMessage.personalHash(OracleDigest.linkMessage(nodeId: identity.nodeId.publicKeyBytes)))
            await runtime.attest(ChainAttestation(requestId: id, address: address.lowercaseHex, outputHash: result.hash,
                                                  commitmentSetHash: commitmentSetHash, signature: signature.rsv, link: link.rsv))
            runtime.countChainEvent("attestation", "made")
            logger.info("request \(id.hex.prefix(8)): attested the fulfilment of contract request \(oracleRequest.requestId)")
        }
        fulfilments[id] = fulfilment
        for envelope in earlyAttestations.removeValue(forKey: id) ?? [] { receive(envelope) }
        scheduleSubmission(id, members: Array(members))
    }

    /// Whether this node may sign the result named by `resultHash` for the contract request: only
    /// the first result it attested for it, ever (`claimAttestation`), since two signed results
    /// get its deposit slashed. A store that cannot say is a no.
    func mayAttest(_ request: OracleRequest, _ id: Hash256, resultHash: [UInt8]) async -> Bool {
        do {
            if try store.claimAttestation(chainRequest: request.key, requestId: id, outputHash: Hash256(bytes: resultHash),
                                          at: runtime.now) {
                return true
            }
            runtime.countChainEvent("attestation", "withheld")
            logger.error("request \(id.hex.prefix(8)): this node attested another output for contract request \(request.requestId); signing this one would be equivocation, no attestation")
        } catch {
            logger.error("request \(id.hex.prefix(8)): cannot record the attestation (\(error)); no attestation")
        }
        return false
    }

    func oracleRequest(_ coordinates: ChainCoordinates) async -> OracleRequest? {
        if let known = oracleRequests[OracleRequest.key(coordinates)] { return known }
        // Seen before a restart: read its event again.
        guard let requestId = UInt256(coordinates.chainRequestId), let head = try? await rpc.blockNumber() else { return nil }
        let filter = LogFilter(address: configuration.oracle.lowercaseHex,
                               topics: [[OracleContract.requestedTopic], [requestId.bigEndianBytes]], from: configuration.startBlock,
                               to: head - configuration.confirmations)
        guard let log = try? await rpc.logs(filter).first,
              let request = try? OracleContract.requested(log, chainId: chainId, oracle: configuration.oracle)
        else { return nil }
        oracleRequests[request.key] = request
        return request
    }

    /// Keeps an attestation if both its signatures hold: the link (its chain key vouches for its
    /// node id) and the fulfilment (over what this node concluded). Whether its signer sits on
    /// the contract's committee is asked at submission (`committeeSigners`).
    func receive(_ envelope: Envelope) {
        guard let attestation = envelope.attestation else { return }
        guard var fulfilment = fulfilments[attestation.requestId] else {
            earlyAttestations[attestation.requestId, default: []].append(envelope)
            return
        }
        let from = envelope.sender.short
        do {
            let claimed = try EthereumAddress(attestation.address)
            let linkHash = EthereumMessage.personalHash(OracleDigest.linkMessage(nodeId: envelope.sender.publicKeyBytes))
            guard try RecoverableSignature(rsv: attestation.link).recoverAddress(digest: linkHash) == claimed else {
                runtime.countChainEvent("attestation", "refused")
                logger.warning("attestation from \(from): its link signature is not by \(claimed)")
                return
            }
            let signature = try RecoverableSignature(rsv: attestation.signature)
            guard try signature.recoverAddress(digest: fulfilment.signedHash) == claimed else {
                runtime.countChainEvent("attestation", "refused")
                logger.warning("attestation from \(from): it does not sign the output and quorum this node concluded")
                return
            }
            fulfilment.signatures[claimed] = signature
            fulfilments[attestation.requestId] = fulfilment
            runtime.countChainEvent("attestation", "kept")
        } catch {
            runtime.countChainEvent("attestation", "refused")
            logger.warning("attestation from \(from): \(error)")
        }
    }

    // MARK: - Submitting

    func scheduleSubmission(_ id: Hash256, members: [NodeID]) {
        guard let turn = ChainRanking.submitters(members, requestId: id).firstIndex(of: identity.nodeId) else {
            fulfilments[id] = nil  // not in the agreeing cluster: not a submitter
            return
        }
        let wait = configuration.submitterTurn * turn
        spawn { [weak self] in
            try? await Task.sleep(for: wait)
            await self?.submitWhenReady(id)
        }
    }

    /// At this node's turn: submits once enough registered members have attested, unless the
    /// request is no longer pending, until the contract's deadline.
    func submitWhenReady(_ id: Hash256) async {
        while !Task.isCancelled, let fulfilment = fulfilments[id] {
            let request = fulfilment.oracleRequest
            guard Int(Date().timeIntervalSince1970) <= request.deadline else {
                logger.warning("contract request \(request.requestId): its deadline passed before enough attestations arrived")
                break
            }
            do {
                guard try await state(of: request.requestId) == .pending else { break }
                let signers = await committeeSigners(id)
                if signers.reduce(0, { $0 + $1.seats }) >= request.threshold {
                    try await submit(fulfilment, signatures: signers.map { ($0.address, $0.signature) })
                    break
                }
            } catch {
                logger.warning("contract request \(request.requestId): \(error)")
            }
            try? await Task.sleep(for: .seconds(1))
        }
        fulfilments[id] = nil
    }

    /// The seats `address` drew on the contract request's committee; nil if the chain cannot say.
    func seats(of address: EthereumAddress, on request: OracleRequest) async -> Int? {
        do {
            return try await readUInt(OracleContract.seatsOf(request.requestId, address))?.exactUInt64.map { Int(clamping: $0) } ?? 0
        } catch {
            logger.warning("contract request \(request.requestId): cannot read the seats of \(address): \(error)")
            return nil
        }
    }

    /// The attestations of signers that drew seats on the request's committee on chain, in the
    /// ascending address order the oracle wants, with their seats (the oracle counts seats, not
    /// signers, and refuses a signature from off the committee). Seats are read once per signer.
    func committeeSigners(_ id: Hash256) async -> [(address: EthereumAddress, signature: RecoverableSignature, seats: Int)] {
        guard let fulfilment = fulfilments[id] else { return [] }
        var known = fulfilment.seats
        for address in fulfilment.signatures.keys where known[address] == nil {
            known[address] = await seats(of: address, on: fulfilment.oracleRequest)
        }
        fulfilments[id]?.seats = known
        return fulfilment.signatures.sorted { $0.key < $1.key }.compactMap { address, signature in
            guard let seats = known[address], seats > 0 else { return nil }
            return (address, signature, seats)
        }
    }

    func submit(_ fulfilment: Fulfilment, signatures: [(EthereumAddress, RecoverableSignature)]) async throws {
        let request = fulfilment.oracleRequest
        if let stored = try store.submission(for: request.key) {
            logger.info("contract request \(request.requestId): already submitted in \(stored.txHash) (\(stored.state))")
            if stored.state == .sent { try await send(stored) }
            return
        }
        let data = OracleContract.fulfill(requestId: request.requestId, output: fulfilment.result.output,
                                          commitmentSetHash: fulfilment.commitmentSetHash, signatures: signatures.map(\.1),
                                          answer: fulfilment.result.answer)
        let storedNonce = try store.highestSubmissionNonce().map { $0 + 1 } ?? 0
        let signed = try await account.prepare(to: configuration.oracle, data: data, atLeastNonce: storedNonce)
        let submission = ChainSubmission(chainRequest: request.key, requestId: fulfilment.requestId, txHash: EthereumHex.encode(signed.hash),
                                         rawTransaction: signed.rawBytes, nonce: Int(signed.transaction.nonce), state: .sent)
        let claimed = try store.claimSubmission(submission, at: runtime.now)
        runtime.countChainEvent("fulfilment", "sent")
        logger.info("contract request \(request.requestId): fulfilment stored, \(signatures.count) signature(s), transaction \(claimed.txHash)")
        try await send(claimed)
    }

    /// Sends stored transaction bytes (again) and waits for the receipt. Bytes the chain refuses
    /// outright are marked refused: this node leaves the request to the next submitter in line.
    func send(_ submission: ChainSubmission) async throws {
        do {
            _ = try await rpc.sendRawTransaction(submission.rawTransaction)
        } catch let error as ChainRPCError {
            let message = error.description.lowercased()
            // Already in the pool, or mined (its nonce is then used up): the receipt tells.
            if !(message.contains("already known") || message.contains("nonce")), try await rpc.receipt(submission.txHash) == nil {
                try store.markSubmission(submission.chainRequest, .refused, at: runtime.now)
                await account.resyncNonce()
                runtime.countChainEvent("fulfilment", "refused")
                logger.warning("the chain refused fulfilment \(submission.txHash): \(error); the next submitter in line takes over")
                return
            }
        }
        for _ in 0..<120 {
            if let receipt = try await rpc.receipt(submission.txHash) {
                try store.markSubmission(submission.chainRequest, receipt.succeeded ? .mined : .reverted, at: runtime.now)
                let outcome = receipt.succeeded ? "mined" : "reverted"
                runtime.countChainEvent("fulfilment", outcome)
                logger.info("fulfilment \(submission.txHash) \(outcome) in block \(receipt.blockNumber), gas used \(receipt.gasUsed)")
                return
            }
            try await Task.sleep(for: .milliseconds(500))
        }
        logger.warning("fulfilment \(submission.txHash) not mined after 60 s; it will be sent again at the next start")
    }

    /// After a restart: transactions stored but not seen mined go out again, byte for byte.
    func resendUnconfirmed() async throws {
        for submission in try store.unconfirmedSubmissions() {
            logger.info("sending stored fulfilment \(submission.txHash) again")
            spawn { [weak self] in
                do { try await self?.send(submission) } catch { await self?.logger.warning("fulfilment \(submission.txHash): \(error)") }
            }
        }
    }
}
