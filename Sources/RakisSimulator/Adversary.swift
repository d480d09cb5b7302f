import RakisCore

/// What an adversarial node does in a simulation. Every kind runs the real state machine; the
/// simulator rewrites what it sends, as a modified node would (docs/PROTOCOL.md, Threat model).
public enum AdversaryKind: String, Sendable, CaseIterable, Comparable {
    /// Colluders that commit at once (no inference time, every request) to one shared answer.
    case fast
    /// Fast colluders whose weight is split over 20 times as many identities (weight 1 each,
    /// against 20 for everyone else).
    case sybil
    /// Honest answers, but never a reveal.
    case withhold
    /// Two commits and two reveals for every request (the second of each made up).
    case equivocate
    /// Commits to an embedding that is not its output's, so its reveal fails re-embedding.
    case garbage
    /// Announcements from fresh, weightless keys, five a second.
    case flood
    /// Sends copies of packets it received again, 1 to 20 s later.
    case replay
    /// Packets with forged signatures, five a second.
    case spam
    /// Brings in its share of the requests and fixes them badly: at the commit deadline, the
    /// worst-ranked committee its commits make, a different one to each half of the network, and
    /// no result.
    case origin

    public static func < (lhs: Self, rhs: Self) -> Bool { allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)! }

    /// Kinds whose nodes hold weight and sit on committees (the others attack from outside them).
    var isWeighted: Bool {
        switch self {
        case .fast, .sybil, .withhold, .equivocate, .garbage, .origin: true
        case .flood, .replay, .spam: false
        }
    }

    /// Kinds that answer with the colluders' shared answer.
    var colludes: Bool { self == .fast || self == .sybil }
}

/// An adversary kind and its share: of the weight for the kinds that hold weight, of the nodes
/// for the others (and, for `origin`, of the requests it brings in).
public struct AdversarySpec: Sendable, Hashable {
    public var kind: AdversaryKind
    public var share: Double

    public init(kind: AdversaryKind, share: Double) {
        precondition((0...1).contains(share), "an adversary's share is in 0...1")
        self.kind = kind
        self.share = share
    }

    /// `KIND` or `KIND:SHARE` (default share 0.1).
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let kind = AdversaryKind(rawValue: String(parts[0])) else { return nil }
        let share = parts.count == 2 ? Double(parts[1]) : 0.1
        guard let share, (0...1).contains(share) else { return nil }
        self.init(kind: kind, share: share)
    }

    public var description: String { "\(kind.rawValue):\(SimulationReport.format(share))" }
}
