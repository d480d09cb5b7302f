import RakisChain
import RakisCore
import Testing

/// The typed answer of a structured contract request (docs/ORACLE.md, "Structured requests and
/// typed answers"), and the result hash that the committee signs over it. Expected bytes from
/// eth-abi 6.0.0 (`encode`) and eth-utils 6.0.0 (`keccak`).
@Suite struct OracleAnswerTests {
    static func schema(_ text: String) throws -> OutputSchema {
        try OutputSchema(json: try JSONParser.parse(Array(text.utf8)), path: "schema")
    }

    /// approve (bool), category (enum), reason (string), score (integer): sorted by name.
    static let judge = """
        {"type":"object","properties":{"score":{"type":"integer","minimum":-10,"maximum":10},"reason":{"type":"string"},
        "approve":{"type":"boolean"},"category":{"type":"string","enum":["art","science","software"]}},
        "required":["approve","category","reason","score"],"additionalProperties":false}
        """

    @Test func aFlatRecordIsItsFieldsInNameOrder() throws {
        let schema = try Self.schema(Self.judge)
        #expect(OracleAnswer.types(of: schema)?.map(\.canonicalName) == ["bool", "uint8", "string", "uint256"])
        let answer = try #require(OracleAnswer.encode(output: #"{"approve":true,"category":"software","reason":"ok","score":-3}"#, schema: schema))
        #expect(answer == hexBytes("""
            0000000000000000000000000000000000000000000000000000000000000001
            0000000000000000000000000000000000000000000000000000000000000002
            0000000000000000000000000000000000000000000000000000000000000080
            fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffd
            0000000000000000000000000000000000000000000000000000000000000002
            6f6b000000000000000000000000000000000000000000000000000000000000
            """))
    }

    @Test func theResultHashCoversTheAnswer() throws {
        let output = #"{"approve":false,"category":"art","reason":"","score":10}"#
        let answer = try #require(OracleAnswer.encode(output: output, schema: try Self.schema(Self.judge)))
        #expect(OracleDigest.resultHash(output: output, answer: nil) == Keccak256.hash(output.utf8))
        #expect(OracleDigest.resultHash(output: output, answer: answer) == Keccak256.hash(Keccak256.hash(output.utf8) + Keccak256.hash(answer)))
        #expect(OracleDigest.resultHash(output: output, answer: answer) != OracleDigest.resultHash(output: output, answer: []))
        #expect(OracleDigest.resultHash(output: output, answer: []) == hexBytes("f284bba156bd8ba1c025852cca148a08fec20da5ebc0a7b90c082db16890c7c0"))
    }

    @Test func otherSchemasHaveAnEmptyAnswer() throws {
        let nested = try Self.schema(#"{"type":"object","properties":{"a":{"type":"object","properties":{"b":{"type":"boolean"}},"required":["b"]}},"required":["a"]}"#)
        #expect(OracleAnswer.types(of: nested) == nil)
        #expect(OracleAnswer.encode(output: #"{"a":{"b":true}}"#, schema: nested) == [])
        // An optional property could be absent, and a tuple has no place for "absent".
        let optional = try Self.schema(#"{"type":"object","properties":{"a":{"type":"boolean"},"b":{"type":"integer"}},"required":["a"]}"#)
        #expect(OracleAnswer.encode(output: #"{"a":true}"#, schema: optional) == [])
        let number = try Self.schema(#"{"type":"object","properties":{"x":{"type":"number"}},"required":["x"]}"#)
        #expect(OracleAnswer.encode(output: #"{"x":1.5}"#, schema: number) == [])
        #expect(OracleAnswer.encode(output: "true", schema: try Self.schema(#"{"type":"boolean"}"#)) == [])
    }

    @Test func anOutputTheSchemaRefusesHasNoAnswer() throws {
        let schema = try Self.schema(Self.judge)
        #expect(OracleAnswer.encode(output: #"{"approve":true,"category":"poetry","reason":"ok","score":1}"#, schema: schema) == nil)
        #expect(OracleAnswer.encode(output: #"{"approve":true}"#, schema: schema) == nil)
        #expect(OracleAnswer.encode(output: "not json", schema: schema) == nil)
    }

    /// Enum values are matched byte for byte: "é" precomposed and decomposed are two values.
    @Test func enumIndicesAreByteExact() throws {
        let schema = try Self.schema(#"{"type":"object","properties":{"c":{"type":"string","enum":["e\u0301","\u00e9"]}},"required":["c"]}"#)
        let decomposed = try #require(OracleAnswer.encode(output: "{\"c\":\"e\u{301}\"}", schema: schema))
        let precomposed = try #require(OracleAnswer.encode(output: "{\"c\":\"\u{e9}\"}", schema: schema))
        #expect(decomposed.last == 0 && precomposed.last == 1)
    }
}
