/// Why a GGUF file cannot be used. Every case names the file and, where it helps, the byte
/// offset or the key, so a user can tell a truncated download from an unsupported model.
public enum GGUFError: Error, Equatable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case notGGUF(path: String)
    case unsupportedVersion(path: String, version: UInt32)
    case truncated(path: String, needed: Int, available: Int, while: String)
    case corrupt(path: String, offset: Int, reason: String)
    case missingKey(path: String, key: String)
    case wrongKeyType(path: String, key: String, expected: String, actual: String)
    case missingTensor(path: String, name: String)
    case unsupportedTensorType(path: String, tensor: String, type: String)
    case wrongTensorShape(path: String, tensor: String, expected: [Int], actual: [Int])

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason): "cannot open model file \(path): \(reason)"
        case let .notGGUF(path): "\(path) is not a GGUF file (the magic number is not 'GGUF')"
        case let .unsupportedVersion(path, version): "\(path): GGUF version \(version) is not supported (only version 3)"
        case let .truncated(path, needed, available, activity):
            "\(path) is truncated: \(activity) needs \(needed) bytes but only \(available) remain"
        case let .corrupt(path, offset, reason): "\(path) is corrupt at byte \(offset): \(reason)"
        case let .missingKey(path, key): "\(path) has no metadata key '\(key)'"
        case let .wrongKeyType(path, key, expected, actual): "\(path): metadata '\(key)' is \(actual), expected \(expected)"
        case let .missingTensor(path, name): "\(path) has no tensor '\(name)'"
        case let .unsupportedTensorType(path, tensor, type):
            "\(path): tensor '\(tensor)' has type \(type), which this engine does not support yet"
        case let .wrongTensorShape(path, tensor, expected, actual):
            "\(path): tensor '\(tensor)' has shape \(actual), expected \(expected)"
        }
    }
}
