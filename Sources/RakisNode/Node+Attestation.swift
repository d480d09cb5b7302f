import RakisCore

/// Chain attestations: chain-key signatures over a chain request's fulfilment, by the nodes the
/// contract drew for its committee (docs/ORACLE.md), which may or may not sit on the network's
/// quorum. The chain connector makes this node's attestation and collects the others' to submit
/// them; the node only ties them to a request and its quorum, keeps them and passes them on.
/// Only weighted identities' attestations are kept, so their number stays within the membership.
extension Node {
    /// This node's own attestation, made by the runtime's chain connector once the request is
    /// final here (the connector checks that the contract drew this node, or that it is a member).
    func publish(_ attestation: ChainAttestation) {
        guard let record = records[attestation.requestId], case .final = record.conclusion?.outcome,
              record.request.origin.kind == .chain
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
        guard record.members[envelope.sender] != nil || weight(of: envelope.sender) > 0 else {
            throw .notAdmitted("attestation from \(envelope.sender.short), an identity without weight")
        }
        effects.append(.persist(.packet(envelope)))
        effects.append(.notify(.attestationReceived(envelope)))
    }

    /// An identity's weight as far as this node knows it: from the membership's table, or, on an
    /// open network, from the ticket it announced itself with.
    func weight(of node: NodeID) -> Int {
        max(config.membership.weight(of: node, ticket: nil, network: config.network), peers.weight(of: node))
    }
}
