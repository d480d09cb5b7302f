import RakisCore

/// A consumer's request as the oracle's `Requested` event states it (docs/ORACLE.md).
public struct OracleRequest: Sendable, Hashable {
    public let chainId: UInt64
    public let oracle: EthereumAddress
    public let requestId: UInt256
    public let consumer: EthereumAddress
    public let prompt: String
    public let models: [String]
    public let maxTokens: Int
    /// In thousandths, as the contract keeps it.
    public let temperatureMilli: Int
    public let quorum: Int
    /// In basis points, as the contract keeps them.
    public let secDistanceBasisPoints: Int
    public let secPercentageBasisPoints: Int
    /// Unix seconds.
    public let deadline: Int
    public let callback: EthereumAddress
    public let payment: Wei
    /// Seconds a fulfilment may be disputed before it pays and calls back (0: at once).
    public let challengeWindow: Int
    /// A structured request's JSON Schema, parsed from the event's `schema` text; nil for free text.
    public let format: OutputSchema?
    public let blockNumber: Int

    public var temperature: Double { Double(temperatureMilli) / 1_000 }
    public var secDistance: Double { Double(secDistanceBasisPoints) / 10_000 }
    public var secPercentage: Double { Double(secPercentageBasisPoints) / 10_000 }

    /// The committee seats a fulfilment's signers must hold together: ceil(quorum x secPercentage).
    public var threshold: Int { (quorum * secPercentageBasisPoints + 9_999) / 10_000 }

    /// Where the request lives, as a network request's origin names it.
    public var coordinates: ChainCoordinates { Self.coordinates(chainId: chainId, oracle: oracle, requestId: requestId) }

    /// How a network request's origin names contract request `requestId` of `oracle` on `chainId`.
    public static func coordinates(chainId: UInt64, oracle: EthereumAddress, requestId: UInt256) -> ChainCoordinates {
        ChainCoordinates(chainId: Int(chainId), contract: oracle.lowercaseHex, chainRequestId: requestId.description)
    }

    /// "chainId:contract:requestId", the key of everything the connector stores about it.
    public var key: String { Self.key(coordinates) }

    public static func key(_ coordinates: ChainCoordinates) -> String {
        "\(coordinates.chainId):\(coordinates.contract):\(coordinates.chainRequestId)"
    }

    /// What the model is asked: the prompt as the user's message, since the network serves
    /// instruction-tuned models and a contract asks questions, not text to continue.
    public var input: RequestInput { .messages([ChatMessage(role: "user", content: prompt)]) }

    /// Whether a network request asks exactly what the contract was asked. A node attests only
    /// to such requests: whoever brought the request into the network could have changed it.
    public func matches(_ request: InferenceRequest) -> Bool {
        request.origin.kind == .chain && request.origin.chain == coordinates && request.input == input
            && request.models == models && request.maxTokens == maxTokens && request.temperature == temperature
            && request.frame.quorum == quorum && request.frame.secDistance == secDistance
            && request.frame.secPercentage == secPercentage && request.frame.revealDeadline <= Millis(deadline) * 1_000
            && request.format == format
    }
}
