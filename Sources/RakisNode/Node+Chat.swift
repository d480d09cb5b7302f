import RakisCore

/// The network's chat: signed messages that belong to no request. The node checks them (the
/// validator's shape rules, then the rate limit) and hands them to its runtime, which shows
/// them and relays them like any accepted packet; no request, job or timer is touched.
extension Node {
    func receiveChat(_ envelope: Envelope, via: TransportName) throws(PacketRejection) {
        let sharesAllowance = weight(of: envelope.sender) == 0
        guard chatLimit.admit(envelope.sender, sharesAllowance: sharesAllowance, at: now) else {
            let whose = sharesAllowance ? "identities without weight" : "\(envelope.sender.short)"
            throw .rateLimited("chat from \(whose) beyond \(Self.chatLimitDescription(shared: sharesAllowance))")
        }
        effects.append(.notify(.chat(envelope, via: via)))
    }

    /// A local client's message, signed by this node. It meets the rules receivers apply, its
    /// own rate limit included (receivers would drop what exceeds it).
    func postChat(_ text: String) {
        let post = ChatPost(text: text)
        do {
            try post.validate(path: "chat")
        } catch {
            verdict = .submissionRejected(error)
            return
        }
        guard chatLimit.admit(nodeId, sharesAllowance: false, at: now) else {
            verdict = .submissionRejected(.rateLimited("this node's chat beyond \(Self.chatLimitDescription(shared: false))"))
            return
        }
        let envelope = broadcast(.chat(post))
        verdict = .chatPosted(packetId: envelope.id)
        effects.append(.notify(.chat(envelope, via: nil)))
    }

    private static func chatLimitDescription(shared: Bool) -> String {
        shared ? "\(Int(ChatRateLimit.sharedPerSecond)) messages a second together (bursts of \(Int(ChatRateLimit.sharedBurst)))"
            : "\(Int(ChatRateLimit.perSecond)) message a second (bursts of \(Int(ChatRateLimit.burst)))"
    }
}
