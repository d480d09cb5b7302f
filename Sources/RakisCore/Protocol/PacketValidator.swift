/// Remembers envelopes that passed the stateless checks. Those checks are a pure function of
/// the envelope, so a simulator running thousands of nodes in one process can run them once per
/// envelope instead of once per node. A real node needs none.
public protocol ValidationCache: AnyObject, Sendable {
    func isKnownValid(_ envelope: Envelope) -> Bool
    func rememberValid(_ envelope: Envelope)
}

/// The stateless checks every received packet passes before the node looks at it: network,
/// signature (also of every embedded packet), clock skew, sizes and value ranges, and the
/// rules that tie a packet to its sender, including the network's membership: only weighted
/// identities commit or announce themselves, and a quorum packet holds exactly the committee its
/// commits make. Checks that need the node's state (replays, deadlines, which quorum a request
/// adopted) are the node's.
public struct PacketValidator: Sendable {
    public let network: String
    public let membership: Membership
    public let maxClockSkew: Millis
    public let cache: (any ValidationCache)?

    public init(network: String, membership: Membership, maxClockSkew: Millis = 30_000, cache: (any ValidationCache)? = nil) {
        self.network = network
        self.membership = membership
        self.maxClockSkew = maxClockSkew
        self.cache = cache
    }

    public func validate(_ envelope: Envelope, now: Millis) throws(PacketRejection) {
        guard abs(envelope.packet.createdAt - now) <= maxClockSkew else {
            throw .clockSkew(createdAt: envelope.packet.createdAt, now: now, window: maxClockSkew)
        }
        try validateSigned(envelope, path: "packet")
    }

    /// Everything but the clock: embedded packets are old by design, and so are the packets of a
    /// certificate read back from a file.
    public func validateSigned(_ envelope: Envelope, path: String) throws(PacketRejection) {
        if let cache, cache.isKnownValid(envelope) { return }
        try checkSigned(envelope, path: path)
        cache?.rememberValid(envelope)
    }

    private func checkSigned(_ envelope: Envelope, path: String) throws(PacketRejection) {
        guard envelope.network == network else { throw .wrongNetwork(expected: network, found: envelope.network) }
        // Weight first: an identity without weight costs a receiver a table lookup (or one hash for
        // a ticket), not a signature check, however many packets it sends.
        switch envelope.packet.body {
        case let .commit(commit): try requireWeight(envelope.sender, ticket: commit.ticket, path: path)
        case let .peerStatus(status): try requireWeight(envelope.sender, ticket: status.ticket, path: path)
        default: break
        }
        guard envelope.hasValidSignature else { throw .badSignature(path: path) }
        switch envelope.packet.body {
        case let .request(request):
            try Self.validate(request, path: "\(path).request")
            guard request.origin.node == envelope.sender else {
                throw .senderMismatch("\(path): request origin \(request.origin.node.short) did not sign it (\(envelope.sender.short) did)")
            }
        case let .commit(commit):
            try Self.validateName(commit.model, field: "\(path).model")
            try Self.validateInferenceId(commit.inferenceId, requestId: commit.requestId, sender: envelope.sender, path: path)
        case let .quorum(quorum):
            try validate(quorum, path: path)
        case let .reveal(reveal):
            try Self.validateName(reveal.model, field: "\(path).model")
            try Self.validateInferenceId(reveal.inferenceId, requestId: reveal.requestId, sender: envelope.sender, path: path)
            guard reveal.output.utf8.count <= Limits.maxOutputBytes else {
                throw .outOfRange(field: "\(path).output", detail: "\(reveal.output.utf8.count) bytes, limit \(Limits.maxOutputBytes)")
            }
            // Whether the count matches the output's free strings depends on the request's schema
            // (`Reveal.structuredDefect`); no schema admits more than this.
            guard reveal.fieldEmbeddings.count <= Limits.Schema.maxEmbeddedLeaves else {
                throw .outOfRange(field: "\(path).fieldEmbeddings",
                                  detail: "\(reveal.fieldEmbeddings.count) embeddings, limit \(Limits.Schema.maxEmbeddedLeaves)")
            }
        case let .result(result):
            try validateSigned(result.quorum, path: "\(path).quorum")
            let quorum = result.quorum.quorum!
            let members = Set(quorum.commits.map(\.sender))
            guard Set(result.reveals.map(\.sender)).count == result.reveals.count else {
                throw .inconsistent("\(path).reveals: two reveals from one member")
            }
            for (index, reveal) in result.reveals.enumerated() {
                let revealPath = "\(path).reveals[\(index)]"
                try validateSigned(reveal, path: revealPath)
                guard reveal.reveal!.requestId == quorum.requestId else {
                    throw .inconsistent("\(revealPath): reveal is for another request")
                }
                guard members.contains(reveal.sender) else {
                    throw .inconsistent("\(revealPath): \(reveal.sender.short) is not a quorum member")
                }
            }
        case let .peerStatus(status):
            for (index, model) in (status.models + status.embeddingModels).enumerated() {
                try Self.validateName(model, field: "\(path).models[\(index)]")
            }
            guard status.models.count + status.embeddingModels.count <= 2 * Limits.maxModels else {
                throw .outOfRange(field: "\(path).models", detail: "at most \(Limits.maxModels) of each kind")
            }
            guard status.activeJobs >= 0, status.queuedJobs >= 0 else {
                throw .outOfRange(field: "\(path).activeJobs", detail: "job counts cannot be negative")
            }
        case let .attestation(attestation):
            try attestation.validate(path: path)
        case let .chat(chat):
            try chat.validate(path: path)
        }
    }

    private func requireWeight(_ sender: NodeID, ticket: AdmissionTicket?, path: String) throws(PacketRejection) {
        guard membership.weight(of: sender, ticket: ticket, network: network) == 0 else { return }
        switch membership.kind {
        case .open:
            throw .notAdmitted("\(path): \(sender.short) shows no admission ticket of \(membership.difficulty) zero bits")
        case .allowlist, .stake:
            throw .notAdmitted("\(path): \(sender.short) is not in the network's \(membership.kind.rawValue) membership")
        }
    }

    private func validate(_ quorum: QuorumDecision, path: String) throws(PacketRejection) {
        try validateSigned(quorum.request, path: "\(path).request")
        let request = quorum.request.request!
        guard (1...request.frame.quorum).contains(quorum.commits.count) else {
            throw .inconsistent("\(path).commits: \(quorum.commits.count) commits for a quorum of \(request.frame.quorum)")
        }
        guard Set(quorum.commits.map(\.sender)).count == quorum.commits.count else {
            throw .inconsistent("\(path).commits: two commits from one node")
        }
        for (index, envelope) in quorum.commits.enumerated() {
            let commitPath = "\(path).commits[\(index)]"
            try validateSigned(envelope, path: commitPath)
            let commit = envelope.commit!
            guard commit.requestId == request.id else { throw .inconsistent("\(commitPath): commit is for another request") }
            guard request.models.contains(commit.model) else {
                throw .inconsistent("\(commitPath): model \"\(commit.model)\" is not accepted by the request")
            }
        }
        guard QuorumRules.committee(of: quorum, membership: membership, network: network) != nil else {
            throw .inconsistent("\(path).commits: not a committee under the rank rule (every member holds a seat and the seats fill the quorum)")
        }
    }

    /// Value ranges of a request, also used when a node creates one locally.
    public static func validate(_ request: InferenceRequest, path: String = "request") throws(PacketRejection) {
        func range(_ ok: Bool, _ field: String, _ detail: String) throws(PacketRejection) {
            if !ok { throw .outOfRange(field: "\(path).\(field)", detail: detail) }
        }
        switch request.input {
        case let .prompt(text):
            try range(!text.isEmpty, "prompt", "must not be empty")
        case let .messages(messages):
            try range(!messages.isEmpty && messages.count <= Limits.maxMessages, "messages", "1 to \(Limits.maxMessages) messages")
            for (index, message) in messages.enumerated() {
                try range(ChatMessage.roles.contains(message.role), "messages[\(index)].role", "must be system, user or assistant")
            }
        }
        try range(request.input.byteCount <= Limits.maxPromptBytes, "prompt", "\(request.input.byteCount) bytes, limit \(Limits.maxPromptBytes)")
        try range(!request.models.isEmpty && request.models.count <= Limits.maxModels, "models", "1 to \(Limits.maxModels) models")
        try range(Set(request.models).count == request.models.count, "models", "listed twice")
        for (index, model) in request.models.enumerated() { try validateName(model, field: "\(path).models[\(index)]") }
        try range(Limits.temperatureRange.contains(request.temperature), "temperature", "must be in 0...2")
        try range(Limits.maxTokensRange.contains(request.maxTokens), "maxTokens", "must be in \(Limits.maxTokensRange)")
        if let seed = request.seed { try range((0...Limits.maxSeed).contains(seed), "seed", "must be in 0...2^53-1") }
        if let topP = request.topP { try range(topP > 0 && topP <= 1, "topP", "must be in (0, 1]") }
        try range(request.stop.count <= Limits.maxStopStrings, "stop", "at most \(Limits.maxStopStrings) strings")
        for (index, stop) in request.stop.enumerated() {
            try range(Limits.stopStringBytes.contains(stop.utf8.count), "stop[\(index)]", "must be \(Limits.stopStringBytes) UTF-8 bytes")
        }
        try range(request.format == nil || request.stop.isEmpty, "stop", "a structured request (one with a format) cannot stop early")
        try validateName(request.embedding.model, field: "\(path).embedding.model")
        let bits = request.embedding.bits
        try range(Limits.embeddingBitsRange.contains(bits) && bits % 8 == 0, "embedding.bits", "a multiple of 8 in \(Limits.embeddingBitsRange)")
        let frame = request.frame
        try range(Limits.quorumRange.contains(frame.quorum), "frame.quorum", "must be in \(Limits.quorumRange)")
        try range((0...1).contains(frame.secDistance), "frame.secDistance", "must be in 0...1")
        try range((0...1).contains(frame.secPercentage), "frame.secPercentage", "must be in 0...1")
        try range(frame.commitDeadline - request.createdAt >= Limits.minCommitWindow, "frame.commitDeadline",
                  "must be at least \(Limits.minCommitWindow) ms after createdAt")
        try range(frame.revealDeadline > frame.commitDeadline, "frame.revealDeadline", "must be after commitDeadline")
        try range(frame.revealDeadline - request.createdAt <= Limits.maxRequestLifetime, "frame.revealDeadline",
                  "must be at most \(Limits.maxRequestLifetime) ms after createdAt")
        // The schema's own limits were checked when it was read (`OutputSchema.init(json:path:)`).
        if let format = request.format {
            try range(request.maxTokens >= format.minimalOutputBytes, "maxTokens",
                      "\(request.maxTokens) tokens cannot hold the shortest valid output, \(format.minimalOutputBytes) bytes (a token is at least one byte)")
            try range((0...Limits.maxNumberTolerance).contains(frame.numberTolerance), "frame.numberTolerance",
                      "must be in 0...\(ECMAScriptNumber.format(Limits.maxNumberTolerance))")
            // Field by field, two choices with no fields below them (`{"call":{"a":{}}}` and
            // `{"call":{"b":{}}}`) would have nothing to disagree on: such formats agree whole.
            try range(!frame.partial || !format.root.holdsChoice, "frame.partial",
                      "a format with an exactly-one object (minProperties and maxProperties 1) is agreed as a whole, not field by field")
        } else {
            try range(frame.numberTolerance == 0, "frame.numberTolerance", "only a request with a format compares numbers")
            try range(!frame.partial, "frame.partial", "only a request with a format has fields to agree on")
        }
        let nonceOK = Limits.nonceHexRange.contains(request.nonce.utf8.count) && Hex.decode(request.nonce) != nil
        try range(nonceOK, "nonce", "\(Limits.nonceHexRange.lowerBound) to \(Limits.nonceHexRange.upperBound) lowercase hex digits")
        switch request.origin.kind {
        case .chain:
            guard let chain = request.origin.chain else { throw .outOfRange(field: "\(path).origin.chain", detail: "required for a chain origin") }
            try range(ChainAttestation.isAddress(chain.contract),
                      "origin.chain.contract", "must be 0x and 40 lowercase hex digits")
            try range(!chain.chainRequestId.isEmpty && chain.chainRequestId.utf8.count <= 78 && chain.chainRequestId.allSatisfy(\.isASCIIDigit),
                      "origin.chain.requestId", "must be a decimal number below 2^256")
            try range(chain.chainId > 0, "origin.chain.chainId", "must be positive")
        case .peer, .api:
            try range(request.origin.chain == nil, "origin.chain", "only a chain origin has chain coordinates")
        }
    }

    static func validateName(_ name: String, field: String) throws(PacketRejection) {
        guard !name.isEmpty, name.utf8.count <= Limits.maxNameBytes else {
            throw .outOfRange(field: field, detail: "a name of 1 to \(Limits.maxNameBytes) bytes")
        }
    }

    static func validateInferenceId(_ id: Hash256, requestId: Hash256, sender: NodeID, path: String) throws(PacketRejection) {
        guard id == Commitment.inferenceId(requestId: requestId, nodeId: sender) else {
            throw .senderMismatch("\(path).inferenceId is not the sender's inference id for this request")
        }
    }
}

private extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
