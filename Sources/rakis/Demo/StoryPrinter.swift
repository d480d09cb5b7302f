import Foundation
import RakisCore
import RakisNode
import RakisRuntime

/// Sends one sample request through a node and prints its story: who committed, the quorum, each
/// reveal and its distance to the chosen output, and the result.
struct StoryPrinter {
    let runtime: NodeRuntime
    /// Node ids in the demo's order, to name nodes "node 1" to "node 6" and "the follower".
    let nodes: [NodeID]

    /// True if the request reached a final result.
    func run(_ sample: DemoSample, number: Int) async throws -> Bool {
        print("── Request \(number): \(sample.chat ? sample.prompt : "(continue) \(sample.prompt)…")")
        print("   models: \(sample.models.joined(separator: ", ")); frame: quorum \(sample.quorum), secDistance \(sample.secDistance), secPercentage \(sample.secPercentage); \(sample.why)")
        var spec = RequestSpec(
            input: sample.input, models: sample.models,
            temperature: sample.temperature, maxTokens: sample.maxTokens, embeddingModel: DemoNetwork.embeddingModel,
            quorum: sample.quorum, secDistance: sample.secDistance, secPercentage: sample.secPercentage,
            commitWindow: sample.commitWindow)
        spec.format = sample.format
        let requestId = try await runtime.submit(spec)
        guard let conclusion = await runtime.conclusion(of: requestId) else { return false }
        guard let story = try runtime.queries.story(of: requestId) else { return false }
        let start = story.steps.first?.storedAt ?? 0
        let at = { (time: Millis) in String(format: "%+6.2f s", Double(time - start) / 1000) }
        print("   request \(requestId.hex.prefix(16))… sent by \(name(story.origin))")
        for commit in story.commits {
            print("   \(at(commit.at))  \(name(commit.node)) (\(commit.model)) commits \(commit.commitment.hex.prefix(12))…")
        }
        if let quorum = story.quorum {
            let atDeadline = quorum.at >= story.request.frame.commitDeadline
            print("   \(at(quorum.at))  \(name(quorum.fixer)) fixes the quorum\(atDeadline ? " at the commit deadline" : ""): "
                  + quorum.members.map(name).joined(separator: ", "))
        }
        let chosen = story.reveals.first { reveal in
            if case let .final(output) = conclusion.outcome { reveal.commitment == output.commitment } else { false }
        }
        for reveal in story.reveals {
            let distance = chosen.map { chosen in
                Double(reveal.embedding.hammingDistance(to: chosen.embedding, bits: story.request.embedding.bits)) / Double(story.request.embedding.bits)
            }
            let verdict = reveal.matchesCommit ? "matches its commit" : "does NOT match its commit"
            let away = distance.map { String(format: ", distance %.3f from the chosen output", $0) } ?? ""
            print("   \(at(reveal.at))  \(name(reveal.node)) (\(reveal.model)) reveals (\(verdict)\(away)): \(Self.oneLine(reveal.output))")
        }
        switch conclusion.outcome {
        case let .final(output):
            print("   ✔ final: \(name(output.node))'s output (\(output.model)), in a cluster of \(output.cluster.count) of \(sample.quorum)\n")
            return true
        case let .failed(failure):
            print("   ✘ failed: \(failure)\n")
            return false
        }
    }

    private func name(_ node: NodeID) -> String {
        guard let index = nodes.firstIndex(of: node) else { return node.short }
        return index == nodes.count - 1 ? "the follower" : "node \(index + 1)"
    }

    private static func oneLine(_ text: String) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return flat.count > 90 ? flat.prefix(90) + "…" : flat
    }
}
