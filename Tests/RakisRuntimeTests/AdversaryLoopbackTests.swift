import Foundation
import Testing
import RakisCore
import RakisNetwork
import RakisRuntime
import RakisStore
import RakisTestSupport

/// The committee attacks of docs/PROTOCOL.md's threat model, against real `rakis node` processes
/// with the real models over the mesh and MQTT, by an adversary speaking the wire protocol.
extension LoopbackNetworkTests {
    /// An adversary with one admitted identity (a quarter of the weight) and ten fresh keys
    /// commits at once to one made-up answer. Fresh keys are refused; its one identity can hold at
    /// most one of three seats, so the honest answer wins every time, however fast it is.
    @Test func fastColludersDoNotDecide() async throws {
        let (adversary, cluster) = try await adversaryAndCluster(.colludeFast(output: "Berlin is the capital of France."), freshKeys: 10)
        defer { Task { await adversary.stop() } }

        let adversaryIds = Set(([adversary.weighted] + adversary.fresh).map(\.nodeId.hex))
        for prompt in ["What is the capital of France?", "Name a colour of the sky.", "What is two plus two?"] {
            let outcome = try await cluster.submit(prompt)
            #expect(outcome.status == "final", "\(outcome.json)\n\(cluster.logs())")
            #expect(outcome.output != "Berlin is the capital of France.")
            #expect(!adversaryIds.contains(outcome.json["node"] as? String ?? ""), "the colluders' answer was chosen")
        }
        #expect(adversary.requestsAnswered.load(ordering: .relaxed) >= 3, "the adversary saw the requests")
        let metrics = await cluster.metrics(0)
        #expect(metrics["rakis_packets_rejected_total{reason=\"notAdmitted\"}"] ?? 0 >= 30, "the fresh keys' commits are refused")
        #expect(await cluster.stopAll().allSatisfy { $0 == 0 })
    }

    /// An admitted identity commits at once and never reveals. When it is seated, the request
    /// still finalizes on the two honest members' reveals (the fixer's partial reveal set, at the
    /// reveal deadline), its certificate verifies offline, and the withholding is counted.
    @Test func aWithholderCannotFailTheRequest() async throws {
        let (adversary, cluster) = try await adversaryAndCluster(.withhold)
        defer { Task { await adversary.stop() } }

        // Four identities of weight 1 for three seats: the withholder is seated three times in four.
        var seated = 0
        for attempt in 0..<6 where seated == 0 {
            let before = adversary.timesSeated.load(ordering: .relaxed)
            let outcome = try await cluster.submit("Say hello number \(attempt).", extra: ["--commit-window", "4000", "--reveal-window", "4000"])
            #expect(outcome.status == "final", "\(outcome.json)\n\(cluster.logs())")
            guard adversary.timesSeated.load(ordering: .relaxed) > before else { continue }
            seated += 1
            let certificate = try #require(outcome.json["certificate"] as? [String: Any])
            #expect((certificate["reveals"] as? [Any])?.count == 2, "decided over the two honest reveals")
            let file = "\(cluster.directory)/partial.json"
            let bundle = try #require(await fetchCertificate(cluster, requestId: outcome.requestId ?? ""))
            try bundle.write(to: URL(fileURLWithPath: file))
            let verify = try NodeProcess(name: "verify-partial", arguments: ["verify", file] + cluster.membershipArguments, directory: cluster.directory)
            #expect(await verify.process.waitForExit(timeout: .seconds(60)) == 0, "\(verify.log)")
        }
        #expect(seated == 1, "the withholder was never seated in six requests")
        let counted = await eventually {
            await cluster.metrics(0)["rakis_member_faults_total{fault=\"withheld\"}"] ?? 0 >= 1
        }
        #expect(counted, "the withholding is counted against the member")
        #expect(await cluster.stopAll().allSatisfy { $0 == 0 })
    }

    /// Structured requests (docs/PROTOCOL.md, "Structured outputs"): an admitted identity commits at
    /// once to a schema-valid lie, `answer: false`, with made-up embeddings of the output and of
    /// its free string (it has no embedding model; `StructuredCertificateTests` forges a field
    /// embedding alone). Seated or not, it cannot decide: when seated, the verifiers re-embed, do
    /// not count its reveal, and the two honest members' identical answer is final.
    @Test func aStructuredLieWithForgedEmbeddingsDoesNotCount() async throws {
        let lie = #"{"answer":false,"why":"It is not."}"#
        let (adversary, cluster) = try await adversaryAndCluster(.colludeFast(output: lie, fieldEmbeddings: [WireAdversary.embedding]))
        defer { Task { await adversary.stop() } }
        let schema = "\(cluster.directory)/verdict.json"
        try #"{"type":"object","additionalProperties":false,"required":["answer","why"],"properties":{"answer":{"type":"boolean"},"why":{"type":"string","maxLength":40}}}"#
            .write(toFile: schema, atomically: true, encoding: .utf8)

        var seated = 0
        for attempt in 0..<6 where seated == 0 {
            let before = adversary.timesSeated.load(ordering: .relaxed)
            let outcome = try await cluster.submit("Is Paris the capital of France? (\(attempt))", maxTokens: 48, extra: ["--schema", schema])
            #expect(outcome.status == "final", "\(outcome.json)\n\(cluster.logs())")
            #expect(outcome.output != lie && outcome.output?.hasPrefix("{\"answer\":") == true, "\(outcome.json)")
            guard adversary.timesSeated.load(ordering: .relaxed) > before else { continue }
            seated += 1
        }
        #expect(seated == 1, "the liar was never seated in six requests")
        let counted = await eventually {
            (await cluster.metrics(0)).contains { $0.key.hasPrefix("rakis_member_faults_total{fault=\"invalidReveal\"") && $0.value >= 1 }
        }
        let faults = await cluster.metrics(0).filter { $0.key.contains("fault") }
        #expect(counted, "the forged reveal is counted against the member: \(faults)")
        #expect(await cluster.stopAll().allSatisfy { $0 == 0 })
    }

    /// Two thousand announcements from fresh keys over MQTT and a flood over a mesh connection:
    /// refused without a signature check, counted, the mesh flooder banned; the nodes keep their
    /// share of the work and serve the next request; the stores lose nothing.
    @Test func aStatusFloodChangesNothing() async throws {
        // The adversary's own identity is not admitted here: every key it uses is a fresh one.
        let (adversary, cluster) = try await adversaryAndCluster(.withhold, admitted: false, followers: 1)
        defer { Task { await adversary.stop() } }
        let network = cluster.network
        let first = try await cluster.submit("What is the capital of France?")
        #expect(first.status == "final", "\(first.json)")
        let before = try (0..<cluster.count).map { try cluster.counts(at: $0) }

        let status = PacketBody.peerStatus(PeerStatus(models: ["smollm2-135m-instruct"], embeddingModels: ["all-minilm-l6-v2"],
                                                      activeJobs: 0, queuedJobs: 0))
        for _ in 0..<2_000 { adversary.send(status, as: NodeIdentity.generate()) }
        let mesh = MeshTransport(configuration: MeshConfiguration(
            identity: NodeIdentity.generate(), network: network, listenHost: "127.0.0.1", bootstrapPeers: ["127.0.0.1:\(cluster.meshPorts[0])"]))
        try await mesh.start { _ in }
        defer { Task { await mesh.stop() } }
        #expect(await eventually { !mesh.neighbours.isEmpty })
        for _ in 0..<300 {
            let envelope = Envelope(signing: Packet(status, createdAt: WireAdversary.now()), network: network, identity: NodeIdentity.generate())
            mesh.send(envelope.wireBytes, except: nil)
        }
        let refused = await eventually(timeout: .seconds(60)) {
            await cluster.metrics(0)["rakis_packets_rejected_total{reason=\"notAdmitted\"}"] ?? 0 >= 1_500
        }
        let metrics = await cluster.metrics(0)
        #expect(refused, "\(metrics.filter { $0.key.contains("rejected") })")
        let banned = await eventually { await cluster.metrics(0)["rakis_transport_peers_banned{transport=\"mesh\"}"] ?? 0 >= 1 }
        #expect(banned, "the mesh flooder is banned")

        let second = try await cluster.submit("Name a colour of the sky.")
        #expect(second.status == "final", "\(second.json)\n\(cluster.logs())")
        for index in 0..<cluster.count {
            let after = try cluster.counts(at: index)
            #expect(after.packets >= before[index].packets && after.requests >= before[index].requests, "node \(index) lost stored state")
        }
        #expect(await cluster.stopAll().allSatisfy { $0 == 0 })
    }

    /// Three serving nodes (and `followers`) over the mesh and MQTT, and an adversary on the broker
    /// whose weighted identity the network admits unless `admitted` is false; both connected.
    private func adversaryAndCluster(_ behaviour: WireAdversary.Behaviour, freshKeys: Int = 0, admitted: Bool = true,
                                     followers: Int = 0) async throws -> (WireAdversary, LoopbackCluster) {
        let broker = try #require(LoopbackCluster.environment.mqtt)
        let network = "loopback-\(UInt32.random(in: 0...UInt32.max))"
        let adversary = try WireAdversary(network: network, broker: broker, behaviour: behaviour, freshKeys: freshKeys)
        let cluster = try LoopbackCluster(serving: 3, followers: followers, transports: [.mesh, .mqtt],
                                          extraMembers: admitted ? [adversary.weighted.nodeId] : [], network: network)
        try await adversary.start()
        #expect(await cluster.waitUntilConnected(), "\(cluster.logs())")
        #expect(await eventually { adversary.connected })
        return (adversary, cluster)
    }

    /// The request's certificate file as a node that concluded it hands it out.
    private func fetchCertificate(_ cluster: LoopbackCluster, requestId: String) async -> Data? {
        guard let id = Hash256(hex: requestId) else { return nil }
        var found: Data?
        _ = await eventually(timeout: .seconds(30)) {
            for index in 0..<cluster.count {
                guard let store = try? NodeStore(path: "\(cluster.dataDirectory(index))/rakis.sqlite") else { continue }
                let queries = NodeQueries(store: store, network: cluster.network)
                if let result = try? queries.storedResult(of: id), let bundle = try? queries.certificate(for: result) {
                    found = Data(bundle.canonicalBytes)
                    return true
                }
            }
            return false
        }
        return found
    }
}
