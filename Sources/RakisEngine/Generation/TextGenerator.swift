import Foundation

/// Runs generation requests on a model: tokenizes, prefills every prompt in one batch, then
/// decodes all unfinished sequences together one token per step.
///
/// A sequence's tokens depend only on its own prompt and parameters: the forward pass gives
/// each token the same bits alone or in a batch, and the sampler is a pure function of the
/// logits, the parameters and the step. Calls from several threads run one at a time.
public final class TextGenerator: @unchecked Sendable {
    public let model: LanguageModel
    public let forward: LlamaForward
    private let lock = NSLock()
    /// The vocabulary's token trie, built at the first constrained request.
    private var tokenTrie: TokenTrie?
    /// Masks by answer shape, the most recently used last (a few shapes at a time).
    private var masksByShape: [(shape: JSONShape, masks: TokenMasks)] = []
    private static let maxShapes = 8

    public init(model: LanguageModel, threads: Int, maxBatch: Int = 64) {
        self.model = model
        forward = LlamaForward(config: model.config, weights: model.weights, pool: WorkerPool(threads: threads), maxBatch: maxBatch)
    }

    public func promptTokens(for prompt: Prompt) throws -> [Int32] {
        switch prompt {
        case let .text(text):
            return model.tokenizer.encode(text)
        case let .chat(messages):
            guard let template = model.chatTemplate else {
                throw EngineError.invalidParameter(name: "chat", value: "messages",
                                                   expected: "a model with a supported chat template (\(model.chatTemplateProblem ?? "none"))")
            }
            let segments: [ChatTemplate.Segment]
            do {
                segments = try template.segments(messages)
            } catch {
                throw EngineError.invalidParameter(name: "chat", value: "messages", expected: "a conversation the model's chat template renders (\(error))")
            }
            return chatTokens(segments, bosToken: template.bosToken)
        }
    }

    /// The tokens of a rendered conversation. Message text is tokenized without special
    /// tokens, so a user cannot forge turns by writing "<|im_end|>" into a message.
    ///
    /// Markup that holds no special token (a system prompt's "\n\n" separator, say) joins the
    /// message text around it, so that text is tokenized in one piece, as a tokenizer given the
    /// whole prompt would. A template that writes the BOS token (`{{ bos_token }}`) for a
    /// tokenizer that adds it itself has it once, not twice.
    private func chatTokens(_ segments: [ChatTemplate.Segment], bosToken: String) -> [Int32] {
        let tokenizer = model.tokenizer
        var pieces: [(text: String, isMarkup: Bool)] = []
        for (index, segment) in segments.enumerated() {
            var text = segment.text
            if index == 0, segment.isMarkup, tokenizer.addBOS, !bosToken.isEmpty, text.hasPrefix(bosToken) {
                text.removeFirst(bosToken.count)
            }
            let holdsSpecialTokens = segment.isMarkup
                && tokenizer.encode(text, parseSpecialTokens: true, startOfPrompt: false) != tokenizer.encode(text, parseSpecialTokens: false, startOfPrompt: false)
            if !holdsSpecialTokens, let last = pieces.last, !last.isMarkup {
                pieces[pieces.count - 1].text += text
            } else if !text.isEmpty {
                pieces.append((text, holdsSpecialTokens))
            }
        }
        return pieces.enumerated().flatMap { index, piece in
            tokenizer.encode(piece.text, parseSpecialTokens: piece.isMarkup, startOfPrompt: index == 0)
        }
    }

    public func generate(_ request: GenerationRequest) throws -> GenerationResult {
        try generate([request])[0]
    }

    /// Generates for several requests at once; `onToken(request, token)` sees each new token.
    public func generate(_ requests: [GenerationRequest], onToken: (Int, Int32) -> Void = { _, _ in }) throws -> [GenerationResult] {
        lock.lock()
        defer { lock.unlock() }
        let clock = ContinuousClock()
        var sequences = try requests.map {
            try SequenceState(request: $0, promptTokens: promptTokens(for: $0.prompt), config: model.config, masks: $0.format.map(masksLocked))
        }

        let prefillStart = clock.now
        let prefill = sequences.flatMap { sequence in
            sequence.promptTokens.enumerated().map { position, token in
                BatchEntry(cache: sequence.cache, token: token, position: position, wantsLogits: position == sequence.promptTokens.count - 1)
            }
        }
        var logits = forward.evaluate(prefill)
        let prefillSeconds = (clock.now - prefillStart) / .seconds(1)

        let decodeStart = clock.now
        while true {
            var next: [BatchEntry] = []
            var active = 0
            for index in sequences.indices where !sequences[index].finished {
                let token = sequences[index].accept(logits: logits[active], tokenizer: model.tokenizer)
                active += 1
                onToken(index, token)
                if !sequences[index].finished {
                    next.append(BatchEntry(cache: sequences[index].cache, token: token,
                                           position: sequences[index].cache.count, wantsLogits: true))
                }
            }
            if next.isEmpty { break }
            logits = forward.evaluate(next)
        }
        let decodeSeconds = (clock.now - decodeStart) / .seconds(1)

        return sequences.map { sequence in
            GenerationResult(
                text: sequence.text,
                tokenIDs: sequence.generated,
                promptTokenIDs: sequence.promptTokens,
                finishReason: sequence.finishReason ?? .length,
                stats: GenerationStats(promptTokens: sequence.promptTokens.count, generatedTokens: sequence.generated.count,
                                       prefillSeconds: prefillSeconds, decodeSeconds: decodeSeconds))
        }
    }

    /// The token masks of answers of `shape` (built once, kept for the next requests).
    public func tokenMasks(for shape: JSONShape) throws -> TokenMasks {
        lock.lock()
        defer { lock.unlock() }
        return try masksLocked(shape)
    }

    private func masksLocked(_ shape: JSONShape) throws -> TokenMasks {
        if let index = masksByShape.firstIndex(where: { $0.shape == shape }) {
            let entry = masksByShape.remove(at: index)
            masksByShape.append(entry)
            return entry.masks
        }
        if let reason = shape.problem { throw EngineError.unusableFormat(reason: reason) }
        let trie = tokenTrie ?? TokenTrie(tokenizer: model.tokenizer)
        tokenTrie = trie
        let masks = TokenMasks(grammar: JSONGrammar(shape), trie: trie)
        if masksByShape.count == Self.maxShapes { masksByShape.removeFirst() }
        masksByShape.append((shape, masks))
        return masks
    }

    /// The next-token logits after each given prompt, evaluated together in one batch.
    public func logits(afterPrompts prompts: [[Int32]]) -> [[Float]] {
        lock.lock()
        defer { lock.unlock() }
        let entries = prompts.flatMap { prompt in
            let cache = KVCache(config: model.config, capacity: prompt.count)
            return prompt.enumerated().map { BatchEntry(cache: cache, token: $1, position: $0, wantsLogits: $0 == prompt.count - 1) }
        }
        return forward.evaluate(entries)
    }

    /// The greedy token after every prefix of `tokens` (entry i follows tokens[0...i]): the
    /// model fed the sequence whole, "teacher-forced", one forward pass in chunks.
    public func greedyTokens(teacherForced tokens: [Int32]) -> [Int32] {
        lock.lock()
        defer { lock.unlock() }
        let cache = KVCache(config: model.config, capacity: tokens.count)
        var greedy: [Int32] = []
        // Chunks of the forward pass's batch, so only one chunk's logits are held at a time.
        for start in stride(from: 0, to: tokens.count, by: forward.maxBatch) {
            let entries = (start..<min(start + forward.maxBatch, tokens.count)).map {
                BatchEntry(cache: cache, token: tokens[$0], position: $0, wantsLogits: true)
            }
            greedy += forward.evaluate(entries).map { Int32(Sampler.argmax($0)) }
        }
        return greedy
    }

    /// One request's progress.
    private struct SequenceState {
        let promptTokens: [Int32]
        let cache: KVCache
        let sampler: Sampler
        let maxTokens: Int
        let stop: [String]
        /// The answer's grammar and where the text is in it, for a request with a format.
        let masks: TokenMasks?
        var grammarState: JSONGrammarState?
        var generated: [Int32] = []
        var bytes: [UInt8] = []
        /// The text up to a stop string, once one appeared.
        var stoppedText: String?
        var finishReason: FinishReason?
        var finished: Bool { finishReason != nil }
        var text: String { stoppedText ?? String(decoding: bytes, as: UTF8.self) }

        init(request: GenerationRequest, promptTokens: [Int32], config: LlamaConfig, masks: TokenMasks?) throws {
            guard !promptTokens.isEmpty else { throw EngineError.emptyPrompt }
            guard promptTokens.count < config.contextLength else {
                throw EngineError.promptTooLong(tokens: promptTokens.count, contextLength: config.contextLength)
            }
            guard request.maxTokens >= 1 else {
                throw EngineError.invalidParameter(name: "maxTokens", value: "\(request.maxTokens)", expected: "at least 1")
            }
            let sampling = request.sampling
            guard sampling.temperature >= 0, sampling.temperature.isFinite, sampling.topK >= 0,
                  (0...1).contains(sampling.topP), (0...1).contains(sampling.minP) else {
                throw EngineError.invalidParameter(name: "sampling", value: "\(sampling)",
                                                   expected: "temperature >= 0, topK >= 0, topP and minP in 0...1")
            }
            self.promptTokens = promptTokens
            maxTokens = min(request.maxTokens, config.contextLength - promptTokens.count)
            cache = KVCache(config: config, capacity: promptTokens.count + maxTokens)
            sampler = Sampler(sampling)
            stop = request.stop.filter { !$0.isEmpty }
            self.masks = masks
            if let masks {
                let minimal = masks.grammar.minimalCompletion(masks.grammar.start)
                guard minimal <= maxTokens else { throw EngineError.formatNeedsMoreTokens(maxTokens: maxTokens, minimalAnswerTokens: minimal) }
                grammarState = masks.grammar.start
            }
        }

        /// Samples the next token and updates the text and the finish state.
        mutating func accept(logits: [Float], tokenizer: any Tokenizer) -> Int32 {
            if let masks, let state = grammarState { return acceptConstrained(logits: logits, tokenizer: tokenizer, masks: masks, state: state) }
            let token = sampler.sample(logits, step: generated.count)
            generated.append(token)
            if tokenizer.isEndOfGeneration(token) {
                finishReason = .endOfSequence
                return token
            }
            bytes += tokenizer.bytes(of: token)
            // Decoding the text so far is only needed to look for stop strings.
            if !stop.isEmpty {
                let decoded = String(decoding: bytes, as: UTF8.self)
                if let cut = stop.compactMap({ decoded.range(of: $0)?.lowerBound }).min() {
                    stoppedText = String(decoded[..<cut])
                    finishReason = .stop
                    return token
                }
            }
            if generated.count >= maxTokens {
                finishReason = .length
            }
            return token
        }

        /// A constrained step: the tokens the grammar refuses get -infinity before sampling, and
        /// the answer ends as soon as its value is complete. The masks keep the minimal
        /// completion within the tokens left, so the value is always complete by `maxTokens`.
        private mutating func acceptConstrained(logits: [Float], tokenizer: any Tokenizer, masks: TokenMasks, state: JSONGrammarState) -> Int32 {
            let mask = masks.mask(for: state, tokensLeft: maxTokens - generated.count)
            let token = sampler.sample(mask.apply(to: logits), step: generated.count)
            let tokenBytes = tokenizer.bytes(of: token)
            guard mask.allows(token), let next = masks.grammar.advance(state, tokenBytes) else {
                preconditionFailure("the sampler picked token \(token), which the grammar's mask refuses")
            }
            generated.append(token)
            bytes += tokenBytes
            grammarState = next
            if masks.grammar.isAccepting(next) {
                finishReason = .endOfSequence
            } else {
                precondition(generated.count < maxTokens, "the masks complete the answer within maxTokens")
            }
            return token
        }
    }
}
