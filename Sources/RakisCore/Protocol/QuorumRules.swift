/// The rules every node applies to quorum packets, so that honest nodes adopt the same one.
///
/// The origin fixes the quorum, any time before the commit deadline. If it has not by then, a
/// fallback window opens in which any node may fix one; fallback packets made outside that
/// window are invalid. Nodes decide under a fallback quorum only once the window has closed and
/// competing packets have had time to spread (the settle point), and they relay fallback
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

    /// When a node may decide under a fallback quorum.
    public static func fallbackSettles(_ frame: SecurityFrame) -> Millis {
        frame.commitDeadline + 3 * fallbackWindow(frame)
    }

    /// Whether a quorum packet is valid for the request at all: the origin's always is; anyone
    /// else's only if made inside the fallback window.
    public static func isAdmissible(_ quorum: Envelope, for request: InferenceRequest) -> Bool {
        if quorum.sender == request.origin.node { return true }
        let made = quorum.packet.createdAt
        return made >= fallbackOpens(request.frame) && made <= fallbackCloses(request.frame)
    }

    /// The canonical choice between two admissible quorum packets for one request: the origin's
    /// beats a fallback one; between two of the same kind, the smaller packet id wins.
    public static func preferred(_ a: Envelope, _ b: Envelope, for request: InferenceRequest) -> Envelope {
        let (aFromOrigin, bFromOrigin) = (a.sender == request.origin.node, b.sender == request.origin.node)
        if aFromOrigin != bFromOrigin { return aFromOrigin ? a : b }
        return a.id < b.id ? a : b
    }
}
