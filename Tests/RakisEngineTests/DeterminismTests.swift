import Testing
import RakisEngine

/// Same model, prompt and seed: the same bits, whatever the thread count, the run, or the
/// other sequences sharing the batch.
@Suite struct DeterminismTests {
    static let prompts: [[Int32]] = [
        [504, 3575, 282, 4649, 314],  // "The capital of France is"
        Array(1...40).map { Int32($0 * 97) },
        [9690, 198, 2683, 359, 253, 5356, 5646],
    ]

    static func bits(_ logits: [[Float]]) -> [[UInt32]] { logits.map { $0.map(\.bitPattern) } }

    @Test func logitsIdenticalAcrossThreadCounts() throws {
        let baseline = Self.bits(try TestModel.generator(threads: 1).logits(afterPrompts: Self.prompts))
        for threads in [2, 4] {
            let other = Self.bits(try TestModel.generator(threads: threads).logits(afterPrompts: Self.prompts))
            #expect(other == baseline, "threads \(threads)")
        }
    }

    @Test func logitsIdenticalAloneAndBatched() throws {
        let generator = try TestModel.generator(threads: 2)
        let batched = Self.bits(generator.logits(afterPrompts: Self.prompts))
        for (index, prompt) in Self.prompts.enumerated() {
            #expect(Self.bits(generator.logits(afterPrompts: [prompt]))[0] == batched[index], "prompt \(index)")
        }
        // A long prompt spans several chunks of the forward pass's batch.
        let long = Array(repeating: Self.prompts[1], count: 5).flatMap { $0 }
        let longAlone = Self.bits(generator.logits(afterPrompts: [long]))[0]
        #expect(Self.bits(generator.logits(afterPrompts: [Self.prompts[0], long]))[1] == longAlone)
    }

    @Test func sampledOutputReproducible() throws {
        let request = GenerationRequest(prompt: .text("Once upon a time"), maxTokens: 24,
                                        sampling: SamplingParameters(temperature: 0.9, seed: 42))
        let first = try TestModel.generator(threads: 1).generate(request)
        let second = try TestModel.generator(threads: 4).generate(request)
        #expect(first.tokenIDs == second.tokenIDs)
        #expect(first.text == second.text)
        var other = request
        other.sampling.seed = 43
        let third = try TestModel.generator(threads: 2).generate([other, request])
        #expect(third[1].tokenIDs == first.tokenIDs, "batched with another request")
        #expect(third[0].tokenIDs != first.tokenIDs, "another seed gives another sample")
    }

    @Test func samplerIsAPureFunctionOfItsInputs() {
        let logits = (0..<1000).map { Float(($0 * 7919) % 1000) / 100 }
        let sampler = Sampler(SamplingParameters(temperature: 1, topK: 50, topP: 0.9, minP: 0.01, seed: 9))
        let draws = (0..<50).map { sampler.sample(logits, step: $0) }
        #expect(draws == (0..<50).map { sampler.sample(logits, step: $0) })
        #expect(Set(draws).count > 5, "a temperature of 1 samples several tokens")
        let greedy = Sampler(.greedy)
        #expect(greedy.sample(logits, step: 3) == Sampler.argmax(logits))
        #expect(Sampler.argmax([1, 3, 3, 2]) == 1, "ties go to the lowest id")
    }
}

/// How generation ends: a stop string cuts the text before it; otherwise the token limit.
@Suite struct FinishTests {
    @Test func stopStringsCutTheText() throws {
        let generator = try TestModel.generator(threads: 1)
        let stopped = try generator.generate(GenerationRequest(prompt: .text("The capital of France is"), maxTokens: 16, stop: ["."]))
        #expect(stopped.text == " Paris")
        #expect(stopped.finishReason == .stop)
        let limited = try generator.generate(GenerationRequest(prompt: .text("The capital of France is"), maxTokens: 4))
        #expect(limited.finishReason == .length)
        #expect(limited.tokenIDs.count == 4)
        #expect(limited.text == (try TestModel.tokenizer()).decode(limited.tokenIDs))
        #expect(limited.text.hasPrefix(" Paris."))
    }
}
