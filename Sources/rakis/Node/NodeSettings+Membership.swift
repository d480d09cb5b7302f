import ArgumentParser
import RakisCore

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
