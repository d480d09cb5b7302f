import ArgumentParser
import Logging
import RakisChain
import RakisCore
import RakisOracle

extension NodeSettings {
    /// The network's membership: as the settings give it, or on a `stake` network the oracle's
    /// registry through the newest confirmed block (returned too, for the connector to follow on from).
    func networkMembership(logger: Logger?) async throws -> (Membership, OracleRegistry?) {
        let membership = try self.membership.membership()
        guard membership.kind == .stake else { return (membership, nil) }
        guard let chain else {
            throw CommandFailure("membership.mode stake: the weights are the oracle's deposits; set chain.rpc and chain.oracle")
        }
        let registry: OracleRegistry
        do {
            registry = try await ChainConnector.readRegistry(rpcURL: chain.rpc, oracle: try EthereumAddress(chain.oracle.lowercased()),
                                                             startBlock: chain.startBlock, confirmations: chain.confirmations)
        } catch {
            throw CommandFailure("membership.mode stake: reading the oracle's registry from \(chain.rpc): \(error)")
        }
        let weights = registry.membership
        logger?.info("stake membership from the oracle's registry through block \(registry.through): \(weights.weights.count) node(s), weight \(weights.totalWeight)")
        return (weights, registry)
    }
}

extension NodeSettings.MembershipSettings {
    /// The membership these settings describe; every error names the setting at fault.
    func membership() throws -> Membership {
        switch Membership.Kind(rawValue: mode) {
        case .open:
            guard members.isEmpty else {
                throw ValidationError("membership.members: an open network admits by ticket; members are for membership.mode allowlist")
            }
            do {
                return try Membership.open(difficulty: difficulty)
            } catch {
                throw ValidationError("membership.difficulty: \(error)")
            }
        case .allowlist:
            var weights: [NodeID: Int] = [:]
            for entry in members {
                let parts = entry.split(separator: ":", omittingEmptySubsequences: false)
                guard (1...2).contains(parts.count), let node = NodeID(hex: String(parts[0])) else {
                    throw ValidationError("membership.members '\(entry)': expected NODE_ID (64 lowercase hex digits) or NODE_ID:WEIGHT")
                }
                guard let weight = parts.count == 2 ? Int(parts[1]) : 1 else {
                    throw ValidationError("membership.members '\(entry)': the weight after ':' must be a whole number")
                }
                guard weights.updateValue(weight, forKey: node) == nil else {
                    throw ValidationError("membership.members: \(node.short) is listed twice")
                }
            }
            do {
                return try Membership.table(.allowlist, weights: weights)
            } catch {
                throw ValidationError("membership.members: \(error)")
            }
        case .stake:
            guard members.isEmpty else {
                throw ValidationError("membership.members: a stake network's weights are the oracle registry's deposits, read from the chain; members are for membership.mode allowlist")
            }
            // Filled from the chain when the node starts (NodeAssembly).
            return try! Membership.table(.stake, weights: [:])
        case nil:
            throw ValidationError("membership.mode '\(mode)': use allowlist, stake or open")
        }
    }
}
