import Testing
@testable import RakisEngine

/// The matcher of canonical JSON text: what it accepts byte by byte, and its minimal completions.
@Suite struct JSONGrammarTests {
    /// Whether `text` is a whole value of `shape`.
    static func accepts(_ shape: JSONShape, _ text: String) -> Bool {
        let grammar = JSONGrammar(shape)
        return grammar.advance(grammar.start, Array(text.utf8)).map(grammar.isAccepting) ?? false
    }

    /// Whether `text` can still be continued into a value of `shape` (or is one).
    static func isPrefix(_ shape: JSONShape, _ bytes: [UInt8]) -> Bool {
        let grammar = JSONGrammar(shape)
        return grammar.advance(grammar.start, bytes) != nil
    }
    static func isPrefix(_ shape: JSONShape, _ text: String) -> Bool { isPrefix(shape, Array(text.utf8)) }

    static func check(_ shape: JSONShape, accepted: [String], prefixes: [String] = [], refused: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        for text in accepted { #expect(accepts(shape, text), "accepts \(text)", sourceLocation: sourceLocation) }
        for text in prefixes {
            #expect(isPrefix(shape, text) && !accepts(shape, text), "a prefix only: \(text)", sourceLocation: sourceLocation)
        }
        for text in refused { #expect(!isPrefix(shape, text), "refuses \(text)", sourceLocation: sourceLocation) }
    }

    @Test func integers() {
        Self.check(.integer(), accepted: ["0", "7", "-12", "9223372036854775807", "-9223372036854775808"], prefixes: ["-"],
                   refused: ["-0", "01", "1.0", "1e3", "+1", " 1", "9223372036854775808", "-9223372036854775809", "1 "])
        // A prefix is allowed only if some completion lies within the bounds.
        Self.check(.integer(min: 10, max: 20), accepted: ["10", "15", "20"], prefixes: ["1", "2"], refused: ["3", "5", "21", "0", "-", "100"])
        Self.check(.integer(min: -5, max: 5), accepted: ["-5", "0", "5", "-1"], prefixes: ["-"], refused: ["-6", "6", "-0", "-50", "10"])
        Self.check(.integer(min: 1000, max: 1000), accepted: ["1000"], prefixes: ["1", "10", "100"], refused: ["2", "11", "1001", "10000"])
    }

    @Test func numbers() {
        Self.check(.number(), accepted: ["0", "1.5", "-0.5", "123456789012345", "0.000001", "0.123456789012345", "100", "-3"],
                   prefixes: ["1.", "1.50", "-", "-0", "0.00000"],
                   refused: ["1e5", "01", "-01", "1.5.", "0.0000001", "1234567890123456", "0.1234567890123456", ".5", "+1"])
        Self.check(.number(min: 0.5, max: 1.5), accepted: ["0.5", "1", "1.5", "1.25", "0.999"], prefixes: ["0", "0.", "1."],
                   refused: ["0.4", "1.51", "2", "1.50", "-", "0.49"])
        Self.check(.number(min: -1, max: -0.5), accepted: ["-0.5", "-1", "-0.75"], prefixes: ["-", "-0", "-0."], refused: ["-0.4", "-1.1", "0", "-2"])
        // 100.5 exactly: every prefix on the way, nothing else.
        Self.check(.number(min: 100.5, max: 100.5), accepted: ["100.5"], prefixes: ["1", "10", "100", "100."], refused: ["101", "100.4", "100.51", "2"])
    }

    @Test func numberBoundsThatNoShortDecimalHits() {
        // 0.1 + 0.2 needs 17 digits: no 15-digit decimal parses to it.
        #expect(JSONShape.number(min: 0.1 + 0.2, max: 0.1 + 0.2).problem != nil)
        #expect(JSONShape.number(min: 0.3, max: 0.3).problem == nil)
        #expect(Self.accepts(.number(min: 0.3, max: 0.3), "0.3"))
    }

    @Test func stringsAreEscapedAsRFC8785Does() {
        Self.check(.string(), accepted: ["\"\"", "\"a\\\"b\"", "\"\\\\\"", "\"\\b\\f\\n\\r\\t\"", "\"\\u001f\"", "\"\\u0000\"", "\"\\u000b\"",
                                         "\"é😀\"", "\"/\"", "\"\u{7F}\""],
                   prefixes: ["\"", "\"\\", "\"\\u00", "\"\\u001"],
                   refused: ["\"\\/\"", "\"\\u0041\"", "\"\\u001F\"", "\"\\u000a\"", "\"\\u0008\"", "\"\n\"", "\"\t\"", "'a'", "\"\\x\"", "\"\\U0001\""])
        // Only valid UTF-8: no overlong forms, surrogates, stray continuation bytes or bytes above F4.
        for bad: [UInt8] in [[0x22, 0xC0, 0x80], [0x22, 0xED, 0xA0, 0x80], [0x22, 0x80], [0x22, 0xF5], [0x22, 0xE0, 0x80], [0x22, 0xF4, 0x90],
                             [0x22, 0xC3, 0x22]] {
            #expect(!Self.isPrefix(.string(), bad), "refuses \(bad)")
        }
        #expect(Self.isPrefix(.string(), [0x22, 0xF0, 0x9F, 0x98]), "a character cut in the middle is a prefix")
    }

    @Test func stringLengthsCountCodePoints() {
        Self.check(.string(maxLength: 3), accepted: ["\"aéb\"", "\"😀😀😀\"", "\"\\n\\t\\\"\"", "\"\""], refused: ["\"aébc", "\"\\n\\n\\n\\n"])
        Self.check(.string(minLength: 2, maxLength: 2), accepted: ["\"ab\"", "\"\\u0001é\""], prefixes: ["\"a"], refused: ["\"a\"", "\"abc"])
    }

    @Test func enumsWithSharedPrefixes() {
        let shape = JSONShape.string(enum: ["a", "ab", "abc", "b", "b\"c"])
        Self.check(shape, accepted: ["\"a\"", "\"ab\"", "\"abc\"", "\"b\"", "\"b\\\"c\""], prefixes: ["\"", "\"a", "\"ab", "\"b\\"],
                   refused: ["\"abd", "\"ac", "\"c", "\"abc \"", "\"abcd\"", "\"b\"c\""])
        Self.check(.boolean, accepted: ["true", "false"], prefixes: ["t", "fal"], refused: ["null", "True", "tru e", "1"])
    }

    @Test func objectsInKeyOrderWithOptionalProperties() {
        let shape = JSONShape.object(properties: [
            JSONProperty("b", .integer()), JSONProperty("a", .boolean, required: false), JSONProperty("c", .string(), required: false),
        ])
        Self.check(shape, accepted: ["{\"b\":1}", "{\"a\":true,\"b\":1}", "{\"b\":1,\"c\":\"x\"}", "{\"a\":false,\"b\":-2,\"c\":\"\"}"],
                   prefixes: ["{", "{\"a\":true", "{\"b\":1"],
                   refused: ["{}", "{\"b\":1,\"a\":true}", "{\"a\":true}", "{ \"b\":1}", "{\"b\": 1}", "{\"b\":1,}", "{\"d\":1}", "{\"b\":1,\"b\":2}"])
        Self.check(.object(properties: []), accepted: ["{}"], refused: ["{\"", "[]"])
        // RFC 8785 sorts by UTF-16 code units: U+1F600 (surrogates D83D DE00) before U+FF5E, unlike UTF-8's byte order.
        let keys = JSONShape.object(properties: [JSONProperty("～", .integer()), JSONProperty("😀", .integer()), JSONProperty("z", .integer())])
        Self.check(keys, accepted: ["{\"z\":1,\"😀\":2,\"～\":3}"], refused: ["{\"z\":1,\"～\":3"])
    }

    @Test func oneOfObjectsHoldExactlyOneProperty() {
        let shape = JSONShape.oneOf(properties: [
            JSONProperty("reply", .string(), required: false), JSONProperty("call", .object(properties: [JSONProperty("x", .integer())]), required: false),
        ])
        Self.check(shape, accepted: ["{\"reply\":\"hi\"}", "{\"call\":{\"x\":1}}"],
                   prefixes: ["{", "{\"re", "{\"call\":{\"x\":1}"],
                   refused: ["{}", "{\"call\":{\"x\":1},\"reply\":\"hi\"}", "{\"call\":{\"x\":1},", "{\"other\":1}"])
        #expect(JSONShape.oneOf(properties: []).problem != nil)
        #expect(JSONShape.oneOf(properties: [JSONProperty("a", .boolean)]).problem != nil, "a required property is no choice")
    }

    @Test func arrays() {
        Self.check(.array(items: .integer()), accepted: ["[]", "[1]", "[1,-2,3]"], prefixes: ["[", "[1,"], refused: ["[,", "[1,]", "[1 ]", "[01]"])
        Self.check(.array(items: .boolean, minItems: 1, maxItems: 2), accepted: ["[true]", "[true,false]"], prefixes: ["["],
                   refused: ["[]", "[true,false,"])
        Self.check(.array(items: .string(), maxItems: 0), accepted: ["[]"], refused: ["[\""])
        let nested = JSONShape.array(items: .object(properties: [JSONProperty("n", .number(min: 0, max: 1))]))
        Self.check(nested, accepted: ["[{\"n\":0.5},{\"n\":1}]", "[]"], refused: ["[{\"n\":2}", "[{}"])
    }

    @Test func anyValues() {
        Self.check(.any(depth: 2), accepted: ["{\"a\":[1,\"x\",null]}", "true", "null", "-1.5", "\"s\"", "[]", "{}", "{\"a\":1,\"b\":{}}"],
                   refused: ["{\"b\":1,\"a\":2}", "{\"a\":1,\"a\":2}", "{\"ab\":1,\"ac\":2}", "[[[]]]", "{\"\":1}", "{\"é\":1}", "1e2", "nul "])
        Self.check(.any(depth: 0), accepted: ["1", "\"x\"", "false"], refused: ["[", "{"])
        Self.check(.anyObject(depth: 2), accepted: ["{}", "{\"x\":{\"y\":1}}", "{\" \":0,\"~\":1}"], refused: ["[]", "1", "{\"x\":{\"y\":{}}}", "{\"~\":0,"])
    }

    @Test func shapeProblemsAreNamed() {
        #expect(JSONShape.integer(min: 5, max: 4).problem != nil)
        #expect(JSONShape.string(minLength: 3, maxLength: 2).problem != nil)
        #expect(JSONShape.string(enum: []).problem != nil)
        #expect(JSONShape.object(properties: [JSONProperty("a", .boolean), JSONProperty("a", .boolean)]).problem != nil)
        #expect(JSONShape.array(items: .boolean, minItems: 2, maxItems: 1).problem != nil)
        #expect(JSONShape.any(depth: 17).problem != nil)
        #expect(JSONShape.number(min: .nan).problem != nil)
        #expect(JSONShape.object(properties: (0..<65).map { JSONProperty("k\($0)", .boolean) }).problem != nil)
    }

    @Test func minimalCompletions() {
        func minimal(_ shape: JSONShape, after text: String) -> Int {
            let grammar = JSONGrammar(shape)
            return grammar.minimalCompletion(grammar.advance(grammar.start, Array(text.utf8))!)
        }
        let object = JSONShape.object(properties: [JSONProperty("b", .integer()), JSONProperty("a", .boolean, required: false)])
        #expect(minimal(object, after: "") == 7)  // {"b":0}
        #expect(minimal(object, after: "{\"a\":") == 11)  // true,"b":0}
        #expect(minimal(object, after: "{\"b\":") == 2)
        #expect(minimal(object, after: "{\"b\":12") == 1)
        #expect(minimal(.number(min: 100.5, max: 100.5), after: "") == 5)
        #expect(minimal(.number(min: 100.5, max: 100.5), after: "100") == 2)
        #expect(minimal(.number(min: 0.25, max: 0.5), after: "") == 3)  // 0.3
        #expect(minimal(.integer(min: 1000, max: 5000), after: "") == 4)
        #expect(minimal(.integer(min: -5000, max: -1000), after: "") == 5)
        #expect(minimal(.string(enum: ["abc", "abd", "x"]), after: "\"a") == 3)
        #expect(minimal(.array(items: .boolean, minItems: 2), after: "[") == 10)  // true,true]
        #expect(minimal(.string(minLength: 3), after: "") == 5)
        #expect(minimal(.string(minLength: 3), after: "\"\\u0") == 3 + 2 + 1)
        #expect(minimal(.any(depth: 3), after: "{\"a\":[") == 2)
        #expect(minimal(.array(items: .integer()), after: "") == 2)
        let choice = JSONShape.oneOf(properties: [JSONProperty("reply", .string(), required: false), JSONProperty("b", .boolean, required: false)])
        #expect(minimal(choice, after: "") == 10)  // {"b":true}
        #expect(minimal(choice, after: "{") == 9)
        #expect(minimal(choice, after: "{\"r") == 9)  // eply":""}
        #expect(minimal(choice, after: "{\"b\":false") == 1)
    }

    /// Every state a random walk meets: its minimal completion is the breadth-first distance to
    /// acceptance, and completing greedily by it lowers it by one a byte.
    @Test(arguments: Self.walkShapes.indices)
    func randomWalksStayCompletable(_ index: Int) throws {
        let shape = Self.walkShapes[index]
        let grammar = JSONGrammar(shape)
        let random = CounterRandom(seed: UInt64(index))
        var draw: UInt64 = 0
        for walk in 0..<40 {
            var state = grammar.start
            var text: [UInt8] = []
            let wanderSteps = Int(random.bits(draw) % 40)
            draw += 1
            while !grammar.isAccepting(state) {
                let options = Self.alphabet.compactMap { byte in grammar.advance(state, byte).map { (byte, $0) } }
                try #require(!options.isEmpty, "a dead state after \(String(decoding: text, as: UTF8.self))")
                let minimal = grammar.minimalCompletion(state)
                if text.count < wanderSteps {
                    let (byte, next) = options[Int(random.bits(draw) % UInt64(options.count))]
                    draw += 1
                    (text, state) = (text + [byte], next)
                } else {
                    let (byte, next) = options.min { grammar.minimalCompletion($0.1) < grammar.minimalCompletion($1.1) }!
                    #expect(grammar.minimalCompletion(next) == minimal - 1, "greedy completion after \(String(decoding: text, as: UTF8.self))")
                    (text, state) = (text + [byte], next)
                }
                try #require(text.count < 400)
            }
            let value = try ParsedJSON.parse(text)
            #expect(value.conforms(to: shape), "\(String(decoding: text, as: UTF8.self)) conforms")
            #expect(value.canonical == String(decoding: text, as: UTF8.self), "walk \(walk) is canonical")
        }
    }

    /// Breadth-first search over the matcher's own states agrees with `minimalCompletion` on
    /// every prefix of some accepted texts.
    @Test func minimalCompletionIsTheShortestPath() {
        let cases: [(JSONShape, String)] = [
            (.object(properties: [JSONProperty("b", .integer(min: 100, max: 200)), JSONProperty("a", .string(enum: ["xy", "xyz"]), required: false)]),
             "{\"a\":\"xyz\",\"b\":150}"),
            (.array(items: .number(min: -2.5, max: 7.25), minItems: 2, maxItems: 3), "[-2.5,7.2,0]"),
            (.anyObject(depth: 2), "{\"k\":[true,null],\"l\":\"\\n\"}"),
            (.string(minLength: 2, maxLength: 4), "\"a\\u0001é\""),
        ]
        for (shape, text) in cases {
            let grammar = JSONGrammar(shape)
            var state = grammar.start
            for byte in Array(text.utf8) + [nil] {
                #expect(grammar.minimalCompletion(state) == Self.breadthFirstDistance(grammar, from: state), "\(text) at \(grammar.minimalCompletion(state))")
                guard let byte else { break }
                state = grammar.advance(state, byte)!
            }
        }
    }

    static func breadthFirstDistance(_ grammar: JSONGrammar, from start: JSONGrammarState) -> Int {
        var frontier = [start]
        var seen: Set<JSONGrammarState> = [start]
        for distance in 0..<64 {
            if frontier.contains(where: grammar.isAccepting) { return distance }
            frontier = frontier.flatMap { state in alphabet.compactMap { grammar.advance(state, $0) } }.filter { seen.insert($0).inserted }
        }
        return -1
    }

    /// Printable ASCII, a newline, and the bytes of "é" and "😀" (with a few that are never valid).
    static let alphabet: [UInt8] = Array(0x20...0x7E) + [0x0A, 0xC3, 0xA9, 0xF0, 0x9F, 0x98, 0x80, 0xFF, 0xC0]

    static let walkShapes: [JSONShape] = [
        .object(properties: [
            JSONProperty("name", .string(maxLength: 12)), JSONProperty("age", .integer(min: 0, max: 130)),
            JSONProperty("tags", .array(items: .string(enum: ["a", "ab", "b"]), maxItems: 3), required: false),
            JSONProperty("score", .number(min: -1, max: 1), required: false), JSONProperty("ok", .boolean),
        ]),
        .array(items: .object(properties: [JSONProperty("x", .number()), JSONProperty("y", .integer(min: -3, max: 3), required: false)]), minItems: 1, maxItems: 4),
        .any(depth: 3),
        .anyObject(depth: 2),
        .string(minLength: 3, maxLength: 8),
        .number(min: 0.001, max: 0.002),
        .integer(min: -150, max: -20),
        .oneOf(properties: [
            JSONProperty("call", .oneOf(properties: [JSONProperty("ping", .object(properties: []), required: false),
                                                     JSONProperty("add", .object(properties: [JSONProperty("x", .integer())]), required: false)]),
                         required: false),
            JSONProperty("reply", .string(maxLength: 6), required: false),
        ]),
    ]
}
