import RakisCore

/// Taking requests up again after a restart, from what the store kept.
///
/// The stored packets were validated when they arrived, so they are replayed through `accept`
/// without the clock check (they are old by now). Timers are set again at their original times;
/// a runtime fires those already past at once, so a request whose deadlines went by while the node
/// was down still ends through the usual path. Verdicts are not stored: reveals are verified again.
extension Node {
    func recover(_ recovery: NodeRecovery) {
        for requestId in recovery.concluded where records[requestId] == nil {
            forgotten.insert(requestId, now: now)
        }
        for stored in recovery.unfinished {
            recover(stored)
        }
    }

    private func recover(_ stored: RecoveredRequest) {
        guard let request = stored.request.request, records[request.id] == nil else { return }
        let record = RequestRecord(envelope: stored.request, workScore: WorkDraw.score(requestId: request.id, nodeId: nodeId))
        records[request.id] = record
        record.phase = stored.phase
        seenPackets.insert(stored.request.id, now: now)
        setTimer(.commitDeadline, record.id, at: request.frame.commitDeadline)

        if let own = stored.ownOutput {
            restoreOwnInference(own, record, revealed: stored.packets.contains { $0.sender == nodeId && $0.reveal != nil })
        }
        for envelope in stored.packets {
            seenPackets.insert(envelope.id, now: now)
            do throws(PacketRejection) {
                try accept(envelope, via: Self.storeTransport)
            } catch {
                effects.append(.notify(.packetRejected(error, sender: envelope.sender, via: Self.storeTransport)))
            }
        }
        if record.conclusion == nil, now < request.frame.commitDeadline {
            // The node may have stopped between storing its request or commit and sending it:
            // send both again (and on the resend schedule) while no quorum is fixed, so the
            // committee it belongs to can form (`resend` does nothing once one is).
            resend(record)
        }
        if stored.ownOutput == nil, stored.phase < .committed {
            // Interrupted before committing: run it again if still useful (same seed, same bytes).
            considerWork(record, redundancy: config.workerRedundancy)
        }
    }

    /// The commitment is derived again from the stored output and the identity's salt; it must
    /// match the commit this node sent, which is replayed right after.
    private func restoreOwnInference(_ own: OwnOutput, _ record: RequestRecord, revealed: Bool) {
        let inferenceId = Commitment.inferenceId(requestId: record.id, nodeId: nodeId)
        let salt = Commitment.salt(requestId: record.id, identity: identity)
        let commitment = Commitment.derive(requestId: record.id, inferenceId: inferenceId, nodeId: nodeId, model: own.model,
                                           output: own.output, embedding: own.embedding, salt: salt,
                                           fieldEmbeddings: own.fieldEmbeddings)
        record.own = OwnInference(model: own.model, output: own.output, embedding: own.embedding,
                                  fieldEmbeddings: own.fieldEmbeddings, salt: salt, commitment: commitment, revealed: revealed)
        record.work = .committed
        if revealed { record.verdicts[nodeId] = .valid(own.embedding) }
    }

    static let storeTransport: TransportName = "store"
}
