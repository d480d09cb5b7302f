/// Milliseconds since the Unix epoch (or since a simulation's start).
public typealias Millis = Int64

/// Hard bounds on what a packet may contain. Anything outside is rejected before it reaches
/// the node's state, so a hostile peer cannot make a node store or compute unbounded work.
public enum Limits {
    public static let maxEnvelopeBytes = 1 << 20
    public static let maxJSONDepth = 32
    public static let quorumRange = 1...64
    public static let maxPromptBytes = 256 * 1024
    public static let maxMessages = 256
    public static let maxModels = 16
    public static let maxNameBytes = 128
    public static let temperatureRange = 0.0...2.0
    public static let maxTokensRange = 1...8192
    public static let maxSeed = (1 << 53) - 1
    public static let embeddingBitsRange = 8...4096
    public static let maxOutputBytes = 256 * 1024
    public static let nonceHexRange = 2...64
    /// A request's reveal deadline may lie at most this far after its creation.
    public static let maxRequestLifetime: Millis = 60 * 60 * 1000
    /// Smallest commit window: less than this and no node could run a model in time.
    public static let minCommitWindow: Millis = 100
    /// Peers in one mesh `PEERS` frame.
    public static let maxPeersPerExchange = 64
}
