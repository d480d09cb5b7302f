/// Why a packet was refused. Every check names its reason, so logs, metrics and tests can
/// tell a malformed packet from a forged one or a replay.
public enum PacketRejection: Error, Sendable, Equatable, CustomStringConvertible {
    case tooLarge(size: Int, limit: Int)
    case malformed(String)
    case nonCanonical(path: String)
    case unsupportedVersion(Int)
    case wrongNetwork(expected: String, found: String)
    case badSignature(path: String)
    case outOfRange(field: String, detail: String)
    case clockSkew(createdAt: Millis, now: Millis, window: Millis)
    case duplicate
    /// The sender may not send this packet (e.g. a request whose origin is another node).
    case senderMismatch(String)
    /// The packet does not fit the request it names (unknown request, wrong phase, not a member...).
    case inconsistent(String)
    /// The packet arrived after the deadline of the phase it belongs to.
    case late(String)
    /// The sender has no weight in the network's membership, and only weighted identities may
    /// commit or announce themselves.
    case notAdmitted(String)
    /// The sender sent more of this kind of packet than receivers take (chat messages): dropped,
    /// and not held against it.
    case rateLimited(String)

    /// A short stable name for metrics and counters.
    public var code: String {
        switch self {
        case .tooLarge: "tooLarge"
        case .malformed: "malformed"
        case .nonCanonical: "nonCanonical"
        case .unsupportedVersion: "unsupportedVersion"
        case .wrongNetwork: "wrongNetwork"
        case .badSignature: "badSignature"
        case .outOfRange: "outOfRange"
        case .clockSkew: "clockSkew"
        case .duplicate: "duplicate"
        case .senderMismatch: "senderMismatch"
        case .inconsistent: "inconsistent"
        case .late: "late"
        case .notAdmitted: "notAdmitted"
        case .rateLimited: "rateLimited"
        }
    }

    public var description: String {
        switch self {
        case let .tooLarge(size, limit): "packet too large: \(size) bytes, limit \(limit)"
        case let .malformed(detail): "malformed packet: \(detail)"
        case let .nonCanonical(path): "\(path): not in canonical form (a field set to null, or values written in a non-canonical order)"
        case let .unsupportedVersion(version): "unsupported protocol version \(version) (this node speaks \(Envelope.protocolVersion))"
        case let .wrongNetwork(expected, found): "packet for network \"\(found)\", this node is on \"\(expected)\""
        case let .badSignature(path): "\(path): signature does not verify"
        case let .outOfRange(field, detail): "\(field): \(detail)"
        case let .clockSkew(createdAt, now, window): "packet created at \(createdAt) is more than \(window) ms from local time \(now)"
        case .duplicate: "duplicate packet (already received)"
        case let .senderMismatch(detail): "sender mismatch: \(detail)"
        case let .inconsistent(detail): "inconsistent packet: \(detail)"
        case let .late(detail): "late packet: \(detail)"
        case let .notAdmitted(detail): "not admitted: \(detail)"
        case let .rateLimited(detail): "rate limited: \(detail)"
        }
    }
}
