import Foundation
import RakisCore
import RakisNetwork
import Synchronization

/// An adversary that speaks the wire protocol over an MQTT broker, for tests against real nodes:
/// it hears every packet and answers requests as its `Behaviour` says, from one weighted identity
/// (admitted to the network) and any number of fresh keys (admitted nowhere).
final class WireAdversary: Sendable {
    enum Behaviour: Sendable {
        /// Commits at once, from every identity, to one made-up answer (with made-up field
        /// embeddings, for a structured request), and reveals it when seated.
        case colludeFast(output: String, fieldEmbeddings: [BinaryEmbedding] = [])
        /// Commits at once from the weighted identity and never reveals.
        case withhold
    }

    let network: String
    let weighted: NodeIdentity
    let fresh: [NodeIdentity]
    let behaviour: Behaviour
    let transport: MQTTTransport
    /// Requests answered, and quorums that seated the weighted identity.
    let requestsAnswered = Atomic<Int>(0)
    let timesSeated = Atomic<Int>(0)

    init(network: String, broker: String, behaviour: Behaviour, freshKeys: Int = 0) throws {
        let parts = broker.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]) else { throw ClusterError("broker \(broker) is not HOST:PORT") }
        self.network = network
        self.behaviour = behaviour
        weighted = NodeIdentity.generate()
        fresh = (0..<freshKeys).map { _ in NodeIdentity.generate() }
        transport = MQTTTransport(configuration: MQTTConfiguration(
            host: String(parts[0]), port: port, network: network, clientID: "rakis-adversary-\(UUID().uuidString.prefix(8))",
            // A flood is sent in one burst: the outbox must hold all of it, or what reaches the nodes depends on timing.
            maxQueuedPackets: 4_096))
    }

    func start() async throws {
        try await transport.start { [self] packet in
            guard let envelope = try? Envelope.decode(packet.bytes) else { return }
            receive(envelope)
        }
    }

    func stop() async { await transport.stop() }

    var connected: Bool { transport.statistics.connected }

    /// Signs and publishes a packet.
    func send(_ body: PacketBody, as identity: NodeIdentity) {
        let envelope = Envelope(signing: Packet(body, createdAt: Self.now()), network: network, identity: identity)
        transport.send(envelope.wireBytes, except: nil)
    }

    private func receive(_ envelope: Envelope) {
        if let request = envelope.request {
            requestsAnswered.add(1, ordering: .relaxed)
            let model = request.models[0]
            for identity in [weighted] + fresh {
                send(.commit(commit(for: request, model: model, as: identity)), as: identity)
            }
        } else if let quorum = envelope.quorum, quorum.commits.contains(where: { $0.sender == weighted.nodeId }) {
            timesSeated.add(1, ordering: .relaxed)
            guard case let .colludeFast(output, fieldEmbeddings) = behaviour else { return }
            let request = quorum.request.request!
            send(.reveal(Reveal(requestId: request.id, inferenceId: Commitment.inferenceId(requestId: request.id, nodeId: weighted.nodeId),
                                model: request.models[0], output: output,
                                salt: Commitment.salt(requestId: request.id, identity: weighted), embedding: Self.embedding,
                                fieldEmbeddings: fieldEmbeddings)), as: weighted)
        }
    }

    /// A commit that re-derives from the made-up answer (or, when withholding, from nothing at all).
    private func commit(for request: InferenceRequest, model: String, as identity: NodeIdentity) -> Commit {
        let inferenceId = Commitment.inferenceId(requestId: request.id, nodeId: identity.nodeId)
        let commitment: Hash256
        switch behaviour {
        case let .colludeFast(output, fieldEmbeddings):
            commitment = Commitment.derive(requestId: request.id, inferenceId: inferenceId, nodeId: identity.nodeId, model: model,
                                           output: output, embedding: Self.embedding,
                                           salt: Commitment.salt(requestId: request.id, identity: identity), fieldEmbeddings: fieldEmbeddings)
        case .withhold:
            commitment = Hash256.of(Array("nothing behind it".utf8) + identity.nodeId.publicKeyBytes)
        }
        return Commit(requestId: request.id, inferenceId: inferenceId, model: model, commitment: commitment)
    }

    /// The colluders' claimed embedding: the same bits for all of them, so they would cluster.
    static let embedding = BinaryEmbedding(bytes: [UInt8](repeating: 0x5A, count: 48))

    static func now() -> Millis { Millis(Date().timeIntervalSince1970 * 1000) }
}
