/// Why a certificate file could not be read, or does not prove the outcome it claims. Every case
/// says what failed and where: a path into the file (`results[1]`, `reveals[2]`) or a node.
public enum CertificateError: Error, Sendable, Equatable, CustomStringConvertible {
    // Reading the file.
    /// Not JSON, or not shaped like a certificate file (a missing or unknown field, a bad envelope).
    case malformed(String)
    case unsupportedFormat(String)
    case noResults
    case notAResult(path: String, type: String)
    /// The results are not sorted by signer, so the file has more than one spelling.
    case unsortedResults
    case duplicateSigner(path: String, signer: NodeID)
    case differentRequests(path: String)
    case differentCertificates(path: String)

    // Verifying it.
    case wrongNetwork(path: String, expected: String, found: String)
    /// A packet in the certificate fails the stateless checks every node applies to it: a signature,
    /// a value range, a commit or reveal that does not belong to the request or its quorum.
    case rejectedPacket(PacketRejection)
    /// A result packet signed by a node that is neither the quorum's fixer nor a member.
    case foreignSigner(path: String, signer: NodeID)
    /// A quorum packet that nodes would not adopt: an incomplete committee fixed before the commit
    /// deadline, or a fallback quorum made outside the fallback window.
    case inadmissibleQuorum(fixer: NodeID)
    /// A failed outcome without every member's reveal: the missing one might have changed it.
    case missingReveal(member: NodeID)
    /// A reveal whose fields do not re-derive the commitment its sender committed to: its output,
    /// salt, model or embedding changed after the commit.
    case commitmentMismatch(path: String, member: NodeID)
    case outcomeMismatch(claimed: ResultOutcome, recomputed: ResultOutcome)

    public var description: String {
        switch self {
        case let .malformed(detail): "malformed certificate file: \(detail)"
        case let .unsupportedFormat(found): "format \"\(found)\" is not \"\(CertificateBundle.format)\""
        case .noResults: "results: the file holds no result packet"
        case let .notAResult(path, type): "\(path): a \(type) packet, not a result"
        case .unsortedResults: "results: not sorted by signer"
        case let .duplicateSigner(path, signer): "\(path): a second result signed by \(signer.short)"
        case let .differentRequests(path): "\(path): a result for another request than results[0]"
        case let .differentCertificates(path): "\(path): carries another certificate than results[0]"
        case let .wrongNetwork(path, expected, found): "\(path): signed for network \"\(found)\", the file is for \"\(expected)\""
        case let .rejectedPacket(rejection): "\(rejection)"
        case let .foreignSigner(path, signer): "\(path): signed by \(signer.short), neither the quorum's fixer nor a member"
        case let .inadmissibleQuorum(fixer): "quorum: fixed by \(fixer.short) at a time its rules do not admit (an incomplete committee before the commit deadline, or a fallback outside its window)"
        case let .missingReveal(member): "reveals: none from member \(member.short), and without it the certificate claims a failure"
        case let .commitmentMismatch(path, member): "\(path): does not re-derive the commitment of member \(member.short)"
        case let .outcomeMismatch(claimed, recomputed):
            "outcome: the certificate claims \(Self.describe(claimed)), consensus over its reveals gives \(Self.describe(recomputed))"
        }
    }

    private static func describe(_ outcome: ResultOutcome) -> String {
        switch outcome {
        case let .agreed(chosen, cluster):
            "agreed on \(chosen.hex.prefix(8)) among [\(cluster.map { String($0.hex.prefix(8)) }.joined(separator: ", "))]"
        case let .failed(reason): "failed (\(reason))"
        }
    }
}
