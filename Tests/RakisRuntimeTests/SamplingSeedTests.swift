import Testing
import RakisCore
@testable import RakisNode
@testable import RakisRuntime

/// Nodes agree above temperature 0 only if every backend samples with the same seed: the one the
/// state machine puts on the job.
@Suite struct SamplingSeedTests {
    /// The inference job a serving node starts for a request it submits itself.
    func job(seed: Int?) throws -> InferenceJob {
        let identity = NodeIdentity(deterministicLabel: "seed test")
        var config = NodeConfig(network: "seed-test", membership: .equalWeights([identity.nodeId]), servedModels: ["llm"],
                                embeddingModels: ["embedder"])
        config.workerRedundancy = 1_000  // always drawn to work
        let node = Node(identity: identity, config: config)
        _ = node.handle(.started, now: 1_700_000_000_000)
        let spec = RequestSpec(input: .prompt("Once upon a time"), models: ["llm"], temperature: 0.9, seed: seed, quorum: 1)
        let step = node.handle(.requestSubmitted(spec, nonce: "00112233"), now: 1_700_000_000_100)
        let jobs = step.effects.compactMap { effect -> InferenceJob? in
            if case let .startInference(job) = effect { job } else { nil }
        }
        return try #require(jobs.first, "no inference started: \(step.effects)")
    }

    @Test func bothBackendsSampleWithTheJobsSeed() throws {
        let openAI = OpenAIBackend(baseURL: "http://127.0.0.1:1/v1", remoteModel: "remote", apiKey: nil)
        for seed in [nil, 0, 42, Int(Limits.maxSeed)] {
            let job = try job(seed: seed)
            let engineSeed = EngineBackend.generationRequest(for: job).sampling.seed
            guard case let .object(body) = openAI.requestBody(for: job), case let .number(sent)? = body["seed"] else {
                Issue.record("no seed in the OpenAI request body"); continue
            }
            #expect(engineSeed == UInt64(sent), "seed \(String(describing: seed)): engine \(engineSeed), OpenAI \(sent)")
            #expect(sent == Double(job.seed), "the body's number holds the seed exactly")
        }
    }

    @Test func aRequestWithoutASeedSamplesWithOneDerivedFromItsId() throws {
        let job = try job(seed: nil)
        #expect(job.seed == Int(job.requestId.words.0 >> 11))
        #expect((0...Limits.maxSeed).contains(job.seed))
        #expect(try self.job(seed: 42).seed == 42)
    }
}
