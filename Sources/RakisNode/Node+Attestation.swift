import RakisCore

/// Chain attestations: quorum members' chain-key signatures over a chain request's fulfilment.
/// The chain connector makes this node's attestation and collects the others' to submit them;
/// the node only ties them to a request and its quorum, keeps them and passes them on.
extension Node {
    /// This node's own attestation, made by the runtime's chain connector once the request is
    /// final here with this node in its quorum.
    func publish(_ attestation: ChainAttestation) {
        guard let record = records[attestation.requestId], case .final = record.conclusion?.outcome,
              record.request.origin.kind == .chain, record.members[nodeId] != nil
        else {
            effects.append(.notify(.attestationRefused(requestId: attestation.requestId)))
            return
        }
        let envelope = broadcast(.attestation(attestation))
        effects.append(.persist(.packet(envelope)))
    }

    func receiveAttestation(_ envelope: Envelope, _ record: RequestRecord) throws(PacketRejection) {
        guard record.request.origin.kind == .chain else {
            throw .inconsistent("attestation for request \(record.id.hex.prefix(8)), which did not come from a chain")
        }
        guard record.quorum != nil else {
            // Made after the quorum was fixed; it waits for the quorum packet.
            orphans.hold(envelope, for: record.id, via: "orphan")
            return
        }
        guard record.members[envelope.sender] != nil else {
            throw .inconsistent("attestation from \(envelope.sender.short), who is not in the quorum of \(record.id.hex.prefix(8))")
        }
        effects.append(.persist(.packet(envelope)))
        effects.append(.notify(.attestationReceived(envelope)))
    }
}
