@testable import RakisAPI
import RakisCore
import RakisNetwork
import RakisNode
import RakisRuntime
import RakisStore
import Synchronization

/// A node the routes can be tested against without a network: it answers from what the test gave
/// it and remembers what was submitted.
final class StandInNode: NodeService {
    static let requestId = Hash256.of(Array("a request".utf8))
    static let nodeIdentity = NodeIdentity(deterministicLabel: "stand-in")

    let nodeId = StandInNode.nodeIdentity.nodeId
    let network = "rakis-test"
    let servedModels = ["own-model"]
    let embeddingModels = ["all-minilm-l6-v2"]
    let startedAt: Millis = 1_700_000_000_000
    let transportStatistics: [(name: String, statistics: TransportStatistics)]
    /// Models peers serve, besides this node's own.
    let peerModels: Set<String>
    /// What `submit` answers: the request id, or a refusal.
    let submitAnswer: Result<Hash256, PacketRejection>
    /// What `conclusion(of:)` answers for every request; nil as if the node stopped.
    let conclusion: RequestConclusion?
    let stories: [Hash256: RequestStory]
    let results: [Hash256: StoredResult]
    /// The specs submitted so far, oldest first.
    let submitted = Mutex<[RequestSpec]>([])
    /// The chat as the node holds it, oldest first; a posted message joins it.
    let chat: Mutex<[ChatEntry]>
    /// What `post` answers besides adding the message: nil to take it, or a refusal.
    let chatRefusal: PacketRejection?
    let deliveryReport: TransportDeliveryReport
    /// The live events `events()` gives, before it ends.
    let liveEvents: [RuntimeEvent]

    init(transportStatistics: [(name: String, statistics: TransportStatistics)] = [], peerModels: Set<String> = [],
         submitAnswer: Result<Hash256, PacketRejection> = .success(StandInNode.requestId), conclusion: RequestConclusion? = nil,
         stories: [Hash256: RequestStory] = [:], results: [Hash256: StoredResult] = [:], chat: [ChatEntry] = [],
         chatRefusal: PacketRejection? = nil, deliveryReport: TransportDeliveryReport = TransportDeliveryReport(packets: 0, settled: 0, transports: []),
         liveEvents: [RuntimeEvent] = []) {
        self.transportStatistics = transportStatistics
        self.peerModels = peerModels
        self.submitAnswer = submitAnswer
        self.conclusion = conclusion
        self.stories = stories
        self.results = results
        self.chat = Mutex(chat)
        self.chatRefusal = chatRefusal
        self.deliveryReport = deliveryReport
        self.liveEvents = liveEvents
    }

    func peers() async -> [PeerInfo] { [] }
    func networkModels() async -> Set<String> { peerModels.union(servedModels) }

    func submit(_ spec: RequestSpec) async throws(PacketRejection) -> Hash256 {
        submitted.withLock { $0.append(spec) }
        return try submitAnswer.get()
    }

    func conclusion(of requestId: Hash256) async -> RequestConclusion? { conclusion }
    func events() -> AsyncStream<RuntimeEvent> {
        let events = liveEvents
        return AsyncStream { continuation in
            for event in events { continuation.yield(event) }
            continuation.finish()
        }
    }

    func chatMessages(limit: Int) async -> [ChatEntry] { Array(chat.withLock { $0 }.suffix(limit)) }

    /// Signs nothing: the message's id is the hash of its text, its clock the node's start.
    func post(_ text: String) async throws(PacketRejection) -> ChatEntry {
        if let chatRefusal { throw chatRefusal }
        let entry = ChatEntry(packetId: Hash256.of(Array(text.utf8)), sender: nodeId, text: text, sentAt: startedAt, own: true)
        chat.withLock { $0.append(entry) }
        return entry
    }

    func transportDeliveries() -> TransportDeliveryReport { deliveryReport }

    /// Four prompt tokens a message, one output token a word.
    func tokenUsage(model: String, input: RequestInput, output: String) -> TokenUsage? {
        guard case let .messages(messages) = input else { return TokenUsage(promptTokens: 3, completionTokens: output.split(separator: " ").count) }
        return TokenUsage(promptTokens: 4 * messages.count, completionTokens: output.split(separator: " ").count)
    }

    /// A text's embedding is its length and its word count, normalized.
    func embeddings(of texts: [String], model: String) async throws -> (vectors: [[Float]], tokens: Int) {
        let vectors = texts.map { text -> [Float] in
            let v = [Float(text.count), Float(text.split(separator: " ").count)]
            let norm = (v[0] * v[0] + v[1] * v[1]).squareRoot()
            return norm > 0 ? v.map { $0 / norm } : v
        }
        return (vectors, texts.count * 2)
    }

    func recentRequests(limit: Int) throws -> [RequestSummary] { [] }
    func story(of requestId: Hash256) throws -> RequestStory? { stories[requestId] }
    func storedResult(of requestId: Hash256) throws -> StoredResult? { results[requestId] }
    /// No signed result packet has reached the stand-in.
    func certificate(for result: StoredResult) throws -> CertificateBundle? { nil }
}

/// Conclusions and results as the state machine and the store would give them.
enum Outcomes {
    static let chosen = ChosenOutput(node: StandInNode.nodeIdentity.nodeId, model: "own-model", output: "Four.",
                                     commitment: Hash256.of(Array("commitment".utf8)),
                                     cluster: [Hash256.of(Array("a".utf8)), Hash256.of(Array("b".utf8))])

    static func agreed(_ requestId: Hash256 = StandInNode.requestId) -> RequestConclusion {
        RequestConclusion(requestId: requestId, outcome: .final(chosen), certificate: nil, concludedAt: 1_700_000_012_345)
    }

    static func noQuorum(_ requestId: Hash256 = StandInNode.requestId) -> RequestConclusion {
        RequestConclusion(requestId: requestId, outcome: .failed(.noQuorum), certificate: nil, concludedAt: 1_700_000_012_345)
    }
}
