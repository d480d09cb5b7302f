import RakisCore

/// The oracle contract's calls and events in ABI terms (docs/ORACLE.md).
public enum OracleContract {
    // MARK: - Calls

    public static func register(nodeId: NodeID) -> [UInt8] {
        call("register(bytes32)", [.fixedBytes(nodeId.publicKeyBytes)], [.fixedBytes(32)])
    }

    /// `fulfill(requestId, output, (commitmentSetHash, signatures))`, and for a structured request
    /// (`answer` not nil) `fulfill(requestId, output, certificate, answer)` with its typed answer;
    /// the signatures must be in ascending order of their signers' addresses.
    public static func fulfill(requestId: UInt256, output: String, commitmentSetHash: [UInt8], signatures: [RecoverableSignature],
                               answer: [UInt8]? = nil) -> [UInt8] {
        let signatureType = ABIType.tuple([.uint(bits: 8), .fixedBytes(32), .fixedBytes(32)])
        let certificate = ABIValue.tuple([
            .fixedBytes(commitmentSetHash),
            .array(signatures.map { .tuple([uint(Int($0.v)), .fixedBytes($0.r), .fixedBytes($0.s)]) }),
        ])
        let values: [ABIValue] = [.uint(requestId), .string(output), certificate]
        let types: [ABIType] = [.uint(bits: 256), .string, .tuple([.fixedBytes(32), .array(signatureType)])]
        guard let answer else { return call("fulfill(uint256,string,(bytes32,(uint8,bytes32,bytes32)[]))", values, types) }
        return call("fulfill(uint256,string,(bytes32,(uint8,bytes32,bytes32)[]),bytes)", values + [.bytes(answer)], types + [.bytes])
    }

    /// `finalize(requestId, output, signers, seats)`, with the signers and seats of the `Proposed`
    /// log, and for a structured request (`answer` not nil) its typed answer after them.
    public static func finalize(_ proposal: OracleProposal, output: String, answer: [UInt8]? = nil) -> [UInt8] {
        let arguments = proposalArguments(proposal)
        let values = [arguments[0], .string(output), arguments[1], arguments[2]]
        let types: [ABIType] = [.uint(bits: 256), .string, .array(.address), .array(.uint(bits: 256))]
        guard let answer else { return call("finalize(uint256,string,address[],uint256[])", values, types) }
        return call("finalize(uint256,string,address[],uint256[],bytes)", values + [.bytes(answer)], types + [.bytes])
    }

    /// `dispute(requestId, signers, seats)`, sent with a bond of at least `minDeposit`.
    public static func dispute(_ proposal: OracleProposal) -> [UInt8] {
        call("dispute(uint256,address[],uint256[])", proposalArguments(proposal), [.uint(bits: 256), .array(.address), .array(.uint(bits: 256))])
    }

    /// `vote(requestId, upheld, signers, seats)`: a dispute committee member's verdict, from its own address.
    public static func vote(_ proposal: OracleProposal, upheld: Bool) -> [UInt8] {
        let arguments = proposalArguments(proposal)
        return call("vote(uint256,bool,address[],uint256[])", [arguments[0], .bool(upheld), arguments[1], arguments[2]],
                    [.uint(bits: 256), .bool, .array(.address), .array(.uint(bits: 256))])
    }

    /// The deposit that weighs one: a registration's weight is its deposit in whole `minDeposit`s.
    public static let minDeposit = call("minDeposit()", [], [])

    /// The seats `node` drew on the committee judging a dispute over `requestId`.
    public static func disputeSeatsOf(_ requestId: UInt256, _ node: EthereumAddress) -> [UInt8] {
        call("disputeSeatsOf(uint256,address)", [.uint(requestId), .address(node)], [.uint(bits: 256), .address])
    }

    /// The request id, signers and seats a proposal is named by in `finalize`, `dispute` and `vote`.
    static func proposalArguments(_ proposal: OracleProposal) -> [ABIValue] {
        [.uint(proposal.requestId), .array(proposal.signers.map { .address($0) }), .array(proposal.seats.map { uint($0) })]
    }

    public static func stateOf(_ requestId: UInt256) -> [UInt8] {
        call("stateOf(uint256)", [.uint(requestId)], [.uint(bits: 256)])
    }

    public static func isRegistered(_ node: EthereumAddress) -> [UInt8] {
        call("isRegistered(address)", [.address(node)], [.address])
    }

    /// The seats `node` drew on the committee of `requestId` (0: it is not a member).
    public static func seatsOf(_ requestId: UInt256, _ node: EthereumAddress) -> [UInt8] {
        call("seatsOf(uint256,address)", [.uint(requestId), .address(node)], [.uint(bits: 256), .address])
    }

    public static func earnings(_ node: EthereumAddress) -> [UInt8] {
        call("earnings(address)", [.address(node)], [.address])
    }

    public static func refund(_ requestId: UInt256) -> [UInt8] {
        call("refund(uint256)", [.uint(requestId)], [.uint(bits: 256)])
    }

    /// What `stateOf` answers.
    public enum RequestState: Int, Sendable {
        /// `proposed`: fulfilled inside its challenge window; `disputed`: until the second committee answers.
        case unknown = 0, pending, fulfilled, refunded, proposed, disputed
    }

    // MARK: - Events

    public static let requestedTopic = ABI.eventTopic("Requested(uint256,address,string,string[],uint32,uint16,uint8,uint16,uint16,uint64,address,uint256,uint64,string)")
    public static let registeredTopic = ABI.eventTopic("Registered(address,bytes32,uint256)")
    public static let deregisteredTopic = ABI.eventTopic("Deregistered(address)")
    public static let slashedTopic = ABI.eventTopic("Slashed(address,address,uint256)")
    public static let fulfilledTopic = ABI.eventTopic("Fulfilled(uint256,address,bytes32,uint256,bool)")
    public static let proposedTopic = ABI.eventTopic("Proposed(uint256,address,bytes32,address[],uint256[],uint256)")
    public static let disputedTopic = ABI.eventTopic("Disputed(uint256,address,uint256,uint256)")

    /// The request id of a `Disputed` log, and the dispute's deadline (Unix seconds).
    public static func disputed(_ log: LogEntry) throws -> (requestId: UInt256, deadline: Int) {
        guard log.topics.count == 3, log.topics[0] == disputedTopic, let requestId = UInt256(bigEndian: log.topics[1]),
              let fields = try? ABI.decode([.uint(bits: 256), .uint(bits: 256)], from: log.data), let deadline = fields[1].smallInt
        else { throw OracleLogError("not a Disputed log", log) }
        return (requestId, deadline)
    }

    /// A `Proposed` log: a fulfilment inside its challenge window.
    public static func proposed(_ log: LogEntry, chainId: UInt64, oracle: EthereumAddress) throws -> OracleProposal {
        guard log.topics.count == 3, log.topics[0] == proposedTopic, let requestId = UInt256(bigEndian: log.topics[1]),
              let fields = try? ABI.decode([.fixedBytes(32), .array(.address), .array(.uint(bits: 256)), .uint(bits: 256)], from: log.data),
              let outputHash = fields[0].bytesValue, let signers = fields[1].elements?.compactMap(\.addressValue),
              let seats = fields[2].elements?.compactMap(\.smallInt), let challengeEnds = fields[3].smallInt,
              signers.count == seats.count
        else { throw OracleLogError("not a Proposed log", log) }
        return OracleProposal(chainId: chainId, oracle: oracle, requestId: requestId, outputHash: outputHash, signers: signers,
                              seats: seats, challengeEnds: challengeEnds)
    }

    /// Decodes a `Requested` log of the oracle at `oracle` on chain `chainId`.
    public static func requested(_ log: LogEntry, chainId: UInt64, oracle: EthereumAddress) throws -> OracleRequest {
        guard log.topics.count == 3, log.topics[0] == requestedTopic,
              let requestId = UInt256(bigEndian: log.topics[1]), let consumer = EthereumAddress(word: log.topics[2])
        else { throw OracleLogError("not a Requested log", log) }
        let fields = try ABI.decode([.string, .array(.string), .uint(bits: 32), .uint(bits: 16), .uint(bits: 8), .uint(bits: 16),
                                     .uint(bits: 16), .uint(bits: 64), .address, .uint(bits: 256), .uint(bits: 64), .string], from: log.data)
        guard let prompt = fields[0].stringValue, let models = fields[1].elements?.compactMap(\.stringValue),
              let maxTokens = fields[2].smallInt, let temperature = fields[3].smallInt, let quorum = fields[4].smallInt,
              let secDistance = fields[5].smallInt, let secPercentage = fields[6].smallInt, let deadline = fields[7].smallInt,
              let callback = fields[8].addressValue, let payment = fields[9].uintValue, let challengeWindow = fields[10].smallInt,
              let schema = fields[11].stringValue
        else { throw OracleLogError("Requested fields of unexpected kinds", log) }
        // The contract keeps the schema as text; nodes parse it by the network's own rules (the
        // request `format`'s), and a request with a schema they refuse is not asked.
        var format: OutputSchema?
        if !schema.isEmpty {
            do {
                format = try OutputSchema(json: try JSONParser.parse(Array(schema.utf8)), path: "schema")
            } catch {
                throw OracleLogError("request \(requestId): its schema is refused: \(error)", log)
            }
        }
        return OracleRequest(chainId: chainId, oracle: oracle, requestId: requestId, consumer: consumer, prompt: prompt, models: models,
                             maxTokens: maxTokens, temperatureMilli: temperature, quorum: quorum, secDistanceBasisPoints: secDistance,
                             secPercentageBasisPoints: secPercentage, deadline: deadline, callback: callback, payment: payment,
                             challengeWindow: challengeWindow, format: format, blockNumber: log.blockNumber)
    }

    /// A `Registered` log: the node's address, its Ed25519 id and its deposit.
    public static func registered(_ log: LogEntry) throws -> (address: EthereumAddress, nodeId: NodeID, deposit: UInt256) {
        guard log.topics.count == 2, log.topics[0] == registeredTopic, let address = EthereumAddress(word: log.topics[1]),
              let fields = try? ABI.decode([.fixedBytes(32), .uint(bits: 256)], from: log.data), let nodeId = fields[0].bytesValue,
              let deposit = fields[1].uintValue
        else { throw OracleLogError("not a Registered log", log) }
        return (address, NodeID(publicKey: nodeId), deposit)
    }

    /// The node of a `Slashed` log: its deposit is gone and it is no longer registered.
    public static func slashed(_ log: LogEntry) throws -> EthereumAddress {
        guard log.topics.count == 3, log.topics[0] == slashedTopic, let address = EthereumAddress(word: log.topics[1])
        else { throw OracleLogError("not a Slashed log", log) }
        return address
    }

    /// The address of a `Deregistered` log.
    public static func deregistered(_ log: LogEntry) throws -> EthereumAddress {
        guard log.topics.count == 2, log.topics[0] == deregisteredTopic, let address = EthereumAddress(word: log.topics[1])
        else { throw OracleLogError("not a Deregistered log", log) }
        return address
    }

    // MARK: - Encoding

    static func uint(_ value: Int) -> ABIValue { .uint(UInt256(UInt64(value))) }

    /// The encoders only fail on values that do not fit their types, which these signatures rule out.
    static func call(_ signature: String, _ values: [ABIValue], _ types: [ABIType]) -> [UInt8] {
        do {
            return try ABI.encodeCall(signature, values, as: types)
        } catch {
            preconditionFailure("\(signature): \(error)")
        }
    }
}

/// A log the connector cannot read as the oracle's event.
public struct OracleLogError: Error, CustomStringConvertible {
    public let description: String

    init(_ problem: String, _ log: LogEntry) {
        description = "\(problem) (block \(log.blockNumber), transaction \(log.transactionHash), log \(log.logIndex))"
    }
}

extension ABIValue {
    /// A uint that fits an Int (every field but ids and amounts).
    var smallInt: Int? { uintValue?.exactUInt64.flatMap { $0 <= UInt64(Int.max) ? Int($0) : nil } }
}

extension EthereumAddress {
    /// An address from a 32-byte topic or word: 12 zero bytes, then the address.
    init?(word: [UInt8]) {
        guard word.count == 32, word.prefix(12).allSatisfy({ $0 == 0 }) else { return nil }
        self.init(bytes: Array(word.suffix(20)))
    }
}
