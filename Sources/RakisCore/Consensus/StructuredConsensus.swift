/// The consensus rule for a structured request (one with a `format`), the rule of `Consensus`
/// with agreement field by field (`StructuredAgreement`) in place of one embedding distance:
///
/// 1. Two outputs agree when they agree on every field of the schema.
/// 2. Each point is a candidate centre; its count is the seats of the points that agree with it,
///    itself included. The largest count wins; ties go to the smallest commitment.
/// 3. Consensus holds when that count reaches ceil(secPercentage x quorum), quorum in seats.
/// 4. The cluster is the points that agree with the centre, sorted by commitment; the chosen one
///    is at `Consensus.selectionIndex` in it.
///
/// With `frame.partial`, `decideFields` applies steps 2 and 3 to each leaf path some output has,
/// absent values included: the fields it settles are those a cluster large enough agrees on.
///
/// Nothing depends on the order of `points`: counts are order-free, and every tie and selection
/// is resolved by commitment.
public enum StructuredConsensus {
    /// - Precondition: one point per commitment; every value validates against `format`, with one
    ///   field embedding of at least `bits` bits per free string.
    public static func decide(
        requestId: Hash256, format: OutputSchema, points: [StructuredPoint], bits: Int, frame: SecurityFrame
    ) -> ConsensusOutcome {
        checkPreconditions(format: format, points: points, bits: bits)
        let required = Consensus.requiredClusterSize(secPercentage: frame.secPercentage, quorum: frame.quorum)
        let seats = points.reduce(0) { $0 + $1.seats }
        guard seats >= required, !points.isEmpty else {
            return .failed(.tooFewReveals(verified: seats, required: required))
        }
        let agreement = StructuredAgreement(bits: bits, secDistance: frame.secDistance, numberTolerance: frame.numberTolerance)
        let agrees = AgreementMatrix(count: points.count) { agreement.outputsAgree(format.root, points[$0], points[$1]) }
        let centre = bestCentre(points, agrees)
        guard centre.count >= required else {
            return .failed(.noClusterLargeEnough(largest: centre.count, required: required))
        }
        let cluster = points.indices.filter { agrees[$0, centre.index] }.map { points[$0].commitment }.sorted()
        let chosen = cluster[Consensus.selectionIndex(requestId: requestId, cluster: cluster)]
        return .agreed(centre: points[centre.index].commitment, cluster: cluster, chosen: chosen)
    }

    /// The whole-output decision, and the same centre rule for each leaf path some output has:
    /// a point without the path counts as the value "absent", which agrees with absent only.
    public static func decideFields(
        requestId: Hash256, format: OutputSchema, points: [StructuredPoint], bits: Int, frame: SecurityFrame
    ) -> StructuredOutcome {
        let whole = decide(requestId: requestId, format: format, points: points, bits: bits, frame: frame)
        let fieldsByPoint = points.map { FieldsOfPoint(format: format, point: $0) }
        let paths = Set(fieldsByPoint.flatMap(\.paths)).sorted()
        let required = Consensus.requiredClusterSize(secPercentage: frame.secPercentage, quorum: frame.quorum)
        let agreement = StructuredAgreement(bits: bits, secDistance: frame.secDistance, numberTolerance: frame.numberTolerance)
        var agreed: [FieldAgreement] = []
        var unresolved: [FieldPath] = []
        for path in paths {
            let fields = fieldsByPoint.map { $0.field(at: path) }
            let agrees = AgreementMatrix(count: points.count) { i, j in
                switch (fields[i], fields[j]) {
                case (nil, nil): true
                case let (a?, b?): agreement.leavesAgree(a.leaf.node, a.leaf.value, a.embedding, b.leaf.value, b.embedding)
                default: false
                }
            }
            let centre = bestCentre(points, agrees)
            guard centre.count >= required else {
                unresolved.append(path)
                continue
            }
            let cluster = points.indices.filter { agrees[$0, centre.index] }.map { points[$0].commitment }.sorted()
            agreed.append(FieldAgreement(path: path, value: fields[centre.index]?.leaf.value,
                                         centre: points[centre.index].commitment, cluster: cluster))
        }
        return StructuredOutcome(whole: whole, agreed: agreed, unresolved: unresolved)
    }

    /// The point with the most seats agreeing with it, ties to the smallest commitment.
    private static func bestCentre(_ points: [StructuredPoint], _ agrees: AgreementMatrix) -> (index: Int, count: Int) {
        let counts = points.indices.map { i in points.indices.filter { agrees[i, $0] }.reduce(0) { $0 + points[$1].seats } }
        var best = 0
        for i in points.indices.dropFirst()
        where counts[i] > counts[best] || (counts[i] == counts[best] && points[i].commitment < points[best].commitment) {
            best = i
        }
        return (best, counts[best])
    }

    private static func checkPreconditions(format: OutputSchema, points: [StructuredPoint], bits: Int) {
        precondition(bits > 0, "bits are validated positive before consensus")
        let commitments = points.map(\.commitment).sorted()
        precondition(zip(commitments, commitments.dropFirst()).allSatisfy { $0 < $1 }, "one point per commitment")
        for point in points {
            precondition(format.validate(point.value) == nil, "points hold outputs that validate")
            precondition(format.leaves(of: point.value).filter(\.node.isEmbedded).count == point.fieldEmbeddings.count
                         && point.fieldEmbeddings.allSatisfy { $0.bitCount >= bits }, "one embedding of `bits` bits per free string")
        }
    }
}

/// The agreement relation over a set of points, computed once per pair (it is symmetric) and
/// true on the diagonal.
private struct AgreementMatrix {
    private let count: Int
    private var bits: [Bool]

    init(count: Int, agree: (Int, Int) -> Bool) {
        self.count = count
        bits = [Bool](repeating: false, count: count * count)
        for i in 0..<count {
            bits[i * count + i] = true
            for j in (i + 1)..<max(count, i + 1) where agree(i, j) {
                bits[i * count + j] = true
                bits[j * count + i] = true
            }
        }
    }

    subscript(i: Int, j: Int) -> Bool { bits[i * count + j] }
}

/// One point's leaves by path, each free string with its embedding.
private struct FieldsOfPoint {
    struct Field {
        let leaf: OutputLeaf
        let embedding: BinaryEmbedding?
    }

    let paths: [FieldPath]
    private let fields: [FieldPath: Field]

    init(format: OutputSchema, point: StructuredPoint) {
        var embeddings = point.fieldEmbeddings.makeIterator()
        let leaves = format.leaves(of: point.value)
        paths = leaves.map(\.path)
        fields = Dictionary(uniqueKeysWithValues: leaves.map { leaf in
            (leaf.path, Field(leaf: leaf, embedding: leaf.node.isEmbedded ? embeddings.next()! : nil))
        })
    }

    func field(at path: FieldPath) -> Field? { fields[path] }
}
