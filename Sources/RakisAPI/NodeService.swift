import RakisCore
import RakisNetwork
import RakisNode
import RakisRuntime
import RakisStore

/// What the HTTP API needs of a node, and nothing more. The routes are written against it, as a
/// controller in front of a repository, so they can be tested against a stand-in without a
/// network; `NodeRuntime` is the real one.
protocol NodeService: Sendable {
    // MARK: The node

    var nodeId: NodeID { get }
    var network: String { get }
    /// LLMs this node serves, its own first choice first.
    var servedModels: [String] { get }
    var embeddingModels: [String] { get }
    var startedAt: Millis { get }
    /// Each transport's name and counters, in the node's order.
    var transportStatistics: [(name: String, statistics: TransportStatistics)] { get }
    /// The nodes heard from, sorted by node id.
    func peers() async -> [PeerInfo]
    /// LLMs this node or a peer it heard from serves.
    func networkModels() async -> Set<String>

    // MARK: The node's own models

    /// What a request's prompt (as the model saw it) and output come to under `model`'s
    /// tokenizer; nil when this node does not hold the model.
    func tokenUsage(model: String, input: RequestInput, output: String) -> TokenUsage?
    /// Unit-length float embeddings under one of `embeddingModels`, and the tokens they took.
    func embeddings(of texts: [String], model: String) async throws -> (vectors: [[Float]], tokens: Int)

    // MARK: Requests

    /// Signs and sends a request with this node as its origin.
    func submit(_ spec: RequestSpec) async throws(PacketRejection) -> Hash256
    /// Waits until the request concludes at this node; nil if the node stops first.
    func conclusion(of requestId: Hash256) async -> RequestConclusion?
    /// Live events from now on.
    func events() -> AsyncStream<RuntimeEvent>

    // MARK: The transport chat

    /// The last chat messages, oldest first, with the transports that brought each one.
    func chatMessages(limit: Int) async -> [ChatEntry]
    /// Signs and sends a chat message with this node as its sender.
    func post(_ text: String) async throws(PacketRejection) -> ChatEntry
    /// Each transport's latency percentiles and loss over the recent traffic.
    func transportDeliveries() -> TransportDeliveryReport

    // MARK: The store

    /// The most recent requests, newest first.
    func recentRequests(limit: Int) throws -> [RequestSummary]
    /// A request's story, or nil if the node has never seen it.
    func story(of requestId: Hash256) throws -> RequestStory?
    /// How a request ended here; nil while it has not.
    func storedResult(of requestId: Hash256) throws -> StoredResult?
    /// A concluded request's certificate file; nil without a quorum or a signed result packet.
    func certificate(for result: StoredResult) throws -> CertificateBundle?
}

extension NodeRuntime: NodeService {
    nonisolated var transportStatistics: [(name: String, statistics: TransportStatistics)] {
        transports.map { ($0.name.name, $0.statistics) }
    }

    nonisolated func tokenUsage(model: String, input: RequestInput, output: String) -> TokenUsage? {
        workers.tokenUsage(model: model, input: input, output: output)
    }

    nonisolated func embeddings(of texts: [String], model: String) async throws -> (vectors: [[Float]], tokens: Int) {
        try await workers.embeddings(of: texts, model: model)
    }

    nonisolated func recentRequests(limit: Int) throws -> [RequestSummary] { try queries.recentRequests(limit: limit) }
    nonisolated func story(of requestId: Hash256) throws -> RequestStory? { try queries.story(of: requestId) }
    nonisolated func storedResult(of requestId: Hash256) throws -> StoredResult? { try queries.storedResult(of: requestId) }
    nonisolated func certificate(for result: StoredResult) throws -> CertificateBundle? { try queries.certificate(for: result) }
}
