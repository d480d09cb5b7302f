/// Where the matcher is in a JSON text: a stack of frames, one per value being written, the
/// innermost on top. A plain value (no references inside but the parents' array, which only
/// changes when a value opens or closes), so states copy cheaply, and hash, to key mask caches.
public struct JSONGrammarState: Hashable, Sendable {
    var top: Frame
    var parents: [Frame]
    /// The fewest bytes the parents need once the top value is complete (kept as frames are
    /// pushed and popped, so the minimal completion is a sum of two numbers).
    var parentsRemainder: Int

    /// One value being written.
    enum Frame: Hashable, Sendable {
        /// Nothing of a value of this node written yet.
        case value(node: Int32)
        case object(ObjectFrame)
        case string(StringFrame)
        /// Inside a literal: `trieNode` of the node's trie.
        case literal(trie: Int32, trieNode: Int32)
        case number(node: Int32, NumberProgress)
        case array(ArrayFrame)
        case anyObject(AnyObjectFrame)
        /// The whole text is written: nothing may follow.
        case done
    }

    struct ObjectFrame: Hashable, Sendable {
        enum Phase: UInt8, Sendable {
            /// After "{": a key or "}".
            case opened
            /// Inside a key: `keyNode` of the key trie.
            case key
            /// After the key of `property`: ":".
            case afterKey
            /// The value of `property` is being written (a frame above).
            case value
            /// After the value of `property`: "," or "}".
            case afterValue
            /// After ",": a key.
            case afterComma
        }
        var table: Int32
        var phase: Phase
        /// The property of the key or value; for `opened`, `key` and `afterComma`, the first
        /// property the next key may name.
        var property: Int32
        var keyNode: Int32
    }

    /// A free string after its opening quote.
    struct StringFrame: Hashable, Sendable {
        enum Phase: UInt8, Sendable {
            case body
            /// After a backslash.
            case escape
            /// After "\u", "\u0", "\u00": the escape's next hex digit.
            case hex0, hex1, hex2
            /// The last hex digit, after "\u000" (no short escape's character) or "\u001" (any).
            case hexAfter0, hexAfter1
        }
        var phase: Phase = .body
        /// Code points still needed before the closing quote may come.
        var needed: Int32
        /// Code points still allowed (Int32.max: no limit).
        var allowed: Int32
        /// Continuation bytes still owed by the current UTF-8 character, and the range the next
        /// one must fall in (narrower after E0, ED, F0 and F4, so only valid UTF-8 passes).
        var pending: UInt8 = 0
        var nextLow: UInt8 = 0x80
        var nextHigh: UInt8 = 0xBF
        /// For an any-object's key: its first byte must be above this one (0: not a key).
        var keyFloor: UInt8 = 0
        /// For an any-object's key: its first byte, once written.
        var firstByte: UInt8 = 0
    }

    struct ArrayFrame: Hashable, Sendable {
        enum Phase: UInt8, Sendable { case opened, item, afterItem, afterComma }
        var items: Int32
        var minItems: Int32
        /// Int32.max: no limit.
        var maxItems: Int32
        var phase: Phase
        /// Items written (the one being written not yet counted).
        var count: Int32
    }

    /// An object with free keys (`.any`'s objects, `.anyObject`).
    struct AnyObjectFrame: Hashable, Sendable {
        enum Phase: UInt8, Sendable { case opened, key, afterKey, value, afterValue, afterComma }
        /// Depth left for the values.
        var depth: Int32
        var phase: Phase
        /// The first byte of the last key (keys go in increasing first bytes).
        var lastKeyByte: UInt8
    }
}
