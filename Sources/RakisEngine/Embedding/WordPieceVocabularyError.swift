/// Why a WordPiece vocabulary (a `vocab.txt`, one token a line, id = line index) cannot be used.
/// `source` is the file's path, or "vocabulary" for a list given in code; lines count from 1.
public enum WordPieceVocabularyError: Error, Equatable, CustomStringConvertible {
    case unreadable(source: String, reason: String)
    case empty(source: String)
    case emptyToken(source: String, line: Int)
    case duplicateToken(String, source: String, line: Int, firstLine: Int)
    case missingSpecialToken(String, source: String)

    public var description: String {
        switch self {
        case let .unreadable(source, reason):
            "cannot read the WordPiece vocabulary \(source): \(reason)"
        case let .empty(source):
            "the WordPiece vocabulary \(source) has no tokens"
        case let .emptyToken(source, line):
            "\(source):\(line): empty token (every line of a vocabulary is one token)"
        case let .duplicateToken(token, source, line, firstLine):
            "\(source):\(line): token '\(token)' is already on line \(firstLine)"
        case let .missingSpecialToken(token, source):
            "the WordPiece vocabulary \(source) has no \(token) token"
        }
    }
}
