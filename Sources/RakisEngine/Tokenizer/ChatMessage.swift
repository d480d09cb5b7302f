/// One turn of a conversation, as a chat template renders it.
public struct ChatMessage: Sendable, Equatable {
    /// Who speaks: "system", "user" or "assistant".
    public let role: String
    public let content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}
