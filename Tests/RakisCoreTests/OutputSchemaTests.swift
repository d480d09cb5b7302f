import Testing
@testable import RakisCore

func json(_ text: String) -> JSONValue { try! JSONParser.parse(Array(text.utf8)) }

func schema(_ text: String) throws -> OutputSchema { try OutputSchema(json: json(text), path: "format") }

/// The message a schema is refused with.
func refusal(_ text: String) -> String {
    do {
        _ = try schema(text)
        return "accepted"
    } catch {
        return "\(error)"
    }
}

let personSchema = """
{"type":"object","title":"Person","properties":{"name":{"type":"string","maxLength":64},"age":{"type":"integer","minimum":0,"maximum":150},\
"mood":{"enum":["happy","sad"]},"height":{"type":"number"},"tags":{"type":"array","items":{"type":"string"},"maxItems":4},\
"alive":{"type":"boolean","description":"still?"}},"required":["name","age","mood"],"additionalProperties":false}
"""

@Suite struct OutputSchemaTests {
    @Test func parsesTheSupportedSubset() throws {
        let person = try schema(personSchema)
        guard case let .object(object) = person.root else { Issue.record("\(person.root)"); return }
        #expect(object.properties.map(\.name) == ["age", "alive", "height", "mood", "name", "tags"])
        #expect(object.properties.filter(\.isRequired).map(\.name) == ["age", "mood", "name"])
        #expect(object.properties[3].node == .string(StringSchema(allowed: ["happy", "sad"], minLength: 0, maxLength: nil)))
        #expect(object.properties[5].node == .array(ArraySchema(items: .string(StringSchema(allowed: nil, minLength: 0, maxLength: nil)),
                                                                minItems: 0, maxItems: 4)))
        #expect(person.json == json(personSchema), "the schema is kept as sent")
        #expect(try schema(#"{"type":"array","items":{"type":"boolean"}}"#).root
            == .array(ArraySchema(items: .boolean, minItems: 0, maxItems: Limits.Schema.defaultMaxItems)))
        #expect(try schema("{}").root == .anyValue)
        #expect(OutputSchema.anyObject.root == .anyObject)
        #expect(OutputSchema.anyObject.json.canonicalString == #"{"type":"object"}"#)
        #expect(try schema(#"{"type":"object","additionalProperties":false}"#).root == .object(ObjectSchema(properties: [])))
    }

    /// `minProperties` and `maxProperties` 1: exactly one of the properties, a tagged union such as
    /// a tool call's answer; other counts, and a choice with required properties, are refused.
    @Test func anObjectWithExactlyOneOfItsProperties() throws {
        let union = try schema(#"{"type":"object","minProperties":1,"maxProperties":1,"additionalProperties":false,"properties":{"reply":{"type":"string"},"call":{"type":"object","properties":{"x":{"type":"integer"}},"required":["x"]}}}"#)
        guard case let .object(object) = union.root else { Issue.record("\(union.root)"); return }
        #expect(object.choosesOne && object.properties.map(\.name) == ["call", "reply"])
        #expect(union.root.holdsChoice)
        #expect(union.validate(json(#"{"reply":"hi"}"#)) == nil)
        #expect(union.validate(json(#"{"call":{"x":1}}"#)) == nil)
        #expect(union.validate(json("{}")) == #"$: expected exactly one of "call", "reply", found 0"#)
        #expect(union.validate(json(#"{"call":{"x":1},"reply":"hi"}"#)) == #"$: expected exactly one of "call", "reply", found 2"#)
        #expect(union.minimalOutputBytes == #"{"reply":""}"#.utf8.count)
        #expect(try !schema(personSchema).root.holdsChoice)
        for (text, message) in [
            (#"{"type":"object","properties":{"a":{}},"minProperties":1}"#, "format.maxProperties: only minProperties 1 with maxProperties 1 is supported (exactly one of the properties)"),
            (#"{"type":"object","properties":{"a":{}},"minProperties":2,"maxProperties":2}"#, "format.minProperties: only minProperties 1 with maxProperties 1 is supported (exactly one of the properties)"),
            (#"{"type":"object","properties":{"a":{}},"required":["a"],"minProperties":1,"maxProperties":1}"#, "format.required: an object with exactly one of its properties requires none of them"),
            (#"{"type":"object","properties":{},"minProperties":1,"maxProperties":1}"#, "format.properties: an object with exactly one of its properties needs properties to choose from"),
            (#"{"type":"object","minProperties":1,"maxProperties":1}"#, "format.minProperties: only an object with properties can bound their count"),
        ] {
            #expect(throws: JSONShapeError.self, "\(text)") { try schema(text) }
            do { _ = try schema(text) } catch { #expect("\(error)" == message, "\(text)") }
        }
    }

    @Test func refusesUnsupportedKeywordsByNameAndPath() {
        let cases = [
            (#"{"type":"object","properties":{"age":{"type":"integer","exclusiveMinimum":0}}}"#,
             #"format.properties.age: unsupported keyword "exclusiveMinimum""#),
            (#"{"type":"string","pattern":"^a"}"#, #"format: unsupported keyword "pattern""#),
            (#"{"type":"string","format":"email"}"#, #"format: unsupported keyword "format""#),
            (#"{"oneOf":[{"type":"string"}]}"#, #"format: unsupported keyword "oneOf""#),
            (#"{"anyOf":[]}"#, #"format: unsupported keyword "anyOf""#),
            (##"{"$ref":"#/x"}"##, #"format: unsupported keyword "$ref""#),
            (#"{"type":"string","const":"a"}"#, #"format: unsupported keyword "const""#),
            (#"{"type":"string","minimum":1}"#, #"format: unsupported keyword "minimum" for type "string""#),
            (#"{"properties":{}}"#, #"format: unsupported keyword "properties" without a "type""#),
            (#"{"type":["string","null"]}"#, #"format.type: type arrays (unions such as ["string","null"]) are not supported"#),
            (#"{"type":"null"}"#, #"format.type: unsupported type "null""#),
            (#"{"type":"object","properties":{},"additionalProperties":true}"#,
             "format.additionalProperties: only false is supported (outputs carry exactly the listed properties)"),
            (#"{"type":"object","properties":{},"additionalProperties":{"type":"string"}}"#,
             "format.additionalProperties: only false is supported (outputs carry exactly the listed properties)"),
            (#"{"type":"array","items":{"type":"string"},"prefixItems":[]}"#, #"format: unsupported keyword "prefixItems""#),
            (#"{"type":"array"}"#, "format.items: missing required field"),
            (#"{"type":"integer","minimum":3,"maximum":2}"#, "format.minimum: minimum 3 exceeds maximum 2"),
            (#"{"type":"number","minimum":0.5}"#, "format.minimum: expected an integer in -9007199254740991...9007199254740991, found 0.5"),
            (#"{"type":"integer","maximum":9007199254740992}"#, "format.maximum: expected an integer in -9007199254740991...9007199254740991, found 9007199254740992"),
            (#"{"type":"string","maxLength":4097}"#, "format.maxLength: expected an integer in 0...4096, found 4097"),
            (#"{"type":"string","minLength":3,"maxLength":2}"#, "format.minLength: minLength 3 exceeds maxLength 2"),
            (#"{"enum":[]}"#, "format.enum: expected 1 to 64 strings (Limits.Schema.maxEnumValues)"),
            (#"{"enum":["a",1]}"#, "format.enum[1]: expected a string (only string enums are supported), found number"),
            (#"{"enum":["a","a"]}"#, #"format.enum[1]: "a" is listed twice"#),
            (#"{"type":"string","enum":["abc"],"maxLength":2}"#, "format.enum: no value has a length within minLength and maxLength"),
            (#"{"type":"array","items":{},"minItems":3,"maxItems":2}"#, "format.minItems: minItems 3 exceeds maxItems 2"),
            (#"{"type":"object","properties":{"a":{}},"required":["b"]}"#, #"format.required[0]: "b" is not a property"#),
            (#"{"type":"object","properties":{"a":{}},"required":["a","a"]}"#, #"format.required[1]: "a" is listed twice"#),
            (#"{"type":"object","required":["a"]}"#, "format.required: an object without properties requires nothing"),
            (#"{"type":"string","title":7}"#, "format.title: expected a string annotation, found number"),
            (#"{"type":"string","minLength":null}"#, "format.minLength: expected an integer in 0...4096, found null"),
            (#"[]"#, "format: expected a schema (an object), found array"),
        ]
        for (text, expected) in cases {
            #expect(refusal(text) == expected, "\(text)")
        }
    }

    @Test func refusesSchemasBeyondEachLimit() {
        func nested(_ depth: Int) -> String {
            (0..<depth).reduce(#"{"type":"string"}"#) { inner, _ in #"{"type":"array","items":"# + inner + ",\"maxItems\":1}" }
        }
        #expect(refusal(nested(8)) == "accepted")
        #expect(refusal(nested(9)) == "format.items.items.items.items.items.items.items.items: nests more than 8 objects and arrays (Limits.Schema.maxDepth)")

        let manyProperties = (0..<65).map { "\"p\($0)\":{\"type\":\"boolean\"}" }.joined(separator: ",")
        #expect(refusal(#"{"type":"object","properties":{"# + manyProperties + "}}")
            == "format.properties: 65 properties, limit 64 (Limits.Schema.maxPropertiesPerObject)")

        // 4 objects of 64 booleans: 257 nodes with the root.
        let booleans = (0..<63).map { "\"p\($0)\":{\"type\":\"boolean\"}" }.joined(separator: ",")
        let objects = (0..<4).map { "\"o\($0)\":{\"type\":\"object\",\"properties\":{\(booleans)}}" }.joined(separator: ",")
        #expect(refusal(#"{"type":"object","properties":{"# + objects + "}}").hasSuffix(": more than 256 schema nodes (Limits.Schema.maxNodes)"))

        let longValue = String(repeating: "x", count: 129)
        #expect(refusal(#"{"enum":["\#(longValue)"]}"#) == "format.enum[0]: 129 bytes, limit 128 (Limits.Schema.maxEnumValueBytes)")
        let manyValues = (0..<65).map { "\"v\($0)\"" }.joined(separator: ",")
        #expect(refusal(#"{"enum":[\#(manyValues)]}"#) == "format.enum: expected 1 to 64 strings (Limits.Schema.maxEnumValues)")

        // 9 x 16 free strings (maxItems taken as 16) = 144 embeddings.
        let strings = #"{"type":"array","items":{"type":"string"}}"#
        #expect(refusal(#"{"type":"array","items":\#(strings),"maxItems":8}"#) == "accepted")
        #expect(refusal(#"{"type":"array","items":\#(strings),"maxItems":9}"#)
            == "format: an output may hold 144 free strings (every array at its maxItems), limit 128 (Limits.Schema.maxEmbeddedLeaves)")
        #expect(refusal(#"{"type":"array","items":{"type":"array","items":{"type":"integer"},"maxItems":64},"maxItems":17}"#)
            == "format: an output may hold 1088 leaves (every array at its maxItems), limit 1024 (Limits.Schema.maxLeaves)")
        // Enumerated strings need no embedding, so only the overall limit applies to them.
        #expect(refusal(#"{"type":"array","items":{"enum":["a","b"]},"maxItems":1024}"#) == "accepted")
        // Saturating counts: nested arrays of huge maxItems are refused, not overflowed.
        let huge = #"{"type":"array","maxItems":9007199254740991,"items":"#
        #expect(refusal(huge + huge + #"{"type":"boolean"}}}"#).hasSuffix("limit 1024 (Limits.Schema.maxLeaves)"))

        let description = String(repeating: "d", count: 16 * 1024)
        #expect(refusal(#"{"type":"string","description":"\#(description)"}"#)
            == "format: schema is 16418 bytes of canonical JSON, limit 16384")
    }

    @Test func validatesValuesAndNamesTheFirstViolation() throws {
        let person = try schema(personSchema)
        #expect(person.validate(json(#"{"name":"Ada","age":36,"mood":"happy"}"#)) == nil)
        #expect(person.validate(json(#"{"name":"Ada","age":36,"mood":"happy","height":1.7,"tags":["a","b"],"alive":false}"#)) == nil)
        let cases = [
            (#"[]"#, "$: expected an object, found array"),
            (#"{"name":"Ada","age":36}"#, "$.mood: missing required field"),
            (#"{"name":"Ada","age":36,"mood":"happy","extra":1}"#, #"$: unknown field "extra""#),
            (#"{"name":"Ada","age":36.5,"mood":"happy"}"#, "$.age: expected an integer within ±(2^53-1), found 36.5"),
            (#"{"name":"Ada","age":151,"mood":"happy"}"#, "$.age: 151 is above the maximum 150"),
            (#"{"name":"Ada","age":-1,"mood":"happy"}"#, "$.age: -1 is below the minimum 0"),
            (#"{"name":"Ada","age":"36","mood":"happy"}"#, "$.age: expected an integer, found string"),
            (#"{"name":"Ada","age":36,"mood":"angry"}"#, #"$.mood: "angry" is not one of the enum values"#),
            (#"{"name":"Ada","age":36,"mood":"happy","tags":["a","b","c","d","e"]}"#, "$.tags: 5 items, the schema allows 0 to 4"),
            (#"{"name":"Ada","age":36,"mood":"happy","tags":["a",2]}"#, "$.tags[1]: expected a string, found number"),
            (#"{"name":"Ada","age":36,"mood":"happy","alive":null}"#, "$.alive: expected a boolean, found null"),
            (#"{"name":"\#(String(repeating: "é", count: 65))","age":36,"mood":"happy"}"#, "$.name: 65 code points, the schema allows 0 to 64"),
        ]
        for (text, expected) in cases {
            #expect(person.validate(json(text)) == expected, "\(text)")
        }
        #expect(OutputSchema.anyObject.validate(json(#"{"a":[1,{"b":null}]}"#)) == nil)
        #expect(OutputSchema.anyObject.validate(json("[1]")) == "$: expected an object, found array")
        #expect(try schema("{}").validate(json("null")) == nil)
        // Keys match by bytes: a decomposed "é" is not the property spelled precomposed.
        let accented = try schema(#"{"type":"object","properties":{"\#u{e9}":{"type":"boolean"}}}"#)
        #expect(accented.validate(.object(["\u{e9}": true])) == nil)
        #expect(accented.validate(.object(["e\u{301}": true])) == "$: unknown field \"e\u{301}\"")
        #expect(try schema(#"{"type":"object","properties":{"a b":{"type":"boolean"}},"required":["a b"]}"#).validate(json("{}"))
            == #"$["a b"]: missing required field"#)
    }

    @Test func minimalOutputBytesIsTheShortestValidCanonicalText() throws {
        let cases = [
            (personSchema, #"{"age":0,"mood":"sad","name":""}"#),
            (#"{"type":"boolean"}"#, "true"),
            (#"{"type":"integer","minimum":-20,"maximum":-10}"#, "-10"),
            (#"{"type":"number","minimum":1234}"#, "1234"),
            (#"{"type":"number","maximum":5}"#, "0"),
            (#"{"type":"string","minLength":3}"#, #""aaa""#),
            (#"{"type":"string","enum":["long one","s\"","tiny"]}"#, #""s\"""#),
            (#"{"type":"string","enum":["ab","abcd"],"minLength":3}"#, #""abcd""#),
            (#"{"type":"array","items":{"type":"boolean"},"minItems":3}"#, "[true,true,true]"),
            (#"{"type":"array","items":{"type":"boolean"}}"#, "[]"),
            (#"{"type":"object","properties":{"a":{}}}"#, "{}"),
            (#"{"type":"object","properties":{"a\nb":{}},"required":["a\nb"]}"#, #"{"a\nb":0}"#),
            ("{}", "0"),
            (#"{"type":"object"}"#, "{}"),
        ]
        for (text, shortest) in cases {
            let format = try schema(text)
            #expect(format.validate(json(shortest)) == nil, "\(shortest) should validate \(text)")
            #expect(format.minimalOutputBytes == shortest.utf8.count, "\(text)")
        }
        let huge = #"{"type":"array","items":{"type":"object","additionalProperties":false},"minItems":9007199254740991,"maxItems":9007199254740991}"#
        let nestedHuge = #"{"type":"array","items":\#(huge),"minItems":9007199254740991,"maxItems":9007199254740991}"#
        #expect(try schema(nestedHuge).minimalOutputBytes == Int.max, "saturates instead of overflowing")
    }

    @Test func leavesComeInCanonicalOrderWithTheirPaths() throws {
        let person = try schema(personSchema)
        let value = json(#"{"tags":["x","y"],"name":"Ada","mood":"happy","age":36,"alive":true}"#)
        let leaves = person.leaves(of: value)
        #expect(leaves.map(\.path.description) == ["$.age", "$.alive", "$.mood", "$.name", "$.tags[0]", "$.tags[1]"])
        #expect(leaves.map(\.value) == [36, true, "happy", "Ada", "x", "y"])
        #expect(leaves.map(\.node.isEmbedded) == [false, false, false, true, true, true])
        #expect(leaves.filter(\.node.isEmbedded).map(\.value) == ["Ada", "x", "y"])
        // Keys in UTF-16 order, which differs from code point order above U+FFFF.
        let astral = try schema(#"{"type":"object","properties":{"\#u{1F600}":{"type":"string"},"\#u{FF61}":{"type":"string"}}}"#)
        #expect(astral.leaves(of: .object(["\u{FF61}": "b", "\u{1F600}": "a"])).map(\.value) == ["a", "b"])
        // An `any` value is one leaf.
        #expect(OutputSchema.anyObject.leaves(of: json(#"{"a":[1,2]}"#)).map(\.path) == [.root])
    }
}
