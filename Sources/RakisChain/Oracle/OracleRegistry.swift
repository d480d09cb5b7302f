import RakisCore

/// The oracle's registry as its confirmed logs build it: which chain addresses are registered,
/// for which node id, with which weight (the deposit in whole `minDeposit`s, as the contract
/// counts it). A fold over `Registered`, `Deregistered` and `Slashed` logs in chain order, so
/// it is a function of the chain prefix it has read, blocks up to `through`: after a
/// reorganization it is read again (`read`), never patched.
///
/// To the network it is the `stake` membership: one weight per node id, the sum of the
/// registrations naming it (a deposit naming somebody else's node id only adds to that node's
/// weight, which buys its payer nothing).
public struct OracleRegistry: Sendable, Equatable {
    public struct Registration: Sendable, Equatable {
        public let nodeId: NodeID
        public let weight: Int
    }

    /// The logs the registry is built from.
    public static let topics = [OracleContract.registeredTopic, OracleContract.deregisteredTopic, OracleContract.slashedTopic]
    /// At most this many registrations are kept: the network's membership bound. Later ones are
    /// refused until others leave, the same way on every node since the fold is in chain order.
    public static let maxRegistrations = Membership.maxMembers

    public let minDeposit: UInt256
    public private(set) var registrations: [EthereumAddress: Registration] = [:]
    /// The last block whose logs the registry holds.
    public private(set) var through: Int

    /// An empty registry, before block `startBlock`.
    public init(minDeposit: UInt256, startBlock: Int) {
        precondition(minDeposit != .zero, "the oracle refuses a zero minDeposit at deployment")
        self.minDeposit = minDeposit
        through = startBlock - 1
    }

    /// Applies one of the registry's logs; returns whether the registry changed. A log of a
    /// block the registry already holds changes nothing, and neither does a registration beyond
    /// `maxRegistrations`.
    @discardableResult
    public mutating func apply(_ log: LogEntry) throws(RegistryError) -> Bool {
        guard log.blockNumber > through else { return false }
        do {
            switch log.topics.first {
            case OracleContract.registeredTopic:
                let (address, nodeId, deposit) = try OracleContract.registered(log)
                guard registrations[address] != nil || registrations.count < Self.maxRegistrations else { return false }
                let weight = Int(clamping: min(deposit / minDeposit, UInt256(UInt64(Membership.maxWeight))).exactUInt64!)
                registrations[address] = Registration(nodeId: nodeId, weight: weight)
                return true
            case OracleContract.deregisteredTopic:
                return registrations.removeValue(forKey: try OracleContract.deregistered(log)) != nil
            case OracleContract.slashedTopic:
                return registrations.removeValue(forKey: try OracleContract.slashed(log)) != nil
            default:
                return false
            }
        } catch {
            throw .unreadable("\(error)")
        }
    }

    /// Every log up to block `block` has been applied. A registry read ahead of its follower (a
    /// stake node's, read through the newest confirmed block at start) stays where it is until
    /// the follower catches up; it never moves back (after a reorganization it is read again).
    public mutating func advance(through block: Int) {
        through = max(through, block)
    }

    /// The weight of each registered node id: its registrations' weights, summed and capped.
    public var weights: [NodeID: Int] {
        var weights: [NodeID: Int] = [:]
        for registration in registrations.values {
            weights[registration.nodeId] = min(Membership.maxWeight, weights[registration.nodeId, default: 0] + registration.weight)
        }
        return weights
    }

    /// The registered node ids, in id order.
    public var nodes: [NodeID] { weights.keys.sorted() }

    /// The network's `stake` membership. It cannot fail: the registry keeps within its bounds.
    public var membership: Membership {
        do {
            return try Membership.table(.stake, weights: weights)
        } catch {
            preconditionFailure("the registry keeps within the membership's bounds: \(error)")
        }
    }

    /// The registry as the oracle's logs from `startBlock` through block `through` build it, read
    /// with the log follower's checks (every log from the chain whose blocks it read).
    public static func read(_ chain: some ChainReader, oracle: String, minDeposit: UInt256, startBlock: Int,
                            through end: Int) async throws -> OracleRegistry {
        var registry = OracleRegistry(minDeposit: minDeposit, startBlock: startBlock)
        var follower = LogFollower(address: oracle, topics: [topics], confirmations: 0, startBlock: startBlock)
        var unsettled = 0
        while registry.through < end {
            switch try await follower.poll(chain, upTo: end) {
            case let .logs(logs, through):
                for log in logs { try registry.apply(log) }
                registry.advance(through: through.number)
            case .reorganized:
                registry = OracleRegistry(minDeposit: minDeposit, startBlock: startBlock)
                follower = LogFollower(address: oracle, topics: [topics], confirmations: 0, startBlock: startBlock)
                unsettled += 1
            case .idle:
                // The chain is shorter than `end` just now, or moved while it was read.
                unsettled += 1
                try await Task.sleep(for: .milliseconds(200))
            }
            guard unsettled <= 10 else { throw RegistryError.unsettled(end) }
        }
        return registry
    }
}

public enum RegistryError: Error, Sendable, CustomStringConvertible {
    case unreadable(String)
    case unsettled(Int)

    public var description: String {
        switch self {
        case let .unreadable(problem): "registry log: \(problem)"
        case let .unsettled(block): "the chain kept moving while its registry was read through block \(block)"
        }
    }
}
