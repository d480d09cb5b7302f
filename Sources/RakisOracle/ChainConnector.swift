import Foundation
import Logging
import RakisChain
import RakisCore
import RakisNode
import RakisRuntime
import RakisStore

/// Connects a node to the oracle contract (docs/ORACLE.md):
/// - follows the oracle's logs and brings each confirmed `Requested` event into the network as
///   a request with a chain origin (one node does, by turns: `ChainRanking.introducers`);
/// - when such a request is final here and the contract drew this node for its committee (or it
///   is in the agreeing cluster), signs the fulfilment with the chain key and publishes the
///   attestation;
/// - collects the members' attestations, and when it is this node's turn
///   (`ChainRanking.submitters`) sends `fulfill` with enough of them. The signed transaction is
///   stored before it is sent, so a restarted node sends the same bytes again instead of a
///   second transaction;
/// - finalizes proposals whose challenge window is over, when they hold the output it concluded;
///   votes on disputes when drawn for the second committee, by the output it concluded.
public actor ChainConnector {
    public struct Configuration: Sendable {
        public var rpcURL: String
        public var oracle: EthereumAddress
        public var key: ChainKey
        /// Blocks that must sit on a log before the connector acts on it.
        public var confirmations = 2
        public var pollInterval: Duration = .seconds(1)
        /// The first block to read on a first start (the oracle's deployment block, say).
        public var startBlock = 0
        /// How long each submitter has before the next in line takes over.
        public var submitterTurn: Duration = .seconds(20)
        /// How long each introducer waits for the one before it.
        public var introducerTurn: Duration = .seconds(5)
        /// The network request's windows, shortened when the contract's deadline is nearer.
        public var commitWindow = RequestSpec.defaultCommitWindow
        public var revealWindow = RequestSpec.defaultRevealWindow
        public var embeddingBits = RequestSpec.defaultEmbeddingBits
        /// Minimum deposits this node stakes on disputing a proposal its own certificate
        /// contradicts; 0 (the default) never disputes.
        public var disputeBond = 0
        /// The registry the node's `stake` membership was built from (`readRegistry`), so that
        /// following does not read it again; nil reads it at start.
        public var registry: OracleRegistry?

        public init(rpcURL: String, oracle: EthereumAddress, key: ChainKey) {
            self.rpcURL = rpcURL
            self.oracle = oracle
            self.key = key
        }
    }

    let configuration: Configuration
    let runtime: any OracleRuntime
    let store: NodeStore
    let identity: NodeIdentity
    /// The account's connection to the chain, for reading.
    var rpc: EthereumRPC { account.rpc }
    var logger: Logger
    var chainId: UInt64 = 0
    var follower: LogFollower?
    /// The oracle's registry, from its confirmed logs (`ChainConnector+Registry`); nil until `start`.
    var registry: OracleRegistry?
    /// Whether a log of the range being handled changed the registry.
    var registryMoved = false
    /// A reorganization replaced blocks the registry was read from, and reading it again failed.
    var registryStale = false
    /// Contract requests seen in confirmed logs, by `OracleRequest.key`.
    var oracleRequests: [String: OracleRequest] = [:]
    /// Chain requests final here, waiting to be fulfilled, by network request id.
    var fulfilments: [Hash256: Fulfilment] = [:]
    /// Attestations that arrived before this node concluded, by network request id. Bounded:
    /// most belong to requests this node will conclude soon, the oldest others are forgotten.
    var earlyAttestations = BoundedDictionary<Hash256, [Envelope]>(capacity: ChainConnector.earlyRequestsHeld)
    static let earlyRequestsHeld = 256
    /// The results of chain requests final here, by `OracleRequest.key`: what a proposal for the
    /// contract request must hold for this node to finalize it. Bounded like the early attestations.
    var concludedResults = BoundedDictionary<String, ConcludedResult>(capacity: ChainConnector.earlyRequestsHeld)
    /// Proposals seen in confirmed logs, by contract request key: what a dispute names.
    var proposals = BoundedDictionary<String, OracleProposal>(capacity: ChainConnector.earlyRequestsHeld)
    /// Proposals this node has decided whether to dispute, by contract request key.
    var disputesConsidered = BoundedDictionary<String, Bool>(capacity: ChainConnector.earlyRequestsHeld)
    let account: ChainAccount
    /// Work in flight (following, introductions, submissions), cancelled by `stop()`.
    var tasks: [Int: Task<Void, Never>] = [:]
    var nextTaskId = 0

    public init(_ configuration: Configuration, runtime: any OracleRuntime, store: NodeStore, identity: NodeIdentity, logger: Logger) {
        self.configuration = configuration
        self.runtime = runtime
        self.store = store
        self.identity = identity
        account = ChainAccount(key: configuration.key, rpcURL: configuration.rpcURL)
        self.logger = logger
        self.logger[metadataKey: "chain"] = "\(configuration.key.address)"
    }

    public nonisolated var address: EthereumAddress { configuration.key.address }

    /// Checks the chain, sends again what an earlier run stored but did not see mined, and
    /// starts following. Call before the runtime starts, so no chain signal is missed.
    public func start() async throws {
        let chainId = try await rpc.chainId()
        self.chainId = UInt64(chainId)
        let contract = configuration.oracle.lowercaseHex
        let cursor = try store.chainCursor(contract: contract).map { BlockRef(number: $0.blockNumber, hash: $0.blockHash) }
        follower = LogFollower(address: contract, topics: [], confirmations: configuration.confirmations,
                               startBlock: configuration.startBlock, resumingAfter: cursor)
        logger.info("following oracle \(configuration.oracle) on chain \(chainId) from block \(cursor.map { $0.number + 1 } ?? configuration.startBlock)")
        let resumeAfter = cursor?.number ?? configuration.startBlock - 1
        if let given = configuration.registry, given.through >= resumeAfter {
            registry = given
        } else {
            try await rereadRegistry(through: resumeAfter)
        }
        try await resendUnconfirmed()
        let signals = runtime.chainSignals
        spawn { [weak self] in
            for await signal in signals { await self?.handle(signal) }
        }
        spawn { [weak self] in await self?.follow() }
    }

    public func stop() {
        for task in tasks.values { task.cancel() }
        tasks = [:]
    }

    /// Runs `work` until it ends or the connector stops.
    func spawn(_ work: @escaping @Sendable () async -> Void) {
        let id = nextTaskId
        nextTaskId += 1
        tasks[id] = Task { [weak self] in
            await work()
            await self?.forgetTask(id)
        }
    }

    func forgetTask(_ id: Int) { tasks[id] = nil }

    // MARK: - Following the oracle

    func follow() async {
        while !Task.isCancelled {
            do {
                try await followStep()
            } catch {
                logger.warning("reading the chain: \(error)")
            }
            try? await Task.sleep(for: configuration.pollInterval)
        }
    }

    func followStep() async throws {
        guard var follower else { return }
        if registryStale {  // a reorganization's reading failed: no log is applied to the old registry
            try await rereadRegistry(through: follower.cursor?.number ?? configuration.startBlock - 1)
            registryStale = false
        }
        let step = try await follower.poll(rpc)
        self.follower = follower
        switch step {
        case .idle:
            return
        case let .reorganized(depth, resumeAfter):
            runtime.countChainEvent("reorganization", "seen")
            logger.warning("the chain replaced \(depth) handled block range(s), deeper than \(configuration.confirmations) confirmations; reading again after block \(resumeAfter)")
            registryStale = true
            try await rereadRegistry(through: resumeAfter)
            registryStale = false
        case let .logs(logs, through):
            for log in logs { await handle(log) }
            await advanceRegistry(through: through.number)
            // Past its deadline a contract request can only be refunded: nothing left to do here.
            let now = Int(runtime.now / 1_000)
            oracleRequests = oracleRequests.filter { $0.value.deadline >= now }
            try store.setChainCursor(ChainCursor(blockNumber: through.number, blockHash: through.hash),
                                     contract: configuration.oracle.lowercaseHex, at: runtime.now)
            runtime.noteChainBlock(through.number)
        }
    }

    func handle(_ log: LogEntry) async {
        do {
            switch log.topics.first {
            case OracleContract.registeredTopic, OracleContract.deregisteredTopic, OracleContract.slashedTopic:
                try applyRegistryLog(log)
            case OracleContract.requestedTopic:
                let request = try OracleContract.requested(log, chainId: chainId, oracle: configuration.oracle)
                oracleRequests[request.key] = request
                scheduleIntroduction(request)
            case OracleContract.proposedTopic:
                let proposal = try OracleContract.proposed(log, chainId: chainId, oracle: configuration.oracle)
                proposals[proposal.key] = proposal
                scheduleFinalization(proposal)
            case OracleContract.disputedTopic:
                let (requestId, deadline) = try OracleContract.disputed(log)
                let key = OracleRequest.key(OracleRequest.coordinates(chainId: chainId, oracle: configuration.oracle, requestId: requestId))
                if let proposal = proposals[key] { spawn { [weak self] in await self?.vote(on: proposal, before: deadline) } }
            default:
                break
            }
        } catch {
            logger.warning("oracle log: \(error)")
        }
    }

    // MARK: - Bringing contract requests into the network

    func scheduleIntroduction(_ request: OracleRequest) {
        let order = ChainRanking.introducers(registeredNodes, chainRequest: request.key)
        let turn = order.firstIndex(of: identity.nodeId) ?? order.count
        let wait = configuration.introducerTurn * turn
        spawn { [weak self] in
            try? await Task.sleep(for: wait)
            await self?.introduce(request)
        }
    }

    func introduce(_ request: OracleRequest) async {
        guard await runtime.request(from: request.coordinates) == nil else { return }
        do {
            // A proposal inside its window is asked of the network too: its answer is what nodes
            // finalize the proposal by, or vote against it with if it is disputed.
            guard [.pending, .proposed, .disputed].contains(try await state(of: request.requestId)) else { return }
            guard let spec = networkRequest(for: request) else {
                logger.warning("contract request \(request.requestId): its deadline is too near to run it")
                return
            }
            let id = try await runtime.submit(spec)
            runtime.countChainEvent("introduction", "sent")
            logger.info("contract request \(request.requestId) is network request \(id.hex.prefix(8))")
        } catch {
            logger.warning("contract request \(request.requestId): not brought into the network: \(error)")
        }
    }

    /// The network request for a contract's request: its prompt and frame, with windows that
    /// leave the submitters time before the contract's deadline.
    func networkRequest(for request: OracleRequest) -> RequestSpec? {
        let now = runtime.now
        let reserve = Millis(configuration.submitterTurn / .milliseconds(1)) * 2
        let available = Millis(request.deadline) * 1_000 - reserve - now
        let wanted = configuration.commitWindow + configuration.revealWindow
        let scale = min(1, Double(available) / Double(wanted))
        let commitWindow = Millis(Double(configuration.commitWindow) * scale)
        guard commitWindow >= Limits.minCommitWindow else { return nil }
        var spec = RequestSpec(
            input: request.input, models: request.models, temperature: request.temperature, maxTokens: request.maxTokens,
            embeddingBits: configuration.embeddingBits,
            quorum: request.quorum, secDistance: request.secDistance, secPercentage: request.secPercentage,
            commitWindow: commitWindow, revealWindow: Millis(Double(configuration.revealWindow) * scale),
            originKind: .chain, chain: request.coordinates
        )
        spec.format = request.format
        return spec
    }

    func state(of requestId: UInt256) async throws -> OracleContract.RequestState {
        try await readUInt(OracleContract.stateOf(requestId))?.exactUInt64.flatMap { OracleContract.RequestState(rawValue: Int($0)) } ?? .unknown
    }

    /// A view of the oracle that answers one uint; nil if the answer is not one 32-byte word.
    func readUInt(_ call: [UInt8]) async throws -> UInt256? {
        UInt256(bigEndian: try await rpc.call(to: configuration.oracle.lowercaseHex, data: call))
    }
}
