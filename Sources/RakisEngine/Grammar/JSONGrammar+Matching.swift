/// The matcher: which bytes may come next, byte by byte, so that the text stays a prefix of the
/// canonical JSON of some value of the shape.
extension JSONGrammar {
    typealias Frame = JSONGrammarState.Frame

    /// Nothing written yet.
    public var start: JSONGrammarState { JSONGrammarState(top: .value(node: root), parents: [], parentsRemainder: 0) }

    /// The state after `byte`, or nil if no value of the shape continues that way.
    @inline(__always)
    public func advance(_ state: JSONGrammarState, _ byte: UInt8) -> JSONGrammarState? {
        var state = state
        return step(&state, byte) ? state : nil
    }

    /// The state after `bytes`, or nil.
    public func advance(_ state: JSONGrammarState, _ bytes: some Sequence<UInt8>) -> JSONGrammarState? {
        var state = state
        for byte in bytes where !step(&state, byte) { return nil }
        return state
    }

    /// Whether the text so far is a whole value of the shape.
    public func isAccepting(_ state: JSONGrammarState) -> Bool {
        switch state.top {
        case .done: true
        case let .number(node, progress): state.parents.isEmpty && progress.isComplete(bounds(node))
        default: false
        }
    }

    /// The fewest bytes that complete the text into a value of the shape.
    public func minimalCompletion(_ state: JSONGrammarState) -> Int {
        min(completionWithoutClamp(state), Self.unreachable)
    }

    /// The minimal completion as a sum, which may be negative for a canonical state (whose
    /// parents' remainder starts at 0): differences between two states stay exact.
    func completionWithoutClamp(_ state: JSONGrammarState) -> Int { remaining(state.top) + state.parentsRemainder }

    // MARK: - One byte

    /// Feeds `byte` to `state` in place; false if refused (the state is then meaningless).
    func step(_ state: inout JSONGrammarState, _ byte: UInt8) -> Bool {
        // A number ends at the first byte that cannot continue it; that byte then goes to the
        // value around it, hence the loop (at most once per enclosing frame).
        while true {
            switch state.top {
            case .done:
                return false
            case let .value(node):
                return open(node, byte, &state)
            case var .object(frame):
                return objectStep(&frame, byte, &state)
            case var .string(frame):
                guard let completed = stringStep(&frame, byte) else { return false }
                if completed { finishTop(&state) } else { state.top = .string(frame) }
                return true
            case let .literal(trie, trieNode):
                guard let next = tries[Int(trie)].child(trieNode, byte) else { return false }
                if tries[Int(trie)].terminal[Int(next)] >= 0 { finishTop(&state) } else { state.top = .literal(trie: trie, trieNode: next) }
                return true
            case let .number(node, progress):
                let bounds = bounds(node)
                if let next = progress.advanced(byte, bounds: bounds) {
                    state.top = .number(node: node, next)
                    return true
                }
                guard progress.isComplete(bounds) else { return false }
                finishTop(&state)
            case var .array(frame):
                switch frame.phase {
                case .opened where byte == UInt8(ascii: "]") && frame.minItems == 0:
                    finishTop(&state)
                    return true
                case .opened where frame.maxItems > 0, .afterComma:
                    frame.phase = .item
                    push(.value(node: frame.items), over: .array(frame), &state)
                case .afterItem where byte == UInt8(ascii: ",") && frame.count < frame.maxItems:
                    frame.phase = .afterComma
                    state.top = .array(frame)
                    return true
                case .afterItem where byte == UInt8(ascii: "]") && frame.count >= frame.minItems:
                    finishTop(&state)
                    return true
                default:
                    return false
                }
            case var .anyObject(frame):
                return anyObjectStep(&frame, byte, &state)
            }
        }
    }

    /// The first byte of a value of `node`.
    private func open(_ node: Int32, _ byte: UInt8, _ state: inout JSONGrammarState) -> Bool {
        switch nodes[Int(node)] {
        case let .object(table):
            guard byte == UInt8(ascii: "{") else { return false }
            state.top = .object(.init(table: table, phase: .opened, property: 0, keyNode: 0))
        case let .string(minLength, maxLength):
            guard byte == UInt8(ascii: "\"") else { return false }
            state.top = .string(.init(needed: minLength, allowed: maxLength))
        case let .literal(trie):
            // A literal has at least two bytes, so its first never ends it.
            guard let next = tries[Int(trie)].child(LiteralTrie.root, byte) else { return false }
            state.top = .literal(trie: trie, trieNode: next)
        case let .number(bounds):
            guard let progress = NumberProgress().advanced(byte, bounds: bounds) else { return false }
            state.top = .number(node: node, progress)
        case let .array(items, minItems, maxItems):
            guard byte == UInt8(ascii: "[") else { return false }
            state.top = .array(.init(items: items, minItems: minItems, maxItems: maxItems, phase: .opened, count: 0))
        case let .anyObject(depth):
            guard byte == UInt8(ascii: "{") else { return false }
            state.top = .anyObject(.init(depth: depth, phase: .opened, lastKeyByte: Self.firstKeyFloor))
        case let .any(depth):
            switch byte {
            case UInt8(ascii: "{") where depth > 0:
                state.top = .anyObject(.init(depth: depth, phase: .opened, lastKeyByte: Self.firstKeyFloor))
            case UInt8(ascii: "[") where depth > 0:
                state.top = .array(.init(items: anyNodes[Int(depth) - 1], minItems: 0, maxItems: .max, phase: .opened, count: 0))
            case UInt8(ascii: "\""):
                state.top = .string(.init(needed: 0, allowed: .max))
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return open(anyNumber, byte, &state)
            default:
                guard let next = tries[Int(keywordTrie)].child(LiteralTrie.root, byte) else { return false }
                state.top = .literal(trie: keywordTrie, trieNode: next)
            }
        }
        return true
    }

    private func objectStep(_ frame: inout JSONGrammarState.ObjectFrame, _ byte: UInt8, _ state: inout JSONGrammarState) -> Bool {
        let table = Int(frame.table)
        let count = objects[table].valueNodes.count
        switch frame.phase {
        case .opened where byte == UInt8(ascii: "}"):
            guard !objects[table].choosesOne, objects[table].firstRequiredFrom[Int(frame.property)] == count else { return false }
            finishTop(&state)
            return true
        case .opened, .afterComma:
            guard count > 0, let next = keyStep(table, LiteralTrie.root, byte, from: Int(frame.property)) else { return false }
            frame.phase = .key
            frame.keyNode = next
        case .key:
            guard let next = keyStep(table, frame.keyNode, byte, from: Int(frame.property)) else { return false }
            let trie = tries[Int(objects[table].keyTrie)]
            if trie.terminal[Int(next)] >= 0 {
                frame.phase = .afterKey
                frame.property = trie.terminal[Int(next)]
            } else {
                frame.keyNode = next
            }
        case .afterKey:
            guard byte == UInt8(ascii: ":") else { return false }
            frame.phase = .value
            push(.value(node: objects[table].valueNodes[Int(frame.property)]), over: .object(frame), &state)
            return true
        case .afterValue where byte == UInt8(ascii: ","):
            guard !objects[table].choosesOne, objects[table].candidates(from: Int(frame.property) + 1) != 0 else { return false }
            frame.phase = .afterComma
            frame.property += 1
        case .afterValue where byte == UInt8(ascii: "}"):
            guard objects[table].firstRequiredFrom[Int(frame.property) + 1] == count else { return false }
            finishTop(&state)
            return true
        case .afterValue, .value:
            return false
        }
        state.top = .object(frame)
        return true
    }

    /// The key trie's node after `byte`, if it still leads to a property the key may name.
    private func keyStep(_ table: Int, _ keyNode: Int32, _ byte: UInt8, from property: Int) -> Int32? {
        let trie = tries[Int(objects[table].keyTrie)]
        guard let next = trie.child(keyNode, byte), trie.valuesBelow[Int(next)] & objects[table].candidates(from: property) != 0 else { return nil }
        return next
    }

    /// One byte of a free string: nil if refused, true if it was the closing quote.
    @inline(__always)
    func stringStep(_ frame: inout JSONGrammarState.StringFrame, _ byte: UInt8) -> Bool? {
        switch frame.phase {
        case .body:
            if frame.pending > 0 {
                guard byte >= frame.nextLow, byte <= frame.nextHigh else { return nil }
                frame.pending -= 1
                frame.nextLow = 0x80
                frame.nextHigh = 0xBF
                return false
            }
            switch byte {
            case UInt8(ascii: "\""):
                return frame.needed == 0 ? true : nil
            case 0..<0x20:
                return nil
            case UInt8(ascii: "\\"):
                guard frame.keyFloor == 0 || frame.firstByte != 0, frame.allowed > 0 else { return nil }
                frame.phase = .escape
            case 0x20..<0x80:
                if frame.keyFloor != 0 && frame.firstByte == 0 {
                    guard byte > frame.keyFloor, byte < 0x7F, byte != UInt8(ascii: "\"") else { return nil }
                    frame.firstByte = byte
                }
            case 0xC2...0xDF:
                frame.pending = 1
            case 0xE0...0xEF:
                frame.pending = 2
                if byte == 0xE0 { frame.nextLow = 0xA0 }  // no overlong forms
                if byte == 0xED { frame.nextHigh = 0x9F }  // no surrogates
            case 0xF0...0xF4:
                frame.pending = 3
                if byte == 0xF0 { frame.nextLow = 0x90 }  // no overlong forms
                if byte == 0xF4 { frame.nextHigh = 0x8F }  // nothing above U+10FFFF
            default:
                return nil  // continuation bytes out of place, C0, C1, F5...FF
            }
            // The byte starts a code point (a character or an escape).
            guard frame.allowed > 0, frame.keyFloor == 0 || frame.firstByte != 0 else { return nil }
            if frame.allowed != .max { frame.allowed -= 1 }
            if frame.needed > 0 { frame.needed -= 1 }
            return false
        case .escape:
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                frame.phase = .body
            case UInt8(ascii: "u"):
                frame.phase = .hex0
            default:
                return nil
            }
        case .hex0, .hex1:
            guard byte == UInt8(ascii: "0") else { return nil }
            frame.phase = frame.phase == .hex0 ? .hex1 : .hex2
        case .hex2:
            switch byte {
            case UInt8(ascii: "0"): frame.phase = .hexAfter0
            case UInt8(ascii: "1"): frame.phase = .hexAfter1
            default: return nil
            }
        case .hexAfter0:
            // U+0000...U+000F but the five with a short escape (8, 9, a, c, d), in lowercase hex.
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "7"), UInt8(ascii: "b"), UInt8(ascii: "e"), UInt8(ascii: "f"): frame.phase = .body
            default: return nil
            }
        case .hexAfter1:
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"): frame.phase = .body
            default: return nil
            }
        }
        return false
    }

    private func anyObjectStep(_ frame: inout JSONGrammarState.AnyObjectFrame, _ byte: UInt8, _ state: inout JSONGrammarState) -> Bool {
        switch frame.phase {
        case .opened where byte == UInt8(ascii: "}"), .afterValue where byte == UInt8(ascii: "}"):
            finishTop(&state)
            return true
        case .opened where byte == UInt8(ascii: "\""), .afterComma where byte == UInt8(ascii: "\""):
            frame.phase = .key
            // The key's opening quote is this byte, so its frame starts inside the string.
            push(.string(.init(needed: 1, allowed: .max, keyFloor: frame.lastKeyByte)), over: .anyObject(frame), &state)
            return true
        case .afterKey where byte == UInt8(ascii: ":"):
            frame.phase = .value
            push(.value(node: anyNodes[Int(frame.depth) - 1]), over: .anyObject(frame), &state)
            return true
        case .afterValue where byte == UInt8(ascii: ",") && frame.lastKeyByte < Self.lastKeyByte:
            frame.phase = .afterComma
            state.top = .anyObject(frame)
            return true
        default:
            return false
        }
    }

    /// Free keys start with printable ASCII, above the previous key's first byte.
    static let firstKeyFloor: UInt8 = 0x1F
    static let lastKeyByte: UInt8 = 0x7E

    // MARK: - Opening and closing values

    private func push(_ child: Frame, over parent: Frame, _ state: inout JSONGrammarState) {
        state.parents.append(parent)
        state.parentsRemainder += remainder(after: parent)
        state.top = child
    }

    /// The top value is complete: back to the frame around it.
    private func finishTop(_ state: inout JSONGrammarState) {
        guard let parent = state.parents.popLast() else {
            state.top = .done
            return
        }
        state.parentsRemainder -= remainder(after: parent)
        switch parent {
        case var .object(frame):
            frame.phase = .afterValue
            state.top = .object(frame)
        case var .array(frame):
            frame.phase = .afterItem
            frame.count += 1
            state.top = .array(frame)
        case var .anyObject(frame):
            if frame.phase == .key, case let .string(key) = state.top {
                frame.phase = .afterKey
                frame.lastKeyByte = key.firstByte
            } else {
                frame.phase = .afterValue
            }
            state.top = .anyObject(frame)
        case .value, .string, .literal, .number, .done:
            preconditionFailure("only containers hold values")
        }
    }

    // MARK: - Minimal completions

    /// The fewest bytes a parent needs after the value it holds is complete.
    private func remainder(after parent: Frame) -> Int {
        switch parent {
        case let .object(frame):
            return objects[Int(frame.table)].finishFrom[Int(frame.property) + 1]
        case let .array(frame):
            return itemsThenClose(frame, written: Int(frame.count) + 1)
        case let .anyObject(frame):
            return frame.phase == .key ? 3 : 1  // ":0}" or "}"
        case .value, .string, .literal, .number, .done:
            preconditionFailure("only containers hold values")
        }
    }

    /// The fewest bytes for the items an array still needs after `written` ones, and "]".
    private func itemsThenClose(_ frame: JSONGrammarState.ArrayFrame, written: Int) -> Int {
        let missing = max(0, Int(frame.minItems) - written)
        return min(missing * (minimalLength[Int(frame.items)] + 1), Self.unreachable) + 1
    }

    /// The fewest bytes that complete the top value.
    private func remaining(_ top: Frame) -> Int {
        switch top {
        case .done:
            return 0
        case let .value(node):
            return minimalLength[Int(node)]
        case let .object(frame):
            let table = objects[Int(frame.table)]
            let property = Int(frame.property)
            // The fewest bytes from writing the key of property i (already `typed` bytes of it).
            func throughKey(_ i: Int, typed: Int) -> Int {
                table.keyLengths[i] - typed + 1 + minimalLength[Int(table.valueNodes[i])] + table.finishFrom[i + 1]
            }
            func bestKey(_ allowed: UInt64, typed: Int) -> Int {
                (0..<table.valueNodes.count).filter { allowed & (1 << UInt64($0)) != 0 }.map { throughKey($0, typed: typed) }.min()!
            }
            switch frame.phase {
            case .opened where table.choosesOne:
                return bestKey(table.candidates(from: property), typed: 0)
            case .opened:
                return table.firstRequiredFrom[property] < table.valueNodes.count ? table.finishFrom[property] - 1 : 1
            case .afterComma:
                return bestKey(table.candidates(from: property), typed: 0)
            case .key:
                let trie = tries[Int(table.keyTrie)]
                return bestKey(table.candidates(from: property) & trie.valuesBelow[Int(frame.keyNode)], typed: Int(trie.depth[Int(frame.keyNode)]))
            case .afterKey:
                return throughKey(property, typed: table.keyLengths[property])
            case .value, .afterValue:
                return table.finishFrom[property + 1]
            }
        case let .string(frame):
            return stringRemaining(frame)
        case let .literal(trie, trieNode):
            return Int(tries[Int(trie)].depthToTerminal[Int(trieNode)])
        case let .number(node, progress):
            return progress.minimalCompletion(bounds(node)) ?? Self.unreachable
        case let .array(frame):
            switch frame.phase {
            case .opened: return frame.minItems == 0 ? 1 : itemsThenClose(frame, written: 0) - 1
            case .afterItem, .item: return itemsThenClose(frame, written: Int(frame.count))
            case .afterComma: return minimalLength[Int(frame.items)] + itemsThenClose(frame, written: Int(frame.count) + 1)
            }
        case let .anyObject(frame):
            switch frame.phase {
            case .opened, .afterValue, .value: return 1
            case .afterKey, .key: return 3
            case .afterComma: return 6  // "\"k\":0}"
            }
        }
    }

    /// The fewest bytes that close a free string: what the current character or escape still
    /// owes, the code points still needed, the quote.
    @inline(__always)
    func stringRemaining(_ frame: JSONGrammarState.StringFrame) -> Int {
        let owed: Int
        switch frame.phase {
        case .body: owed = Int(frame.pending)
        case .escape, .hexAfter0, .hexAfter1: owed = 1
        case .hex0: owed = 4
        case .hex1: owed = 3
        case .hex2: owed = 2
        }
        return owed + Int(frame.needed) + 1
    }

    private func bounds(_ node: Int32) -> NumberBounds {
        guard case let .number(bounds) = nodes[Int(node)] else { preconditionFailure("a number frame names a number node") }
        return bounds
    }

    // MARK: - Cache keys

    /// A state that admits exactly the same tokens, for keying mask caches: a string's budgets
    /// clamped to what one token can tell apart (the code points still allowed to the longest
    /// token's, those still needed to the most any token has before a quote, plus one), array
    /// counts past the minimum of an unbounded array clamped, and the parents' remainder (which
    /// decides no byte) zeroed. Differences of minimal completions through a token stay as they
    /// are, or grow (a clamped `needed` lowers less), so budget checks on them stay safe.
    func canonical(_ state: JSONGrammarState, trie: TokenTrie) -> JSONGrammarState {
        func clamp(_ frame: Frame) -> Frame {
            switch frame {
            case var .string(string):
                string.needed = min(string.needed, trie.longestTokenCodePointsBeforeQuote + 1)
                string.allowed = min(string.allowed, trie.longestTokenCodePoints)
                return .string(string)
            case var .array(array) where array.maxItems == .max:
                array.count = min(array.count, array.minItems)
                return .array(array)
            default:
                return frame
            }
        }
        return JSONGrammarState(top: clamp(state.top), parents: state.parents.map(clamp), parentsRemainder: 0)
    }
}
