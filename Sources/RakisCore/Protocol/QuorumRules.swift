/// The rules every node applies to quorum packets, so that honest nodes adopt the same one.
///
/// A request's committee is the `quorum` best seats (`SeatRank`) among the weighted identities
/// that committed: arrival order plays no part, so neither speed nor a flood of commits buys a
/// seat. The origin fixes the quorum early only with a *complete* committee, one that no
/// admitted identity left out could outrank (possible when the membership is known in advance);
/// otherwise it fixes the best committee it holds at the commit deadline. If it has not by the
/// fallback window, any node may fix one, and inside that window any node that holds commits
/// making a better committee than the one adopted publishes it. Between two quorum packets the
/// better committee wins; nodes decide under an incomplete committee only once the window has
/// closed and competing packets have had time to spread (the settle point), and they relay such
/// packets, so all honest nodes choose among the same candidates.
public enum QuorumRules {
    /// A quarter of the gap between the commit and reveal deadlines, split in eight.
    public static func fallbackWindow(_ frame: SecurityFrame) -> Millis {
        max(1, (frame.revealDeadline - frame.commitDeadline) / 8)
    }

    public static func fallbackOpens(_ frame: SecurityFrame) -> Millis {
        frame.commitDeadline + fallbackWindow(frame)
    }

    public static func fallbackCloses(_ frame: SecurityFrame) -> Millis {
        frame.commitDeadline + 2 * fallbackWindow(frame)
    }

    /// When a node may decide under an incomplete committee.
    public static func fallbackSettles(_ frame: SecurityFrame) -> Millis {
        frame.commitDeadline + 3 * fallbackWindow(frame)
    }

    /// The committee a quorum packet claims: nil unless every commit's sender is weighted, their
    /// tickets fill the quorum's seats, and every one of them holds a seat (a member without a seat
    /// would be a member the rank rule did not choose).
    public static func committee(of decision: QuorumDecision, membership: Membership, network: String) -> Committee? {
        let request = decision.request.request!
        var candidates: [(node: NodeID, weight: Int)] = []
        for envelope in decision.commits {
            let weight = membership.weight(of: envelope.sender, ticket: envelope.commit!.ticket, network: network)
            guard weight > 0 else { return nil }
            candidates.append((envelope.sender, weight))
        }
        guard let committee = Committee(requestId: request.id, candidates: candidates, quorum: request.frame.quorum),
              committee.seatCount.count == decision.commits.count
        else { return nil }
        return committee
    }

    /// Whether a quorum packet is valid for the request at all: a complete committee from the
    /// origin at any time (nothing can beat it); an incomplete one from the origin from the commit
    /// deadline until the fallback window closes; anyone else's only inside the fallback window.
    public static func isAdmissible(_ quorum: Envelope, for request: InferenceRequest, complete: Bool) -> Bool {
        let made = quorum.packet.createdAt
        if quorum.sender == request.origin.node {
            if complete { return true }
            if made >= request.frame.commitDeadline { return made <= fallbackCloses(request.frame) }
        }
        return made >= fallbackOpens(request.frame) && made <= fallbackCloses(request.frame)
    }

    /// The canonical choice between two admissible quorum packets for one request: the better
    /// committee; between equal committees, the origin's; then the smaller packet id.
    public static func preferred(_ a: (envelope: Envelope, committee: Committee), _ b: (envelope: Envelope, committee: Committee),
                                 for request: InferenceRequest) -> Envelope {
        if a.committee.isBetter(than: b.committee) { return a.envelope }
        if b.committee.isBetter(than: a.committee) { return b.envelope }
        let (aFromOrigin, bFromOrigin) = (a.envelope.sender == request.origin.node, b.envelope.sender == request.origin.node)
        if aFromOrigin != bFromOrigin { return aFromOrigin ? a.envelope : b.envelope }
        return a.envelope.id < b.envelope.id ? a.envelope : b.envelope
    }
}
