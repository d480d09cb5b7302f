import RakisChain
import RakisCore

/// The oracle's registry, as this node reads it from confirmed logs: the turn order of
/// introducers and finalizers, and, in `stake` membership, the network's weights. It is read
/// from the oracle's first block at start (through the block the connector resumes after) and
/// again after a reorganization deeper than the confirmations, so a restart or a replaced chain
/// never leaves it patched from a partial history.
extension ChainConnector {
    /// The registry through the newest confirmed block: what a `stake` node's membership starts
    /// from, before its connector follows the chain.
    public static func readRegistry(rpcURL: String, oracle: EthereumAddress, startBlock: Int, confirmations: Int) async throws -> OracleRegistry {
        let rpc = EthereumRPC(url: rpcURL)
        return try await readRegistry(rpc, oracle: oracle, startBlock: startBlock, through: try await rpc.blockNumber() - confirmations)
    }

    static func readRegistry(_ rpc: EthereumRPC, oracle: EthereumAddress, startBlock: Int, through end: Int) async throws -> OracleRegistry {
        guard let minDeposit = UInt256(bigEndian: try await rpc.call(to: oracle.lowercaseHex, data: OracleContract.minDeposit)),
              minDeposit != .zero
        else { throw RegistryError.unreadable("the contract at \(oracle) answers no minDeposit: is it the oracle?") }
        return try await OracleRegistry.read(rpc, oracle: oracle.lowercaseHex, minDeposit: minDeposit, startBlock: startBlock, through: end)
    }

    /// Reads the registry again through block `end`, and hands its weights to the node if they changed.
    func rereadRegistry(through end: Int) async throws {
        let reread = try await Self.readRegistry(rpc, oracle: configuration.oracle, startBlock: configuration.startBlock, through: end)
        let changed = registry?.weights != reread.weights
        registry = reread
        if changed { await registryChanged() }
    }

    /// A confirmed log of the registry; `advance` marks a range done.
    func applyRegistryLog(_ log: LogEntry) throws {
        if try registry?.apply(log) == true { registryMoved = true }
    }

    func advanceRegistry(through block: Int) async {
        registry?.advance(through: block)
        if registryMoved {
            registryMoved = false
            await registryChanged()
        }
    }

    /// Registered node ids, in id order: who takes turns introducing and finalizing.
    var registeredNodes: [NodeID] { registry?.nodes ?? [] }

    private func registryChanged() async {
        guard let registry else { return }
        let membership = registry.membership
        let weight = membership.weights[identity.nodeId] ?? 0
        runtime.countChainEvent("registry", "changed")
        logger.info("oracle registry through block \(registry.through): \(membership.weights.count) node(s), weight \(membership.totalWeight); this node weighs \(weight)")
        if runtime.followsRegistry { await runtime.adopt(membership) }
    }
}
