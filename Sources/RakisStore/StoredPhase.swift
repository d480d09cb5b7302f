import RakisNode

/// The names phases are stored under. Fixed here rather than taken from the enum's raw values or
/// descriptions, which may change without anyone thinking of stores written by older versions.
extension RequestPhase {
    var storedName: String {
        switch self {
        case .seen: "seen"
        case .inferring: "inferring"
        case .committed: "committed"
        case .quorumFixed: "quorumFixed"
        case .revealed: "revealed"
        case .verified: "verified"
        case .final: "final"
        case .failed: "failed"
        }
    }

    init?(storedName: String) {
        switch storedName {
        case "seen": self = .seen
        case "inferring": self = .inferring
        case "committed": self = .committed
        case "quorumFixed": self = .quorumFixed
        case "revealed": self = .revealed
        case "verified": self = .verified
        case "final": self = .final
        case "failed": self = .failed
        default: return nil
        }
    }
}
