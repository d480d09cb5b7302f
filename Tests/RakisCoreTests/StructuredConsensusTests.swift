import Testing
@testable import RakisCore

/// A ticket triage schema: an enum, a free string, an integer, a number, a boolean, an array of
/// free strings and an optional field.
private let triage = try! schema("""
{"type":"object","properties":{"kind":{"enum":["bug","feature"]},"summary":{"type":"string"},"priority":{"type":"integer"},\
"score":{"type":"number"},"urgent":{"type":"boolean"},"labels":{"type":"array","items":{"type":"string"},"maxItems":4},\
"owner":{"type":"string"}},"required":["kind","summary","priority","score","urgent","labels"],"additionalProperties":false}
""")

private let requestId = Hash256.of(Array("structured request".utf8))

/// 48 bytes, `count` bits set from `offset`: distance `count` from `embedding(0)`.
private func embedding(_ count: Int, offset: Int = 0) -> BinaryEmbedding {
    var bytes = [UInt8](repeating: 0, count: 48)
    for bit in offset..<offset + count { bytes[bit / 8] |= 0x80 >> UInt8(bit % 8) }
    return BinaryEmbedding(bytes: bytes)
}

private func commitment(_ byte: UInt8) -> Hash256 { Hash256(bytes: [UInt8](repeating: byte, count: 32)) }

/// A triage answer; its free strings (in leaf order: labels..., owner, summary) come with the
/// embeddings given, or each with `embedding(0)`.
private func point(_ byte: UInt8, kind: String = "bug", summary: String = "crash on start", priority: Int = 2, score: Double = 0.5,
                   urgent: Bool = true, labels: [String] = ["ui"], owner: String? = nil, embeddings: [BinaryEmbedding]? = nil,
                   seats: Int = 1) -> StructuredPoint {
    var members: [String: JSONValue] = [
        "kind": .string(kind), "summary": .string(summary), "priority": .number(Double(priority)), "score": .number(score),
        "urgent": .bool(urgent), "labels": .array(labels.map(JSONValue.string)),
    ]
    if let owner { members["owner"] = .string(owner) }
    let value = JSONValue.object(members)
    let freeStrings = triage.leaves(of: value).filter(\.node.isEmbedded).count
    return StructuredPoint(commitment: commitment(byte), value: value,
                           fieldEmbeddings: embeddings ?? [BinaryEmbedding](repeating: embedding(0), count: freeStrings), seats: seats)
}

private func frame(quorum: Int, percentage: Double = 0.66, tolerance: Double = 0, distance: Double = 0.1) -> SecurityFrame {
    SecurityFrame(quorum: quorum, secDistance: distance, secPercentage: percentage, commitDeadline: 1, revealDeadline: 2,
                  numberTolerance: tolerance, partial: true)
}

private func decide(_ points: [StructuredPoint], quorum: Int? = nil, percentage: Double = 0.66, tolerance: Double = 0,
                    format: OutputSchema = triage) -> ConsensusOutcome {
    StructuredConsensus.decide(requestId: requestId, format: format, points: points, bits: 384,
                               frame: frame(quorum: quorum ?? points.count, percentage: percentage, tolerance: tolerance))
}

private func fields(_ points: [StructuredPoint], quorum: Int? = nil, percentage: Double = 0.66) -> StructuredOutcome {
    StructuredConsensus.decideFields(requestId: requestId, format: triage, points: points, bits: 384,
                                     frame: frame(quorum: quorum ?? points.count, percentage: percentage))
}

private func cluster(_ outcome: ConsensusOutcome) -> [Hash256]? {
    if case let .agreed(_, cluster, chosen) = outcome, cluster.contains(chosen) { cluster } else { nil }
}

@Suite struct StructuredConsensusTests {
    @Test func sameEnumsWithCloseFreeStringsAgreeAndFarOnesDoNot() {
        // Different summaries: 30 bits apart agree (0.1 of 384 is 38 bits), 200 bits apart do not.
        let close = [point(1), point(2, summary: "crashes at startup", embeddings: [embedding(0), embedding(30)]), point(3)]
        #expect(cluster(decide(close)) == [1, 2, 3].map(commitment))
        let far = [point(1), point(2, summary: "the sky is green", embeddings: [embedding(0), embedding(200)]), point(3)]
        #expect(cluster(decide(far)) == [1, 3].map(commitment))
        // Identical text agrees whatever the embeddings say: outputs are compared before embeddings.
        let lying = [point(1), point(2, embeddings: [embedding(0), embedding(300)])]
        #expect(cluster(decide(lying, percentage: 1)) == [1, 2].map(commitment))
    }

    @Test func oneDisagreeingExactFieldSplitsTheOutputs() {
        let variants = [point(2, kind: "feature"), point(2, priority: 3), point(2, urgent: false)]
        for variant in variants {
            #expect(decide([point(1), variant], percentage: 1) == .failed(.noClusterLargeEnough(largest: 1, required: 2)))
        }
        // An integer is exact even under a number tolerance.
        #expect(decide([point(1), point(2, priority: 3)], percentage: 1, tolerance: 5) == .failed(.noClusterLargeEnough(largest: 1, required: 2)))
    }

    @Test func numbersAgreeWithinTheToleranceBoundaryIncluded() {
        func agree(_ a: Double, _ b: Double, tolerance: Double) -> Bool {
            cluster(decide([point(1, score: a), point(2, score: b)], percentage: 1, tolerance: tolerance)) != nil
        }
        #expect(agree(0.5, 0.5, tolerance: 0))
        #expect(!agree(0.5, 0.5000000000000001, tolerance: 0))
        #expect(agree(0.25, 0.75, tolerance: 0.5), "exactly at the tolerance")
        #expect(agree(0.25, 0.7499999999999999, tolerance: 0.5), "just inside")
        #expect(!agree(0.25, 0.7500000000000001, tolerance: 0.5), "just outside")
        #expect(agree(-1e15, 0, tolerance: 1e15))
        // One IEEE subtraction: 1.3 - 1.0 is 0.30000000000000004, beyond a tolerance of 0.3.
        #expect(!agree(1.0, 1.3, tolerance: 0.3))
        #expect(agree(1.3, 1.0, tolerance: 0.30000000000000004), "symmetric")
    }

    @Test func arraysNeedTheSameLengthAndAgreeingElements() {
        #expect(cluster(decide([point(1, labels: ["ui", "db"]), point(2, labels: ["ui", "db"])], percentage: 1)) != nil)
        #expect(decide([point(1, labels: ["ui"]), point(2, labels: ["ui", "db"])], percentage: 1)
            == .failed(.noClusterLargeEnough(largest: 1, required: 2)))
        // The second label is far off in embedding space; the first and the summary are identical.
        let off = point(2, labels: ["ui", "kernel"], embeddings: [embedding(0), embedding(200, offset: 100), embedding(0)])
        #expect(decide([point(1, labels: ["ui", "db"]), off], percentage: 1) == .failed(.noClusterLargeEnough(largest: 1, required: 2)))
        let near = point(2, labels: ["ui", "database"], embeddings: [embedding(0), embedding(20), embedding(0)])
        #expect(cluster(decide([point(1, labels: ["ui", "db"]), near], percentage: 1)) != nil)
    }

    @Test func optionalFieldsAgreeWhenBothAbsentOrBothAgreeing() {
        #expect(cluster(decide([point(1), point(2)], percentage: 1)) != nil)
        #expect(cluster(decide([point(1, owner: "ada"), point(2, owner: "ada")], percentage: 1)) != nil)
        #expect(decide([point(1, owner: "ada"), point(2)], percentage: 1) == .failed(.noClusterLargeEnough(largest: 1, required: 2)))
    }

    @Test func everyArrivalOrderGivesTheSameOutcome() {
        let points = [point(6), point(2, summary: "crashes at startup", embeddings: [embedding(0), embedding(30)]),
                      point(5, summary: "crash when starting", embeddings: [embedding(0), embedding(35, offset: 200)]),
                      point(1, kind: "feature"), point(4, score: 0.75), point(3, labels: [])]
        let expected = decide(points, quorum: 6, percentage: 0.5, tolerance: 0.25)
        guard case let .agreed(_, members, _) = expected else { Issue.record("expected agreement, got \(expected)"); return }
        // Point 5 is 65 bits from point 2, but the centre, point 6, agrees with both (and with 4 at the tolerance).
        #expect(members == [2, 4, 5, 6].map(commitment))
        let expectedFields = StructuredConsensus.decideFields(requestId: requestId, format: triage, points: points, bits: 384,
                                                              frame: frame(quorum: 6, percentage: 0.5, tolerance: 0.25))
        for order in permutations(points) {
            #expect(decide(order, quorum: 6, percentage: 0.5, tolerance: 0.25) == expected)
            #expect(StructuredConsensus.decideFields(requestId: requestId, format: triage, points: order, bits: 384,
                                                     frame: frame(quorum: 6, percentage: 0.5, tolerance: 0.25)) == expectedFields)
        }
    }

    @Test func seatsCountAsVotesAndTiesGoToTheSmallestCommitment() {
        // A member of three seats outweighs two members of one seat each.
        let outcome = decide([point(9, kind: "feature", seats: 3), point(1), point(2)], quorum: 5, percentage: 0.6)
        guard case let .agreed(centre, members, chosen) = outcome else { Issue.record("\(outcome)"); return }
        #expect(centre == commitment(9) && members == [commitment(9)] && chosen == commitment(9))
        // Two clusters of two seats: the one holding the smallest commitment wins.
        let tie = decide([point(5), point(6), point(3, kind: "feature"), point(4, kind: "feature")], percentage: 0.5)
        guard case let .agreed(tieCentre, tieMembers, _) = tie else { Issue.record("\(tie)"); return }
        #expect(tieCentre == commitment(3) && tieMembers == [3, 4].map(commitment))
    }

    @Test func tooFewRevealsFailBeforeComparing() {
        #expect(decide([point(1)], quorum: 3) == .failed(.tooFewReveals(verified: 1, required: 2)))
        #expect(decide([], quorum: 3) == .failed(.tooFewReveals(verified: 0, required: 2)))
        let outcome = fields([point(1)], quorum: 3)
        #expect(outcome.whole == .failed(.tooFewReveals(verified: 1, required: 2)))
        #expect(outcome.agreed.isEmpty && outcome.unresolved.map(\.description) ==
            ["$.kind", "$.labels[0]", "$.priority", "$.score", "$.summary", "$.urgent"])
    }

    @Test func partialOutcomeSettlesTheFieldsAClusterAgreesOn() {
        // Three outputs that agree on kind, priority and labels but not on the rest.
        let points = [
            point(1, summary: "crash on start", score: 0.1, urgent: true, owner: "ada"),
            point(2, summary: "the sky is green", score: 0.2, urgent: false, embeddings: [embedding(0), embedding(200)]),
            point(3, summary: "unrelated", score: 0.3, urgent: true, embeddings: [embedding(0), embedding(100, offset: 250)]),
        ]
        let outcome = fields(points)
        #expect(outcome.whole == .failed(.noClusterLargeEnough(largest: 1, required: 2)))
        #expect(outcome.agreed.map(\.path.description) == ["$.kind", "$.labels[0]", "$.owner", "$.priority", "$.urgent"])
        #expect(outcome.unresolved.map(\.description) == ["$.score", "$.summary"])
        let byPath = Dictionary(uniqueKeysWithValues: outcome.agreed.map { ($0.path.description, $0) })
        #expect(byPath["$.kind"]?.value == "bug" && byPath["$.kind"]?.cluster == [1, 2, 3].map(commitment))
        #expect(byPath["$.urgent"]?.value == true && byPath["$.urgent"]?.cluster == [1, 3].map(commitment))
        #expect(byPath["$.urgent"]?.centre == commitment(1))
        // Two of three leave the owner out: what they agree on is its absence.
        #expect(byPath["$.owner"]?.value == nil && byPath["$.owner"]?.cluster == [2, 3].map(commitment))
        #expect(byPath["$.owner"]?.centre == commitment(2))
    }

    @Test func anyValuesCompareByKindKeysAndExactStrings() {
        let points = { (a: JSONValue, b: JSONValue) in
            [StructuredPoint(commitment: commitment(1), value: a, fieldEmbeddings: []),
             StructuredPoint(commitment: commitment(2), value: b, fieldEmbeddings: [])]
        }
        func agree(_ a: String, _ b: String, tolerance: Double = 0) -> Bool {
            cluster(decide(points(json(a), json(b)), percentage: 1, tolerance: tolerance, format: .anyObject)) != nil
        }
        #expect(agree(#"{"a":[1,"x",{"b":null}]}"#, #"{"a":[1,"x",{"b":null}]}"#))
        #expect(agree(#"{"a":1}"#, #"{"a":1.25}"#, tolerance: 0.5), "numbers inside take the tolerance")
        #expect(!agree(#"{"a":"x"}"#, #"{"a":"y"}"#), "strings inside are exact")
        #expect(!agree(#"{"a":1}"#, #"{"a":1,"b":1}"#), "the same keys")
        #expect(!agree(#"{"a":[1]}"#, #"{"a":[1,1]}"#), "the same lengths")
        #expect(!agree(#"{"a":null}"#, #"{"a":false}"#), "the same kinds")
        #expect(!agree(#"{"a":"1"}"#, #"{"a":1}"#), "the same kinds")
    }
}
