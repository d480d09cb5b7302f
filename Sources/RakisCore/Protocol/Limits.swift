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
    /// A request's `stop` strings, as many as OpenAI's API takes, and the UTF-8 bytes of each.
    public static let maxStopStrings = 4
    public static let stopStringBytes = 1...256
    public static let embeddingBitsRange = 8...4096
    public static let maxOutputBytes = 256 * 1024
    public static let nonceHexRange = 2...64
    /// A request's reveal deadline may lie at most this far after its creation.
    public static let maxRequestLifetime: Millis = 60 * 60 * 1000
    /// Smallest commit window: less than this and no node could run a model in time.
    public static let minCommitWindow: Millis = 100
    /// Peers in one mesh `PEERS` frame.
    public static let maxPeersPerExchange = 64
    /// Largest `frame.numberTolerance`: beyond 1e15 a tolerance exceeds every integer a double
    /// holds exactly, and means nothing.
    public static let maxNumberTolerance = 1e15
    /// UTF-8 bytes of a chat message's text (`ChatPost`): a line or two, not a document.
    public static let chatTextBytes = 1...500

    /// Bounds on a request's output schema (`OutputSchema`) and hence on the work one structured
    /// reveal costs a verifier: parsing, validation, one embedding per free string, and the
    /// all-pairs comparison of consensus.
    public enum Schema {
        /// The schema's canonical JSON.
        public static let maxCanonicalBytes = 16 * 1024
        /// Containers (objects and arrays) nested in an output, the root included; outputs are
        /// parsed with this depth, which also bounds the free values of an `any` node.
        public static let maxDepth = 8
        public static let maxPropertiesPerObject = 64
        /// Sub-schemas in the whole schema, the root included.
        public static let maxNodes = 256
        public static let maxEnumValues = 64
        /// UTF-8 bytes of one enum value.
        public static let maxEnumValueBytes = 128
        /// Code points of a string's `maxLength`/`minLength`.
        public static let stringLengthRange = 0...4096
        /// An array's `maxItems` when the schema gives none.
        public static let defaultMaxItems = 16
        /// Free strings (those that get an embedding) in the largest output the schema admits,
        /// every array at its `maxItems`: the embeddings one reveal carries.
        public static let maxEmbeddedLeaves = 128
        /// Leaves of any kind in the largest output the schema admits (an `any` node counts one).
        public static let maxLeaves = 1024
    }
}
