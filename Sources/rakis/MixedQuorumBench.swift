import ArgumentParser
import Foundation
import RakisCore
import RakisNode
import RakisRuntime

/// `rakis bench mixed-quorum`: how often requests that accept two model families finalize on a
/// real local network serving both (the demo's: 3 SmolLM2 and 3 Gemma 3 nodes and a follower),
/// frame by frame, with the families of the seats and of the agreeing cluster. What
/// docs/PROTOCOL.md's advice on a mixed quorum's secDistance is measured with.
struct MixedQuorumBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mixed-quorum",
        abstract: "Finalize rate of requests accepting both SmolLM2 and Gemma 3 on a real local network of both.",
        discussion: """
        Starts the demo's network (three SmolLM2 nodes, three Gemma 3 270M nodes and a follower \
        on a loopback mesh), sends each of 20 built-in chat prompts (or the lines of --prompts) \
        through the follower once per --frame, accepting both models, at temperature 0, and \
        prints per frame how many requests finalized, why the others failed, how the seats split \
        between the families and how often the agreeing cluster held both.

        With --structured FILE (a JSON array of {"prompt", "schema"} objects, as \
        Tests/Fixtures/structured/schemas.json), each prompt is asked twice per frame: as free text \
        and with its schema (a structured request, agreed field by field), and both are reported.
        """
    )

    /// One security frame to measure, written `quorum:secDistance:secPercentage`.
    struct Frame: ExpressibleByArgument, CustomStringConvertible {
        let quorum: Int
        let secDistance: Double
        let secPercentage: Double

        init?(argument: String) {
            let parts = argument.split(separator: ":")
            guard parts.count == 3, let quorum = Int(parts[0]), let distance = Double(parts[1]), let share = Double(parts[2]),
                  (1...DemoNetwork.servedModels.count).contains(quorum), (0...1).contains(distance), share > 0, share <= 1
            else { return nil }
            (self.quorum, secDistance, secPercentage) = (quorum, distance, share)
        }

        var description: String { "quorum \(quorum), secDistance \(secDistance), secPercentage \(secPercentage)" }
    }

    @Option(name: .customLong("frame"),
            help: "A frame to measure, quorum:secDistance:secPercentage (quorum at most 6); repeat for several.")
    var frames: [Frame] = ["3:0.25:0.66", "6:0.25:0.66", "6:0.35:0.66"].map { Frame(argument: $0)! }

    @Option(help: "A file of prompts, one per line (default: the 20 built-in prompts of `rakis bench sec-distance`).")
    var prompts: String?

    @Option(name: .customLong("max-tokens"), help: "Tokens per output at most.")
    var maxTokens = 32

    @Option(help: ArgumentHelp("A JSON file of {\"prompt\", \"schema\"} objects: ask each as free text and with its schema.",
                               valueName: "file"))
    var structured: String?

    @Option(name: .customLong("json-max-tokens"), help: "With --structured: tokens per structured answer at most.")
    var jsonMaxTokens = 96

    @Option(help: "Engine threads per node.")
    var threads = 1

    @Flag(help: "Print one JSON object per frame instead of a table.")
    var json = false

    /// What one request showed.
    struct Outcome {
        let final: Bool
        let failure: String?
        /// Seats per family, by model name.
        let seats: [String: Int]
        /// The chosen cluster's families (empty on failure).
        let clusterModels: Set<String>
        let chosenModel: String?
        let seconds: Double
    }

    /// One prompt, and the schema its structured twin answers in.
    struct Question {
        let prompt: String
        let schema: OutputSchema?
    }

    func run() async throws {
        lineBufferStandardOutput()
        let questions = try structured.map(Self.structuredQuestions) ?? prompts.map { path in
            guard let contents = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ValidationError("cannot read the prompts file \(path)")
            }
            return contents.split(whereSeparator: \.isNewline).map { Question(prompt: String($0), schema: nil) }.filter { !$0.prompt.isEmpty }
        } ?? SecDistanceBench.builtInPrompts.map { Question(prompt: $0, schema: nil) }
        guard !questions.isEmpty else { throw ValidationError("the prompts file has no prompt") }
        let modes: [Bool] = structured == nil ? [false] : [false, true]

        try Models.fetch(DemoNetwork.modelFiles)
        let logger = NodeLogging.bootstrap(level: "error")
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-bench-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        if !json { print("Starting 3 SmolLM2 nodes, 3 Gemma 3 nodes and a follower on 127.0.0.1…") }
        let network = try await DemoNetwork.start(directory: scratch, threads: threads, logger: logger)
        guard await network.waitUntilEveryoneKnowsTheServers() else {
            await network.stop()
            throw CommandFailure("the nodes did not find each other within 30 s")
        }
        do {
            for frame in frames {
                for structuredMode in modes {
                    let mode = modes.count == 1 ? "" : structuredMode ? " as JSON, agreed field by field" : " as free text"
                    if !json { print("\n\(frame): \(questions.count) prompts\(mode) accepting \(Set(DemoNetwork.servedModels).sorted().joined(separator: " and "))") }
                    let progress = json ? nil : ProgressBar()
                    var outcomes: [Outcome] = []
                    for question in questions {
                        outcomes.append(try await measure(question.prompt, schema: structuredMode ? question.schema : nil, frame: frame, on: network.follower))
                        progress?.update(step: "requests", completed: Int64(outcomes.count), total: Int64(questions.count)) { "\($0)" }
                    }
                    report(frame, structured: structuredMode, outcomes)
                }
            }
        } catch {
            await network.stop()
            throw error
        }
        await network.stop()
    }

    /// `--structured`'s file: a JSON array of objects with a `prompt` and a `schema` (other keys ignored).
    static func structuredQuestions(_ path: String) throws -> [Question] {
        guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
        do {
            guard case let .array(items) = try JSONParser.parse(Array(data)) else { throw ValidationError("\(path): expected a JSON array") }
            return try items.enumerated().map { index, item in
                let reader = try JSONObjectReader(item, path: "\(path)[\(index)]")
                return Question(prompt: try reader.string("prompt"),
                                schema: try OutputSchema(json: reader.value("schema"), path: reader.childPath("schema")))
            }
        } catch let error as JSONShapeError {
            throw ValidationError("\(error)")
        }
    }

    private func measure(_ text: String, schema: OutputSchema?, frame: Frame, on follower: NodeRuntime) async throws -> Outcome {
        var spec = RequestSpec(
            input: .messages([ChatMessage(role: "user", content: text)]), models: Set(DemoNetwork.servedModels).sorted(),
            maxTokens: schema == nil ? maxTokens : jsonMaxTokens, embeddingModel: DemoNetwork.embeddingModel,
            quorum: frame.quorum, secDistance: frame.secDistance, secPercentage: frame.secPercentage)
        spec.format = schema
        let started = ContinuousClock.now
        let requestId = try await follower.submit(spec)
        guard let conclusion = await follower.conclusion(of: requestId) else {
            throw CommandFailure("request \(requestId.hex.prefix(16)) never concluded at the follower")
        }
        let seconds = (ContinuousClock.now - started) / .seconds(1)
        let story = try follower.queries.story(of: requestId)
        let modelOf = Dictionary(story?.commits.map { ($0.node, $0.model) } ?? [], uniquingKeysWith: { first, _ in first })
        let modelOfCommitment = Dictionary(story?.commits.map { ($0.commitment, $0.model) } ?? [], uniquingKeysWith: { first, _ in first })
        var seats: [String: Int] = [:]
        for member in story?.quorum?.members ?? [] { seats[modelOf[member] ?? "?", default: 0] += 1 }
        switch conclusion.outcome {
        case let .final(output):
            return Outcome(final: true, failure: nil, seats: seats, clusterModels: Set(output.cluster.map { modelOfCommitment[$0] ?? "?" }),
                           chosenModel: output.model, seconds: seconds)
        case let .failed(failure):
            return Outcome(final: false, failure: failure.code, seats: seats, clusterModels: [], chosenModel: nil, seconds: seconds)
        }
    }

    private func report(_ frame: Frame, structured: Bool, _ outcomes: [Outcome]) {
        let finals = outcomes.filter(\.final)
        let failures = Dictionary(grouping: outcomes.compactMap(\.failure), by: { $0 }).mapValues(\.count)
        let splits = Dictionary(grouping: outcomes.map { split($0.seats) }, by: { $0 }).mapValues(\.count)
        let chosen = Dictionary(grouping: finals.compactMap(\.chosenModel), by: { $0 }).mapValues(\.count)
        let spanning = finals.filter { $0.clusterModels.count > 1 }.count
        let seconds = outcomes.map(\.seconds).sorted()
        let median = seconds.isEmpty ? 0 : seconds[seconds.count / 2]
        if json {
            let object: JSONValue = [
                "quorum": .number(Double(frame.quorum)), "secDistance": .number(frame.secDistance),
                "secPercentage": .number(frame.secPercentage), "structured": .bool(structured), "requests": .number(Double(outcomes.count)),
                "final": .number(Double(finals.count)), "clustersSpanningBothFamilies": .number(Double(spanning)),
                "failures": .object(failures.mapValues { .number(Double($0)) }),
                "seatSplits": .object(splits.mapValues { .number(Double($0)) }),
                "chosenModels": .object(chosen.mapValues { .number(Double($0)) }),
                "medianSeconds": .number(median),
            ]
            print(String(decoding: object.canonicalBytes(), as: UTF8.self))
            return
        }
        let percent = outcomes.isEmpty ? 0 : 100 * Double(finals.count) / Double(outcomes.count)
        print(String(format: "  final: %d of %d (%.0f%%), median %.1f s to the conclusion", finals.count, outcomes.count, percent, median))
        if !failures.isEmpty {
            print("  failed: " + failures.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
        }
        print("  seats: " + splits.sorted { $0.key < $1.key }.map { "\($0.value)x \($0.key)" }.joined(separator: ", "))
        print("  chosen: " + chosen.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
              + "; clusters holding both families: \(spanning) of \(finals.count)")
    }

    /// "2 gemma3-270m + 1 smollm2-135m-instruct": a quorum's seats by family, in name order.
    private func split(_ seats: [String: Int]) -> String {
        seats.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: " + ")
    }
}
