/// Why a generation request cannot run. Messages say what is wrong and the limit.
public enum EngineError: Error, Equatable, CustomStringConvertible {
    case emptyPrompt
    case promptTooLong(tokens: Int, contextLength: Int)
    case invalidParameter(name: String, value: String, expected: String)
    /// The answer's shape cannot be matched (a bound out of range, a property listed twice...).
    case unusableFormat(reason: String)
    /// Even the shortest answer of the shape needs more tokens than the request allows.
    case formatNeedsMoreTokens(maxTokens: Int, minimalAnswerTokens: Int)

    public var description: String {
        switch self {
        case .emptyPrompt: "the prompt is empty: it must hold at least one token"
        case let .promptTooLong(tokens, contextLength):
            "the prompt has \(tokens) tokens but the model's context holds \(contextLength) (leave room for at least one generated token)"
        case let .invalidParameter(name, value, expected): "\(name) = \(value) is invalid: expected \(expected)"
        case let .unusableFormat(reason): "the answer's format cannot be used: \(reason)"
        case let .formatNeedsMoreTokens(maxTokens, minimal):
            "the shortest answer of the requested format needs up to \(minimal) tokens (one per byte at worst) but at most \(maxTokens) may be generated"
        }
    }
}
