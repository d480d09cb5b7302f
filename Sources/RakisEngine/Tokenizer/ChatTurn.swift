/// One turn of a conversation, as a chat template renders it. (The protocol's `ChatMessage`, in
/// RakisCore, is what a request carries; the runtime's engine backend turns one into the other.)
public struct ChatTurn: Sendable, Equatable {
    /// Who speaks: "system", "user" or "assistant".
    public let role: String
    public let content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}
