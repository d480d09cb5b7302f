import RakisCore

/// Where a request stands at one node. Phases only move forward; `final` and `failed` are terminal.
public enum RequestPhase: Int, Sendable, Comparable, CustomStringConvertible {
    case seen, inferring, committed, quorumFixed, revealed, verified, final, failed

    public static func < (lhs: RequestPhase, rhs: RequestPhase) -> Bool { lhs.rawValue < rhs.rawValue }

    public var isTerminal: Bool { self == .final || self == .failed }

    public var description: String {
        switch self {
        case .seen: "seen"
        case .inferring: "inferring"
        case .committed: "committed"
        case .quorumFixed: "quorum fixed"
        case .revealed: "revealed"
        case .verified: "verified"
        case .final: "final"
        case .failed: "failed"
        }
    }
}
