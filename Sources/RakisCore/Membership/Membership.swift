/// Who may sit on a committee, and with how much weight. Node keys cost nothing, so an identity
/// counts only through weight, a scarce resource bound to it; an identity without weight is
/// never a member. Every node of a network must hold the same membership (it is a network
/// setting, like the network's name).
public struct Membership: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A private network's list of admitted node ids and their weights.
        case allowlist
        /// The oracle contract's registry: a registration's deposit is its weight. Read from the
        /// chain by the nodes that follow it; to the protocol it is a weight table like `allowlist`.
        case stake
        /// Anyone holding an admission ticket (a proof of work bound to its id) has weight 1.
        case open
    }

    public let kind: Kind
    /// Weights of the admitted identities (`allowlist` and `stake`); empty in `open` mode.
    public let weights: [NodeID: Int]
    /// Leading zero bits an admission ticket needs (`open` mode); 0 otherwise.
    public let difficulty: Int

    /// Largest weight of one identity, so that seat arithmetic stays exact in a Double.
    public static let maxWeight = 1 << 40
    /// Largest admission list: every node walks it once per request to check a quorum is complete.
    public static let maxMembers = 10_000
    public static let difficultyRange = 0...40

    private init(kind: Kind, weights: [NodeID: Int], difficulty: Int) {
        self.kind = kind
        self.weights = weights
        self.difficulty = difficulty
    }

    /// A weight table (`allowlist` or `stake`); fails on a weight out of range, and on an empty
    /// allowlist (an empty registry is a network's start: nobody works until somebody registers).
    public static func table(_ kind: Kind, weights: [NodeID: Int]) throws(MembershipError) -> Membership {
        precondition(kind != .open, "open membership has no weight table")
        guard !weights.isEmpty || kind == .stake else { throw .empty(kind) }
        guard weights.count <= maxMembers else { throw .tooManyMembers(weights.count) }
        for (node, weight) in weights.sorted(by: { $0.key < $1.key }) where !(1...maxWeight).contains(weight) {
            throw .weightOutOfRange(node: node, weight: weight)
        }
        return Membership(kind: kind, weights: weights, difficulty: 0)
    }

    public static func open(difficulty: Int) throws(MembershipError) -> Membership {
        guard difficultyRange.contains(difficulty) else { throw .difficultyOutOfRange(difficulty) }
        return Membership(kind: .open, weights: [:], difficulty: difficulty)
    }

    /// Every identity of a weight table with weight 1: how the simulator and tests admit their nodes.
    public static func equalWeights(_ nodes: [NodeID]) -> Membership {
        // Force-try is safe for a non-empty list under the bound, which every caller passes.
        try! table(.allowlist, weights: Dictionary(uniqueKeysWithValues: nodes.map { ($0, 1) }))
    }

    /// Whether every candidate and its weight are known before a request exists, which lets the
    /// origin fix a quorum as soon as no identity left out could outrank its members.
    public var candidatesKnownInAdvance: Bool { kind != .open }

    /// The weight of `node`, 0 if it is not admitted. In `open` mode an identity weighs 1 if it
    /// shows a valid admission ticket.
    public func weight(of node: NodeID, ticket: AdmissionTicket?, network: String) -> Int {
        switch kind {
        case .allowlist, .stake:
            return weights[node] ?? 0
        case .open:
            guard let ticket, ticket.isValid(for: node, network: network, difficulty: difficulty) else { return 0 }
            return 1
        }
    }

    /// The admitted identities in id order (empty in `open` mode, where nobody knows them all).
    public var sortedMembers: [(node: NodeID, weight: Int)] {
        weights.sorted { $0.key < $1.key }.map { (node: $0.key, weight: $0.value) }
    }

    public var totalWeight: Int { weights.values.reduce(0, +) }
}

public enum MembershipError: Error, Sendable, Equatable, CustomStringConvertible {
    case empty(Membership.Kind)
    case tooManyMembers(Int)
    case weightOutOfRange(node: NodeID, weight: Int)
    case difficultyOutOfRange(Int)

    public var description: String {
        switch self {
        case let .empty(kind): "\(kind.rawValue) membership lists no node: nobody could sit on a committee"
        case let .tooManyMembers(count): "\(count) members, at most \(Membership.maxMembers)"
        case let .weightOutOfRange(node, weight): "node \(node.short) has weight \(weight); weights are 1 to 2^40"
        case let .difficultyOutOfRange(bits): "ticket difficulty \(bits) bits; it must be in \(Membership.difficultyRange)"
        }
    }
}
