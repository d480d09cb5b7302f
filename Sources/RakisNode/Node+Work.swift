import RakisCore

/// Running inferences: which requests this node takes, in what order, and turning an output
/// into a commit.
extension Node {
    /// The first accepted model (in the request's order of preference) this node serves.
    func servedModel(for request: InferenceRequest) -> String? {
        guard config.embeddingModels.contains(request.embedding.model) else { return nil }
        return request.models.first { config.servedModels.contains($0) }
    }

    /// Whether this node has weight, serves one of the request's models, has room, and is drawn
    /// to work on it when `redundancy` x quorum seats' worth of workers are wanted.
    func wouldWork(_ record: RequestRecord, redundancy: Double) -> Bool {
        guard ownWeight > 0, record.work == .none, record.quorum == nil, now < record.frame.commitDeadline,
              servedModel(for: record.request) != nil, workQueue.count < config.maxQueuedJobs
        else { return false }
        let servingWeight = max(ownWeight, peers.servingWeight(anyOf: record.request.models, now: now,
                                                                freshness: 3 * config.peerStatusInterval))
        let share = redundancy * Double(record.frame.quorum) * Double(ownWeight) / Double(servingWeight)
        return record.workScore < share
    }

    /// Whether this node's commit could change the committee of the commits it holds: they fill
    /// none, or its first seat beats their worst.
    func wouldImproveCommittee(_ record: RequestRecord) -> Bool {
        guard let held = bestCommittee(record) else { return true }
        guard ownWeight > 0 else { return false }
        return SeatRank.firstSeat(requestId: record.id, node: nodeId, weight: ownWeight) < held.worstSeat
    }

    /// Queues the request if this node is drawn to work on it; returns whether it did.
    @discardableResult
    func considerWork(_ record: RequestRecord, redundancy: Double) -> Bool {
        guard wouldWork(record, redundancy: redundancy) else { return false }
        record.work = .queued
        workQueue.append(record.id)
        // Earliest commit deadline first; the request id breaks ties so the order is total. (A
        // concluded request leaves the queue before its record can be forgotten.)
        let deadline = { (id: Hash256) in self.records[id]?.frame.commitDeadline ?? .max }
        workQueue.sort { lhs, rhs in
            let (a, b) = (deadline(lhs), deadline(rhs))
            return a != b ? a < b : lhs < rhs
        }
        startQueuedWork()
        return true
    }

    func startQueuedWork() {
        while activeJobs < config.maxConcurrentJobs, !workQueue.isEmpty {
            let id = workQueue.removeFirst()
            guard let record = records[id] else { preconditionFailure("queued request \(id.hex.prefix(8)) has no record") }
            // A request whose quorum is already fixed, whose commit window is over, or whose commits
            // already make a committee this node's first seat would not take a place in (that
            // committee only gets better as commits arrive), gains nothing from us.
            guard record.quorum == nil, record.conclusion == nil, now < record.frame.commitDeadline,
                  wouldImproveCommittee(record), let model = servedModel(for: record.request)
            else {
                record.work = .abandoned
                continue
            }
            activeJobs += 1
            record.work = .inferring
            advance(record, to: .inferring)
            let request = record.request
            effects.append(.startInference(InferenceJob(
                requestId: record.id, model: model, input: request.format.map(request.input.instructed(by:)) ?? request.input,
                temperature: request.temperature, maxTokens: request.maxTokens, seed: request.samplingSeed, format: request.format,
                topP: request.topP, stop: request.stop
            )))
        }
    }

    func inferenceFinished(_ job: InferenceJob, output: String) {
        guard let record = records[job.requestId], record.work == .inferring else { return }
        guard record.quorum == nil, record.conclusion == nil, output.utf8.count <= Limits.maxOutputBytes else {
            releaseJob(job.requestId, abandon: true)
            return
        }
        var output = output
        var fieldTexts: [String] = []
        if let format = record.request.format {
            // A backend that is not ours (an OpenAI-compatible server) may write valid JSON in
            // another form: what counts is the canonical text of a schema-valid value.
            guard let structured = StructuredOutput.canonicalizing(output, format: format) else {
                releaseJob(job.requestId, abandon: true)
                return
            }
            output = structured.text
            fieldTexts = structured.output.embeddedTexts
        }
        record.work = .embedding
        effects.append(.startEmbedding(EmbeddingJob(
            requestId: job.requestId, purpose: .own, model: record.request.embedding.model, text: output,
            fieldTexts: fieldTexts, bits: record.request.embedding.bits
        )))
        record.pendingOutput = (job.model, output)
    }

    /// Frees the job slot; `abandon` marks the request as one this node will not commit to.
    func releaseJob(_ requestId: Hash256, abandon: Bool) {
        guard let record = records[requestId], record.work == .inferring || record.work == .embedding else { return }
        precondition(activeJobs > 0, "request \(requestId.hex.prefix(8)) releases a job slot that was never taken")
        activeJobs -= 1
        if abandon { record.work = .abandoned }
        record.pendingOutput = nil
        startQueuedWork()
    }

    /// Own output embedded: derive the commitment and commit, unless the quorum formed without us.
    func commitOwnOutput(_ record: RequestRecord, embedding: BinaryEmbedding, fields: [BinaryEmbedding], fieldTexts: Int) {
        guard let (model, output) = record.pendingOutput else { return }
        releaseJob(record.id, abandon: false)
        let bits = record.request.embedding.bits
        guard record.quorum == nil, record.conclusion == nil, now <= record.frame.commitDeadline,
              embedding.bitCount >= bits, fields.count == fieldTexts, fields.allSatisfy({ $0.bitCount >= bits })
        else {
            record.work = .abandoned
            return
        }
        let embedding = embedding.truncated(to: bits)
        let fieldEmbeddings = fields.map { $0.truncated(to: bits) }
        let inferenceId = Commitment.inferenceId(requestId: record.id, nodeId: nodeId)
        let salt = Commitment.salt(requestId: record.id, identity: identity)
        let commitment = Commitment.derive(requestId: record.id, inferenceId: inferenceId, nodeId: nodeId, model: model,
                                           output: output, embedding: embedding, salt: salt, fieldEmbeddings: fieldEmbeddings)
        record.own = OwnInference(model: model, output: output, embedding: embedding, fieldEmbeddings: fieldEmbeddings,
                                  salt: salt, commitment: commitment)
        record.work = .committed
        let commit = Commit(requestId: record.id, inferenceId: inferenceId, model: model, commitment: commitment,
                            ticket: announcedTicket)
        effects.append(.persist(.ownOutput(OwnOutput(requestId: record.id, model: model, output: output, embedding: embedding,
                                                     fieldEmbeddings: fieldEmbeddings))))
        let envelope = broadcast(.commit(commit))
        effects.append(.persist(.packet(envelope)))
        advance(record, to: .committed)
        addCommit(envelope, commit, record)
        scheduleResend(record)
    }

    /// While no quorum has formed, the origin re-sends its request and a worker its commit, a few
    /// times, so that a lost copy does not keep the origin from the committee it waits for.
    func scheduleResend(_ record: RequestRecord) {
        let at = now + Self.resendInterval
        guard record.quorum == nil, record.resends < RequestRecord.maxResends, at < record.frame.commitDeadline else { return }
        record.resends += 1
        setTimer(.resend, record.id, at: at)
    }

    func resend(_ record: RequestRecord) {
        guard record.quorum == nil else { return }
        if isOrigin(of: record) { effects.append(.broadcast(record.envelope)) }
        if record.own != nil, let commit = record.commits[nodeId] { effects.append(.broadcast(commit)) }
        scheduleResend(record)
    }

    static let resendInterval: Millis = 1_000
}

/// The deterministic draw that spreads requests over nodes: 1 - U, U the uniform draw behind
/// the node's first seat (`SeatRank`), a fraction in [0, 1). A lower draw is a better first
/// seat, so the nodes most likely to sit on the committee are the ones drawn to work.
enum WorkDraw {
    static func score(requestId: Hash256, nodeId: NodeID) -> Double {
        1 - SeatRank.uniform(requestId: requestId, node: nodeId, ticket: 0)
    }
}
