/// Why a generation request cannot run. Messages say what is wrong and the limit.
public enum EngineError: Error, Equatable, CustomStringConvertible {
    case emptyPrompt
    case promptTooLong(tokens: Int, contextLength: Int)
    case invalidParameter(name: String, value: String, expected: String)

    public var description: String {
        switch self {
        case .emptyPrompt: "the prompt is empty: it must hold at least one token"
        case let .promptTooLong(tokens, contextLength):
            "the prompt has \(tokens) tokens but the model's context holds \(contextLength) (leave room for at least one generated token)"
        case let .invalidParameter(name, value, expected): "\(name) = \(value) is invalid: expected \(expected)"
        }
    }
}
