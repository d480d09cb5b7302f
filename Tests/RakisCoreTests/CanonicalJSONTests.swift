import Testing
@testable import RakisCore

// MARK: - Helpers

private func parse(_ text: String, maxDepth: Int = 32) throws -> JSONValue {
    try JSONParser.parse(Array(text.utf8), maxDepth: maxDepth)
}

/// The error the parser reports for `bytes`, or nil if it unexpectedly parses.
private func parseFailure(_ bytes: [UInt8], maxDepth: Int = 32) -> JSONParseError? {
    do {
        _ = try JSONParser.parse(bytes, maxDepth: maxDepth)
        return nil
    } catch {
        return error
    }
}

/// SplitMix64: a tiny, well-distributed, seedable generator so the property
/// tests are reproducible.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random JSON values biased towards the awkward cases: control characters,
/// escapes, non-BMP scalars, characters near the surrogate range, and numbers
/// across the whole double range.
private struct RandomJSON {
    var rng: SplitMix64

    /// Scalars chosen to exercise escaping and UTF-16 ordering.
    static let interestingScalars: [Unicode.Scalar] = [
        "\u{0}", "\u{1}", "\u{8}", "\u{9}", "\u{A}", "\u{C}", "\u{D}", "\u{1F}", "\u{7F}",
        "\"", "\\", "/", "a", "Z", "0", " ",
        "\u{80}", "\u{E9}", "\u{301}", "\u{20AC}", "\u{2028}", "\u{2029}",
        "\u{D7FF}", "\u{E000}", "\u{FB01}", "\u{FFFD}", "\u{FFFF}",
        "\u{10000}", "\u{1F600}", "\u{10FFFF}",
    ]

    mutating func value(depth: Int) -> JSONValue {
        let choice = depth >= 4 ? rng.next() % 4 : rng.next() % 6
        switch choice {
        case 0: return .null
        case 1: return .bool(rng.next() & 1 == 0)
        case 2: return .number(number())
        case 3: return .string(string())
        case 4: return .array((0..<rng.next() % 5).map { _ in value(depth: depth + 1) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<rng.next() % 6 {
                members[string()] = value(depth: depth + 1)
            }
            return .object(members)
        }
    }

    mutating func number() -> Double {
        switch rng.next() % 4 {
        case 0:
            // Any finite bit pattern, including subnormals and -0.
            while true {
                let candidate = Double(bitPattern: rng.next())
                if candidate.isFinite { return candidate }
            }
        case 1:
            return Double(Int64(bitPattern: rng.next()) >> (rng.next() % 64))
        case 2:
            return Double(Int64(rng.next() % 2_000_001) - 1_000_000) / 1000
        default:
            return Double(sign: rng.next() & 1 == 0 ? .plus : .minus,
                          exponent: Int(rng.next() % 120) - 60,
                          significand: 1 + Double(rng.next() % 1024) / 1024)
        }
    }

    mutating func string() -> String {
        var scalars = String.UnicodeScalarView()
        for _ in 0..<rng.next() % 8 {
            if rng.next() % 3 == 0 {
                let pick = Int(rng.next() % UInt64(Self.interestingScalars.count))
                scalars.append(Self.interestingScalars[pick])
            } else if let scalar = Unicode.Scalar(UInt32(rng.next() % 0x11_0000)) {
                scalars.append(scalar)
            }
        }
        return String(scalars)
    }
}

// MARK: - ECMAScript number formatting

struct ECMAScriptNumberTests {
    /// RFC 8785 Appendix B: IEEE 754 bit patterns and their canonical text.
    @Test(arguments: [
        (0x0000_0000_0000_0000, "0"),
        (0x8000_0000_0000_0000, "0"),
        (0x0000_0000_0000_0001, "5e-324"),
        (0x8000_0000_0000_0001, "-5e-324"),
        (0x7FEF_FFFF_FFFF_FFFF, "1.7976931348623157e+308"),
        (0xFFEF_FFFF_FFFF_FFFF, "-1.7976931348623157e+308"),
        (0x4340_0000_0000_0000, "9007199254740992"),
        (0xC340_0000_0000_0000, "-9007199254740992"),
        (0x4430_0000_0000_0000, "295147905179352830000"),
        (0x44B5_2D02_C7E1_4AF5, "9.999999999999997e+22"),
        (0x44B5_2D02_C7E1_4AF6, "1e+23"),
        (0x44B5_2D02_C7E1_4AF7, "1.0000000000000001e+23"),
        (0x444B_1AE4_D6E2_EF4E, "999999999999999700000"),
        (0x444B_1AE4_D6E2_EF4F, "999999999999999900000"),
        (0x444B_1AE4_D6E2_EF50, "1e+21"),
        (0x3EB0_C6F7_A0B5_ED8C, "9.999999999999997e-7"),
        (0x3EB0_C6F7_A0B5_ED8D, "0.000001"),
        (0x41B3_DE43_5555_5553, "333333333.3333332"),
        (0x41B3_DE43_5555_5554, "333333333.33333325"),
        (0x41B3_DE43_5555_5555, "333333333.3333333"),
        (0x41B3_DE43_5555_5556, "333333333.3333334"),
        (0x41B3_DE43_5555_5557, "333333333.33333343"),
        (0xBECB_F647_612F_3696, "-0.0000033333333333333333"),
        (0x4314_3FF3_C1CB_0959, "1424953923781206.2"),
    ] as [(UInt64, String)])
    func rfc8785AppendixB(bits: UInt64, expected: String) {
        #expect(ECMAScriptNumber.format(Double(bitPattern: bits)) == expected)
    }

    @Test(arguments: [
        (0, "0"),
        (-0.0, "0"),
        (1, "1"),
        (-1, "-1"),
        (4.50, "4.5"),
        (2e-3, "0.002"),
        (0.000001000, "0.000001"),
        (1e-7, "1e-7"),
        (-1e-7, "-1e-7"),
        (1.5e-7, "1.5e-7"),
        (1e20, "100000000000000000000"),
        (1e21, "1e+21"),
        (-2.5e30, "-2.5e+30"),
        (1e30, "1e+30"),
        (1e-27, "1e-27"),
        (123e-20, "1.23e-18"),
        (123456789012345680000.0, "123456789012345680000"),
        (9007199254740992, "9007199254740992"),
        (333333333.33333329, "333333333.3333333"),
        (0.1 + 0.2, "0.30000000000000004"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (Double.leastNonzeroMagnitude, "5e-324"),
        (100, "100"),
        (1234.5678, "1234.5678"),
        (0.5, "0.5"),
    ] as [(Double, String)])
    func ecmaScriptRules(value: Double, expected: String) {
        #expect(ECMAScriptNumber.format(value) == expected)
    }

    @Test func formattedNumbersParseBackExactly() throws {
        var random = RandomJSON(rng: SplitMix64(state: 42))
        for _ in 0..<20_000 {
            let value = random.number()
            let text = ECMAScriptNumber.format(value)
            guard case .number(let parsed) = try parse(text) else {
                Issue.record("\(text) did not parse as a number")
                return
            }
            // -0 canonicalizes to "0", so only the magnitude bits must survive.
            #expect(parsed.bitPattern == (value == 0 ? 0 : value.bitPattern), "\(text)")
        }
    }
}

// MARK: - Canonical serialization

struct CanonicalJSONTests {
    /// RFC 8785 section 3.2.2: whitespace removal, number and string
    /// normalization.
    @Test func rfc8785Example() throws {
        let input = #"""
        {
          "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
          "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
          "literals": [null, true, false]
        }
        """#
        let expected = #"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        #expect(try parse(input).canonicalString == expected)
    }

    /// RFC 8785 section 3.2.3: property sorting by UTF-16 code units.
    @Test func rfc8785SortingExample() throws {
        let input = #"""
        {
          "\u20ac": "Euro Sign",
          "\r": "Carriage Return",
          "\ufb33": "Hebrew Letter Dalet With Dagesh",
          "1": "One",
          "\ud83d\ude00": "Emoji: Grinning Face",
          "\u0080": "Control",
          "\u00f6": "Latin Small Letter O With Diaeresis"
        }
        """#
        let expected = "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\","
            + "\"ö\":\"Latin Small Letter O With Diaeresis\",\"€\":\"Euro Sign\","
            + "\"😀\":\"Emoji: Grinning Face\",\"\u{FB33}\":\"Hebrew Letter Dalet With Dagesh\"}"
        #expect(try parse(input).canonicalString == expected)
    }

    @Test func keysSortByUTF16NotByScalar() {
        // U+FB01 precedes U+1F600 as scalars, but U+1F600 is encoded with the
        // surrogate 0xD83D, which precedes 0xFB01 in UTF-16.
        #expect("\u{FB01}" < "\u{1F600}")
        let value: JSONValue = ["\u{FB01}": 1, "\u{1F600}": 2, "\u{20AC}": 3, "a": 4]
        #expect(value.canonicalString == "{\"a\":4,\"€\":3,\"😀\":2,\"\u{FB01}\":1}")
    }

    @Test func keyOrderMatchesReferenceUTF16Sort() {
        var random = RandomJSON(rng: SplitMix64(state: 7))
        for _ in 0..<500 {
            let keys = Set((0..<8).map { _ in random.string() })
            let object = JSONValue.object(Dictionary(uniqueKeysWithValues: keys.map { ($0, JSONValue.null) }))
            let reference = keys.sorted { Array($0.utf16).lexicographicallyPrecedes(Array($1.utf16)) }
            let expected = "{" + reference.map { JSONValue.string($0).canonicalString + ":null" }.joined(separator: ",") + "}"
            #expect(object.canonicalString == expected)
        }
    }

    @Test func controlCharactersUseShortOrLowercaseHexEscapes() {
        let expected = [
            "\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u0004", "\\u0005", "\\u0006", "\\u0007",
            "\\b", "\\t", "\\n", "\\u000b", "\\f", "\\r", "\\u000e", "\\u000f",
            "\\u0010", "\\u0011", "\\u0012", "\\u0013", "\\u0014", "\\u0015", "\\u0016", "\\u0017",
            "\\u0018", "\\u0019", "\\u001a", "\\u001b", "\\u001c", "\\u001d", "\\u001e", "\\u001f",
        ]
        for scalar in 0..<0x20 {
            let value = JSONValue.string(String(Unicode.Scalar(UInt8(scalar))))
            #expect(value.canonicalString == "\"\(expected[scalar])\"")
        }
    }

    @Test func onlyQuoteBackslashAndControlsAreEscaped() {
        let value = JSONValue.string("a\"b\\c/d\u{7F}é€\u{2028}\u{2029}😀<>&'")
        #expect(value.canonicalString == "\"a\\\"b\\\\c/d\u{7F}é€\u{2028}\u{2029}😀<>&'\"")
        #expect(value.canonicalBytes() == Array(value.canonicalString.utf8))
    }

    @Test func literalsAndEmptyContainers() {
        #expect(JSONValue.null.canonicalString == "null")
        #expect(JSONValue.bool(true).canonicalString == "true")
        #expect(JSONValue.bool(false).canonicalString == "false")
        #expect(JSONValue.array([]).canonicalString == "[]")
        #expect(JSONValue.object([:]).canonicalString == "{}")
        #expect(JSONValue.string("").canonicalString == "\"\"")
    }

    @Test func nestedStructures() throws {
        let value: JSONValue = [
            "z": [1, 2.5, [true, nil], ["b": "x", "a": []]],
            "a": ["nested": ["deeper": ["deepest": -0.0]]],
            "m": "text",
        ]
        let expected = #"{"a":{"nested":{"deeper":{"deepest":0}}},"m":"text","z":[1,2.5,[true,null],{"a":[],"b":"x"}]}"#
        #expect(value.canonicalString == expected)
        #expect(try JSONParser.parse(value.canonicalBytes()) == value)
    }

    @Test func literalConformancesBuildTheExpectedCases() {
        let value: JSONValue = ["n": nil, "b": true, "i": 3, "f": 1.5, "s": "x", "a": [1]]
        #expect(value == .object([
            "n": .null, "b": .bool(true), "i": .number(3), "f": .number(1.5),
            "s": .string("x"), "a": .array([.number(1)]),
        ]))
    }

    /// Property: canonical output parses back to the same value, and
    /// re-canonicalizing that value reproduces the bytes exactly.
    @Test func randomValuesRoundTripByteIdentically() throws {
        var random = RandomJSON(rng: SplitMix64(state: 0x5EED))
        for _ in 0..<2_000 {
            let value = random.value(depth: 0)
            let bytes = value.canonicalBytes()
            let reparsed = try JSONParser.parse(bytes)
            #expect(reparsed == value)
            #expect(reparsed.canonicalBytes() == bytes)
        }
    }
}

// MARK: - Parser acceptance

struct JSONParserAcceptanceTests {
    @Test func scalarsAndWhitespace() throws {
        #expect(try parse(" \t\r\n null \n") == .null)
        #expect(try parse("true") == true)
        #expect(try parse("false") == false)
        #expect(try parse("\"hi\"") == "hi")
        #expect(try parse("[ 1 , { \"a\" : [ ] } ]") == [1, ["a": []]])
    }

    @Test func numbers() throws {
        #expect(try parse("0") == 0)
        #expect(try parse("-0") == .number(-0.0))
        #expect(try parse("-12.5e+2") == -1250)
        #expect(try parse("1E5") == 100000)
        #expect(try parse("0.1") == 0.1)
        #expect(try parse("1e-400") == 0)
        #expect(try parse("123456789012345678901") == .number(1.2345678901234568e20))
        #expect(try parse("999999999999999") == .number(999999999999999))
        #expect(try parse("9007199254740993") == .number(9007199254740992))
        #expect(try parse("1.7976931348623157e308") == .number(.greatestFiniteMagnitude))
    }

    @Test func escapesDecode() throws {
        #expect(try parse(#""\"\\\/\b\f\n\r\t""#) == "\"\\/\u{8}\u{C}\n\r\t")
        #expect(try parse(#""\u0041\u00e9\u20AC\u0000""#) == "Aé€\u{0}")
        #expect(try parse(#""\ud83d\ude00 ok""#) == "😀 ok")
        #expect(try parse(#""plain é then \n escape""#) == "plain é then \n escape")
    }

    @Test func rawUTF8IsKept() throws {
        #expect(try parse("\"é€😀\u{10FFFF}\"") == "é€😀\u{10FFFF}")
    }

    @Test func depthUpToTheLimitIsAccepted() throws {
        let nested = String(repeating: "[", count: 32) + String(repeating: "]", count: 32)
        _ = try parse(nested)
        _ = try parse("{\"a\":{\"b\":1}}", maxDepth: 2)
    }
}

// MARK: - Parser rejection

/// One malformed input with the byte offset and message fragment the parser
/// must report.
struct JSONRejectionCase: Sendable, CustomTestStringConvertible {
    let input: [UInt8]
    let offset: Int
    let message: String
    var testDescription: String { String(decoding: input, as: UTF8.self).debugDescription }

    init(_ text: String, at offset: Int, _ message: String) {
        self.init(bytes: Array(text.utf8), at: offset, message)
    }

    init(bytes: [UInt8], at offset: Int, _ message: String) {
        self.input = bytes
        self.offset = offset
        self.message = message
    }
}

struct JSONParserJSONRejectionCaseTests {
    @Test(arguments: [
        // Structure
        JSONRejectionCase("", at: 0, "unexpected end of input"),
        JSONRejectionCase("   ", at: 3, "unexpected end of input"),
        JSONRejectionCase(bytes: [0xEF, 0xBB, 0xBF, 0x31], at: 0, "byte order mark"),
        JSONRejectionCase("1 2", at: 2, "unexpected character '2' after the top-level value"),
        JSONRejectionCase("{} x", at: 3, "after the top-level value"),
        JSONRejectionCase("[1,/* no */2]", at: 3, "comments are not allowed"),
        JSONRejectionCase("// no\n1", at: 0, "comments are not allowed"),
        JSONRejectionCase("[1,]", at: 3, "trailing comma"),
        JSONRejectionCase("{\"a\":1,}", at: 7, "trailing comma"),
        JSONRejectionCase("[1 2]", at: 3, "expected ',' or ']'"),
        JSONRejectionCase("{\"a\":1 \"b\":2}", at: 7, "expected ',' or '}'"),
        JSONRejectionCase("{a:1}", at: 1, "expected a string key"),
        JSONRejectionCase("{\"a\" 1}", at: 5, "expected ':'"),
        JSONRejectionCase("[1", at: 2, "unterminated array"),
        JSONRejectionCase("{\"a\":1", at: 6, "unterminated object"),
        JSONRejectionCase("'a'", at: 0, "unexpected character '''"),
        JSONRejectionCase(bytes: [0xC3, 0xA9], at: 0, "unexpected byte 0xC3"),
        JSONRejectionCase("tru", at: 0, "expected 'true'"),
        JSONRejectionCase("nul", at: 0, "expected 'null'"),
        JSONRejectionCase("True", at: 0, "unexpected character 'T'"),
        // Duplicate keys
        JSONRejectionCase("{\"a\":1,\"a\":2}", at: 7, "duplicate key \"a\""),
        JSONRejectionCase("{\"x\":{\"k\":1,\"\\u006b\":2}}", at: 12, "duplicate key \"k\""),
        // Numbers
        JSONRejectionCase("NaN", at: 0, "NaN and Infinity are not allowed"),
        JSONRejectionCase("[Infinity]", at: 1, "NaN and Infinity are not allowed"),
        JSONRejectionCase("-Infinity", at: 0, "NaN and Infinity are not allowed"),
        JSONRejectionCase("01", at: 0, "leading zeros"),
        JSONRejectionCase("[-012]", at: 2, "leading zeros"),
        JSONRejectionCase("-", at: 1, "expected a digit after '-'"),
        JSONRejectionCase("+1", at: 0, "unexpected character '+'"),
        JSONRejectionCase(".5", at: 0, "unexpected character '.'"),
        JSONRejectionCase("1.", at: 2, "expected a digit after the decimal point"),
        JSONRejectionCase("1.e3", at: 2, "expected a digit after the decimal point"),
        JSONRejectionCase("1e", at: 2, "expected a digit in the exponent"),
        JSONRejectionCase("1e+", at: 3, "expected a digit in the exponent"),
        JSONRejectionCase("[1e309]", at: 1, "number is out of range"),
        JSONRejectionCase("-1e400", at: 0, "number is out of range"),
        JSONRejectionCase("1" + String(repeating: "0", count: 400), at: 0, "number is out of range"),
        // Strings
        JSONRejectionCase("\"abc", at: 0, "unterminated string"),
        JSONRejectionCase("\"a\nb\"", at: 2, "unescaped control character 0x0A"),
        JSONRejectionCase("\"a\tb\"", at: 2, "unescaped control character 0x09"),
        JSONRejectionCase(bytes: [0x22, 0x00, 0x22], at: 1, "unescaped control character 0x00"),
        JSONRejectionCase(#""\x""#, at: 1, #"invalid escape sequence '\x'"#),
        JSONRejectionCase(#""\u12G4""#, at: 1, "four hex digits"),
        JSONRejectionCase(#""\u12""#, at: 1, "four hex digits"),
        JSONRejectionCase(#""\uD800""#, at: 1, #"unpaired surrogate \uD800"#),
        JSONRejectionCase(#""ab\uDC00""#, at: 3, #"unpaired surrogate \uDC00"#),
        JSONRejectionCase(#""\uD83Dx""#, at: 1, #"unpaired surrogate \uD83D"#),
        JSONRejectionCase(#""\uD83D\u0041""#, at: 1, #"unpaired surrogate \uD83D"#),
        JSONRejectionCase(#""\uD83D\uD83D""#, at: 1, #"unpaired surrogate \uD83D"#),
        JSONRejectionCase(#""\uD83D\u12""#, at: 7, "four hex digits"),
        // UTF-8
        JSONRejectionCase(bytes: [0x22, 0xC3, 0x28, 0x22], at: 1, "invalid UTF-8"),
        JSONRejectionCase(bytes: [0x22, 0x61, 0x80, 0x22], at: 2, "invalid UTF-8"),
        JSONRejectionCase(bytes: [0x22, 0xC0, 0xAF, 0x22], at: 1, "invalid UTF-8"),
        JSONRejectionCase(bytes: [0x22, 0xE0, 0x80, 0xAF, 0x22], at: 1, "invalid UTF-8"),
        JSONRejectionCase(bytes: [0x22, 0xED, 0xA0, 0x80, 0x22], at: 1, "invalid UTF-8"),
        JSONRejectionCase(bytes: [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], at: 1, "invalid UTF-8"),
        JSONRejectionCase(bytes: [0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], at: 1, "invalid UTF-8"),
        JSONRejectionCase(bytes: [0x22, 0xE2, 0x82, 0x22], at: 1, "invalid UTF-8"),
        JSONRejectionCase(bytes: [0x22, 0xF0, 0x9F, 0x98], at: 1, "invalid UTF-8"),
    ])
    func rejects(_ rejection: JSONRejectionCase) throws {
        let error = try #require(parseFailure(rejection.input))
        #expect(error.offset == rejection.offset, "\(error)")
        #expect(error.message.contains(rejection.message), "\(error)")
    }

    @Test func depthBeyondTheLimitIsRejected() throws {
        let nested = Array((String(repeating: "[", count: 33) + String(repeating: "]", count: 33)).utf8)
        let error = try #require(parseFailure(nested))
        #expect(error == JSONParseError(offset: 32, message: "nesting deeper than 32 levels"))

        let objects = Array("{\"a\":{\"b\":{\"c\":1}}}".utf8)
        #expect(parseFailure(objects, maxDepth: 2) == JSONParseError(offset: 10, message: "nesting deeper than 2 levels"))
    }

    /// Swift compares strings by canonical equivalence, so a precomposed and
    /// a decomposed "é" are the same dictionary key; the parser reports that
    /// rather than silently dropping one member.
    @Test func canonicallyEquivalentKeysAreDuplicates() throws {
        let error = try #require(parseFailure(Array("{\"\u{E9}\":1,\"e\u{301}\":2}".utf8)))
        #expect(error.offset == 8)
        #expect(error.message.hasPrefix("duplicate key"))
    }

    @Test func descriptionNamesOffsetAndProblem() throws {
        let error = try #require(parseFailure(Array("{\"a\":1,\"a\":2}".utf8)))
        #expect(error.description == "invalid JSON at byte 7: duplicate key \"a\"")
    }
}

// MARK: - Shape-checked reading

struct JSONReaderTests {
    let packet: JSONValue = [
        "name": "alpha",
        "note": nil,
        "enabled": true,
        "ratio": 0.25,
        "count": 7,
        "big": 9007199254740991,
        "tooBig": 9007199254740992,
        "fraction": 1.5,
        "frame": ["quorum": "three", "size": 3],
        "models": ["a", "b", 4],
        "tags": ["x", "y"],
    ]

    func reader() throws -> JSONObjectReader {
        try JSONObjectReader(packet, path: "packet")
    }

    @Test func readsPresentValues() throws {
        let reader = try reader()
        #expect(try reader.string("name") == "alpha")
        #expect(try reader.bool("enabled"))
        #expect(try reader.double("ratio") == 0.25)
        #expect(try reader.double("count") == 7)
        #expect(try reader.int("count") == 7)
        #expect(try reader.int("big") == 9_007_199_254_740_991)
        #expect(try reader.object("frame").int("size") == 3)
        #expect(try reader.array("models").count == 3)
        #expect(try reader.stringArray("tags") == ["x", "y"])
        #expect(try reader.value("note") == .null)
        #expect(try reader.optionalString("name") == "alpha")
        #expect(try reader.optionalInt("count") == 7)
        #expect(try reader.optionalDouble("ratio") == 0.25)
        #expect(try reader.optionalObject("frame")?.path == "packet.frame")
        #expect(try reader.optionalArray("tags") == ["x", "y"])
    }

    @Test func missingOrNullOptionalsAreNil() throws {
        let reader = try reader()
        #expect(try reader.optionalString("absent") == nil)
        #expect(try reader.optionalString("note") == nil)
        #expect(try reader.optionalDouble("note") == nil)
        #expect(try reader.optionalInt("absent") == nil)
        #expect(try reader.optionalObject("note") == nil)
        #expect(try reader.optionalArray("absent") == nil)
    }

    @Test func errorsNameThePathAndTheProblem() throws {
        let reader = try reader()
        #expect(throws: JSONShapeError(path: "packet.frame.quorum", message: "expected an integer, found string")) {
            try reader.object("frame").int("quorum")
        }
        #expect(throws: JSONShapeError(path: "packet.absent", message: "missing required field")) {
            try reader.string("absent")
        }
        #expect(throws: JSONShapeError(path: "packet.note", message: "expected a string, found null")) {
            try reader.string("note")
        }
        #expect(throws: JSONShapeError(path: "packet.count", message: "expected a string, found number")) {
            try reader.optionalString("count")
        }
        #expect(throws: JSONShapeError(path: "packet.name", message: "expected a boolean, found string")) {
            try reader.bool("name")
        }
        #expect(throws: JSONShapeError(path: "packet.enabled", message: "expected a number, found boolean")) {
            try reader.optionalDouble("enabled")
        }
        #expect(throws: JSONShapeError(path: "packet.tags", message: "expected an object, found array")) {
            try reader.optionalObject("tags")
        }
        #expect(throws: JSONShapeError(path: "packet.frame", message: "expected an array, found object")) {
            try reader.array("frame")
        }
        #expect(throws: JSONShapeError(path: "packet.models[2]", message: "expected a string, found number")) {
            try reader.stringArray("models")
        }
    }

    @Test func integersMustBeExactAndSafe() throws {
        let reader = try reader()
        #expect(throws: JSONShapeError(path: "packet.fraction", message: "expected an integer, found 1.5, which has a fractional part")) {
            try reader.int("fraction")
        }
        #expect(throws: JSONShapeError(path: "packet.tooBig", message: "expected an integer, found 9007199254740992, which is outside ±(2^53-1)")) {
            try reader.optionalInt("tooBig")
        }
        let negative = try JSONObjectReader(["n": -9007199254740991], path: "p")
        #expect(try negative.int("n") == -9_007_199_254_740_991)
    }

    @Test func rejectsNonObjectsAndUnknownKeys() throws {
        #expect(throws: JSONShapeError(path: "packet", message: "expected an object, found array")) {
            try JSONObjectReader([1, 2], path: "packet")
        }
        let reader = try JSONObjectReader(["known": 1, "zeta": 2, "foo": 3], path: "packet")
        #expect(throws: JSONShapeError(path: "packet", message: "unknown field \"foo\"")) {
            try reader.rejectUnknownKeys(allowed: ["known"])
        }
        try reader.rejectUnknownKeys(allowed: ["known", "zeta", "foo", "extra"])
        #expect(JSONShapeError(path: "packet.frame.quorum", message: "expected an integer, found string").description
            == "packet.frame.quorum: expected an integer, found string")
    }

    @Test func pathsAndTypeNames() throws {
        #expect(try reader().childPath("frame") == "packet.frame")
        #expect(try JSONObjectReader([:], path: "").childPath("top") == "top")
        let names = ([nil, true, 1, "s", [], [:]] as [JSONValue]).map(\.typeName)
        #expect(names == ["null", "boolean", "number", "string", "array", "object"])
    }
}
