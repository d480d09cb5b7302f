import Testing
import RakisCore
@testable import RakisNode

/// Structured requests through the state machine: nodes commit to the canonical form of a
/// schema-valid answer with one embedding per free string, reveal them, and decide field by
/// field (docs/PROTOCOL.md, "Structured outputs"). Threat: members that answer outside the
/// schema or disagree on an exact field; claim: only canonical valid outputs count, and an exact
/// field decides the cluster whatever the free strings say.
@Suite struct StructuredRequestTests {
    static let format = try! OutputSchema(json: try! JSONParser.parse(Array(#"""
        {"type":"object","additionalProperties":false,"required":["answer","why"],
         "properties":{"answer":{"type":"boolean"},"why":{"type":"string","maxLength":40}}}
        """#.utf8)), path: "format")

    func run(answers: [String], quorum: Int = 3) -> (TestCluster, Hash256) {
        let cluster = TestCluster(serving: answers.count)
        cluster.infer = { node, _ in answers[node] }
        var spec = cluster.spec(quorum: quorum)
        spec.format = Self.format
        spec.maxTokens = 64
        let id = cluster.submit(spec, at: 0)
        cluster.run(until: cluster.now + 20_000)
        return (cluster, id)
    }

    @Test func nodesCommitToTheCanonicalAnswerAndAgreeFieldByField() throws {
        // Node 2's server wrote the same value with spaces and keys out of order.
        let (cluster, id) = run(answers: [#"{"answer":true,"why":"a"}"#, #"{"answer":true,"why":"a"}"#, #"{ "why": "a", "answer": true }"#])
        let chosen = try #require(cluster.chosen(id, at: 0), "\(String(describing: cluster.outcome(id, at: 0)))")
        #expect(chosen.output == #"{"answer":true,"why":"a"}"#)
        #expect(chosen.cluster.count == 3)
        let reveals = cluster.broadcasts.compactMap { $0.envelope.reveal }.filter { $0.requestId == id }
        #expect(reveals.count == 3 && reveals.allSatisfy { $0.fieldEmbeddings.count == 1 && $0.output == chosen.output })
        // The job the runtime ran carried the schema and its instruction.
        let job = try #require(cluster.jobs.first { $0.requestId == id })
        #expect(job.format == Self.format)
        guard case let .prompt(text) = job.input else { Issue.record("expected a prompt"); return }
        #expect(text.hasSuffix(RequestInput.instruction(for: Self.format) + "\n"))
    }

    @Test func anExactFieldDecidesTheClusterWhateverTheFreeStrings() {
        // Free strings differ (their stand-in embeddings are far apart at secDistance 0.1), so no
        // two outputs agree: no cluster reaches 2 of 3.
        let (cluster, id) = run(answers: [#"{"answer":true,"why":"a"}"#, #"{"answer":true,"why":"b"}"#, #"{"answer":false,"why":"a"}"#])
        #expect(cluster.failure(id, at: 0) == .consensus(.noClusterLargeEnough(largest: 1, required: 2)),
                "\(String(describing: cluster.outcome(id, at: 0)))")
    }

    @Test func anAnswerOutsideTheSchemaIsNeverCommitted() throws {
        let (cluster, id) = run(answers: [#"{"answer":true,"why":"a"}"#, #"{"answer":true,"why":"a"}"#, #"{"answer":"yes","why":"a"}"#, "not JSON"],
                                quorum: 2)
        let commits = cluster.broadcasts.compactMap { $0.envelope.commit }.filter { $0.requestId == id }
        let committers = Set(cluster.broadcasts.filter { $0.envelope.commit?.requestId == id }.map(\.node))
        #expect(!committers.contains(2) && !committers.contains(3), "\(commits)")
        #expect(cluster.chosen(id, at: 0)?.output == #"{"answer":true,"why":"a"}"#)
    }
}
