/// Where a value sits in an output: object keys and array indices from the root, written
/// `$`, `$.name`, `$.items[2].name` (a key that is not a plain identifier as `$["a key"]`).
/// Paths order the way canonical JSON orders values: keys by UTF-16 code units, indices by number.
public struct FieldPath: Sendable, Hashable, Comparable, CustomStringConvertible {
    public enum Component: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    public let components: [Component]

    public static let root = FieldPath(components: [])

    public init(components: [Component]) {
        self.components = components
    }

    public func appending(_ component: Component) -> FieldPath {
        FieldPath(components: components + [component])
    }

    public func appending(key: String) -> FieldPath { appending(.key(key)) }
    public func appending(index: Int) -> FieldPath { appending(.index(index)) }

    public var description: String {
        var text = "$"
        for component in components {
            switch component {
            case let .key(key) where Self.isIdentifier(key):
                text += "." + key
            case let .key(key):
                text += "[" + JSONValue.string(key).canonicalString + "]"
            case let .index(index):
                text += "[\(index)]"
            }
        }
        return text
    }

    private static func isIdentifier(_ key: String) -> Bool {
        guard let first = key.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return false }
        return key.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
        }
    }

    /// Component by component; a prefix sorts first. Keys compare by UTF-16 code units (RFC 8785),
    /// and a key sorts before an index (which only paths of different schemas can mix).
    public static func < (a: FieldPath, b: FieldPath) -> Bool {
        for (x, y) in zip(a.components, b.components) {
            switch (x, y) {
            case let (.key(p), .key(q)):
                if JSONValue.utf16Precedes(p, q) { return true }
                if JSONValue.utf16Precedes(q, p) { return false }
            case let (.index(i), .index(j)):
                if i != j { return i < j }
            case (.key, .index): return true
            case (.index, .key): return false
            }
        }
        return a.components.count < b.components.count
    }
}
