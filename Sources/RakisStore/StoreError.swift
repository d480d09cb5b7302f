import RakisCore

/// Why the store could not do what was asked. Every message starts with the database path, so a
/// log line says which file is at fault on a machine running several nodes.
public enum StoreError: Error, CustomStringConvertible {
    /// The file exists but is not a Rakis store; it was left exactly as it was.
    case notAStore(path: String, reason: String)
    /// The store was written by a newer version (it has migrations this one does not know).
    /// Opening it could misread or damage data, so it is left untouched.
    case newerSchema(path: String, unknownMigrations: [String])
    /// A record refers to a request whose request packet was never stored: the node persists a
    /// request before anything about it, so this is a bug in whoever feeds the store.
    case unknownRequest(path: String, requestId: Hash256, record: String)
    /// A stored result whose ids are not the hex the node writes: the file was damaged or written
    /// by something else. The row is left as it is.
    case unreadableResult(path: String, requestId: Hash256)
    /// The store holds something that forbids the change (a taken id, a full table); nothing was written.
    case refused(path: String, reason: String)
    /// SQLite or the file system failed.
    case database(path: String, operation: String, underlying: any Error)

    public var description: String {
        switch self {
        case let .notAStore(path, reason):
            "\(path): not a Rakis store (\(reason))"
        case let .newerSchema(path, unknown):
            "\(path): written by a newer version of Rakis (unknown schema migrations: \(unknown.joined(separator: ", "))); left untouched"
        case let .unknownRequest(path, requestId, record):
            "\(path): \(record) for request \(requestId.hex), whose request packet is not stored"
        case let .unreadableResult(path, requestId):
            "\(path): the stored result of request \(requestId.hex) has ids that are not hex"
        case let .refused(path, reason):
            "\(path): \(reason)"
        case let .database(path, operation, underlying):
            "\(path): could not \(operation): \(underlying)"
        }
    }
}
