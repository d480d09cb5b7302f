/// Reads the JSON Schema subset of `OutputSchema` into a `SchemaNode` tree.
///
/// Supported, by `type`:
/// - `object`: `properties`, `required`, `additionalProperties` (absent or `false`: the object is
///   closed either way, as OpenAI's strict mode has it); `minProperties` and `maxProperties`
///   only both 1 and without `required`: exactly one of the properties (`ObjectSchema.choosesOne`).
///   Without `properties` and `additionalProperties`, any object (`anyObject`, JSON mode).
/// - `string`: `enum` (distinct strings), `minLength`, `maxLength` (code points). A schema of only
///   `enum` (strings) is a string enum too.
/// - `integer`, `number`: `minimum`, `maximum` (inclusive, integers within ±(2^53 − 1)).
/// - `boolean`.
/// - `array`: `items` (required), `minItems`, `maxItems` (`Limits.Schema.defaultMaxItems` if absent).
/// - no keyword at all (`{}`): any value.
///
/// `title`, `description` and `$schema` (strings) are accepted anywhere and ignored. Any other
/// keyword is refused by name rather than ignored: a keyword the verifier skipped would let an
/// output count as valid that the client's schema forbids.
enum SchemaParser {
    /// Integers a double holds exactly, the range of every integer keyword.
    static let safeIntegers = -((1 << 53) - 1)...((1 << 53) - 1)

    static let annotations: Set<String> = ["title", "description", "$schema"]

    /// The keywords each `type` admits besides the annotations.
    static let keywords: [String: Set<String>] = [
        "object": ["type", "properties", "required", "additionalProperties", "minProperties", "maxProperties"],
        "string": ["type", "enum", "minLength", "maxLength"],
        "integer": ["type", "minimum", "maximum"],
        "number": ["type", "minimum", "maximum"],
        "boolean": ["type"],
        "array": ["type", "items", "minItems", "maxItems"],
    ]

    static func parse(_ json: JSONValue, path: String) throws(JSONShapeError) -> SchemaNode {
        var nodes = 0
        let root = try parseNode(json, path: path, enclosingContainers: 0, nodes: &nodes)
        let leaves = root.worstCaseLeaves
        guard leaves.embedded <= Limits.Schema.maxEmbeddedLeaves else {
            throw JSONShapeError(path: path, message: "an output may hold \(leaves.embedded) free strings (every array at its maxItems), limit \(Limits.Schema.maxEmbeddedLeaves) (Limits.Schema.maxEmbeddedLeaves)")
        }
        guard leaves.all <= Limits.Schema.maxLeaves else {
            throw JSONShapeError(path: path, message: "an output may hold \(leaves.all) leaves (every array at its maxItems), limit \(Limits.Schema.maxLeaves) (Limits.Schema.maxLeaves)")
        }
        return root
    }

    private static func parseNode(_ json: JSONValue, path: String, enclosingContainers: Int, nodes: inout Int) throws(JSONShapeError) -> SchemaNode {
        guard case let .object(members) = json else {
            throw JSONShapeError(path: path, message: "expected a schema (an object), found \(json.typeName)")
        }
        nodes += 1
        guard nodes <= Limits.Schema.maxNodes else {
            throw JSONShapeError(path: path, message: "more than \(Limits.Schema.maxNodes) schema nodes (Limits.Schema.maxNodes)")
        }
        let schema = SchemaObject(members: members, path: path)
        for key in schema.sortedKeys where annotations.contains(key) {
            guard case .string = members[key]! else {
                throw JSONShapeError(path: schema.childPath(key), message: "expected a string annotation, found \(members[key]!.typeName)")
            }
        }

        guard let typeValue = members["type"] else {
            if members["enum"] != nil {
                try schema.rejectKeywords(outside: ["enum"], type: nil)
                return .string(try parseString(schema))
            }
            try schema.rejectKeywords(outside: [], type: nil)
            return .anyValue
        }
        guard case let .string(type) = typeValue else {
            let detail = if case .array = typeValue { "type arrays (unions such as [\"string\",\"null\"]) are not supported" }
                         else { "expected a type name, found \(typeValue.typeName)" }
            throw JSONShapeError(path: schema.childPath("type"), message: detail)
        }
        guard let allowed = keywords[type] else {
            throw JSONShapeError(path: schema.childPath("type"), message: "unsupported type \(type.debugDescription)")
        }
        try schema.rejectKeywords(outside: allowed, type: type)

        switch type {
        case "object":
            try checkDepth(enclosingContainers + 1, path: path)
            if members["properties"] == nil && members["additionalProperties"] == nil {
                if members["minProperties"] != nil || members["maxProperties"] != nil {
                    throw JSONShapeError(path: schema.childPath(members["minProperties"] != nil ? "minProperties" : "maxProperties"),
                                         message: "only an object with properties can bound their count")
                }
                guard members["required"] == nil else {
                    throw JSONShapeError(path: schema.childPath("required"), message: "an object without properties requires nothing")
                }
                return .anyObject
            }
            return .object(try parseObject(schema, enclosingContainers: enclosingContainers, nodes: &nodes))
        case "string":
            return .string(try parseString(schema))
        case "integer":
            return .integer(try parseBounds(schema))
        case "number":
            return .number(try parseBounds(schema))
        case "boolean":
            return .boolean
        default:
            precondition(type == "array", "every type in `keywords` has a case")
            try checkDepth(enclosingContainers + 1, path: path)
            guard let items = members["items"] else {
                throw JSONShapeError(path: schema.childPath("items"), message: "missing required field")
            }
            let node = try parseNode(items, path: schema.childPath("items"), enclosingContainers: enclosingContainers + 1, nodes: &nodes)
            let minItems = try schema.count("minItems", in: 0...safeIntegers.upperBound) ?? 0
            let maxItems = try schema.count("maxItems", in: 0...safeIntegers.upperBound) ?? Limits.Schema.defaultMaxItems
            guard minItems <= maxItems else {
                throw JSONShapeError(path: schema.childPath("minItems"), message: "minItems \(minItems) exceeds maxItems \(maxItems)")
            }
            return .array(ArraySchema(items: node, minItems: minItems, maxItems: maxItems))
        }
    }

    private static func checkDepth(_ containers: Int, path: String) throws(JSONShapeError) {
        guard containers <= Limits.Schema.maxDepth else {
            throw JSONShapeError(path: path, message: "nests more than \(Limits.Schema.maxDepth) objects and arrays (Limits.Schema.maxDepth)")
        }
    }

    private static func parseObject(_ schema: SchemaObject, enclosingContainers: Int, nodes: inout Int) throws(JSONShapeError) -> ObjectSchema {
        if let additional = schema.members["additionalProperties"], additional != .bool(false) {
            throw JSONShapeError(path: schema.childPath("additionalProperties"), message: "only false is supported (outputs carry exactly the listed properties)")
        }
        let propertiesPath = schema.childPath("properties")
        var properties: [String: JSONValue] = [:]
        if let value = schema.members["properties"] {
            guard case let .object(members) = value else {
                throw JSONShapeError(path: propertiesPath, message: "expected an object, found \(value.typeName)")
            }
            properties = members
        }
        guard properties.count <= Limits.Schema.maxPropertiesPerObject else {
            throw JSONShapeError(path: propertiesPath, message: "\(properties.count) properties, limit \(Limits.Schema.maxPropertiesPerObject) (Limits.Schema.maxPropertiesPerObject)")
        }
        let names = properties.keys.sorted(by: JSONValue.utf16Precedes)

        var required: [String] = []
        if let value = schema.members["required"] {
            guard case let .array(elements) = value else {
                throw JSONShapeError(path: schema.childPath("required"), message: "expected an array, found \(value.typeName)")
            }
            for (index, element) in elements.enumerated() {
                let elementPath = "\(schema.childPath("required"))[\(index)]"
                guard case let .string(name) = element else {
                    throw JSONShapeError(path: elementPath, message: "expected a property name, found \(element.typeName)")
                }
                guard names.contains(where: { $0.utf8.elementsEqual(name.utf8) }) else {
                    throw JSONShapeError(path: elementPath, message: "\(name.debugDescription) is not a property")
                }
                guard !required.contains(where: { $0.utf8.elementsEqual(name.utf8) }) else {
                    throw JSONShapeError(path: elementPath, message: "\(name.debugDescription) is listed twice")
                }
                required.append(name)
            }
        }

        let choosesOne = try parseChoice(schema, required: required, properties: names.count)
        var parsed: [SchemaProperty] = []
        for name in names {
            let node = try parseNode(properties[name]!, path: "\(propertiesPath).\(name)",
                                     enclosingContainers: enclosingContainers + 1, nodes: &nodes)
            parsed.append(SchemaProperty(name: name, node: node, isRequired: required.contains { $0.utf8.elementsEqual(name.utf8) }))
        }
        return ObjectSchema(properties: parsed, choosesOne: choosesOne)
    }

    /// `minProperties` and `maxProperties`: absent, or both 1 for an object with exactly one of
    /// its properties. Other counts would need the matcher to count keys, and have no use here.
    private static func parseChoice(_ schema: SchemaObject, required: [String], properties: Int) throws(JSONShapeError) -> Bool {
        let minimum = try schema.count("minProperties", in: 0...safeIntegers.upperBound)
        let maximum = try schema.count("maxProperties", in: 0...safeIntegers.upperBound)
        guard minimum != nil || maximum != nil else { return false }
        guard minimum == 1, maximum == 1 else {
            throw JSONShapeError(path: schema.childPath(minimum != 1 ? "minProperties" : "maxProperties"),
                                 message: "only minProperties 1 with maxProperties 1 is supported (exactly one of the properties)")
        }
        guard required.isEmpty else {
            throw JSONShapeError(path: schema.childPath("required"), message: "an object with exactly one of its properties requires none of them")
        }
        guard properties > 0 else {
            throw JSONShapeError(path: schema.childPath("properties"), message: "an object with exactly one of its properties needs properties to choose from")
        }
        return true
    }

    private static func parseString(_ schema: SchemaObject) throws(JSONShapeError) -> StringSchema {
        let range = Limits.Schema.stringLengthRange
        let minLength = try schema.count("minLength", in: range) ?? 0
        let maxLength = try schema.count("maxLength", in: range)
        if let maxLength, minLength > maxLength {
            throw JSONShapeError(path: schema.childPath("minLength"), message: "minLength \(minLength) exceeds maxLength \(maxLength)")
        }
        guard let value = schema.members["enum"] else {
            return StringSchema(allowed: nil, minLength: minLength, maxLength: maxLength)
        }
        let enumPath = schema.childPath("enum")
        guard case let .array(elements) = value, (1...Limits.Schema.maxEnumValues).contains(elements.count) else {
            throw JSONShapeError(path: enumPath, message: "expected 1 to \(Limits.Schema.maxEnumValues) strings (Limits.Schema.maxEnumValues)")
        }
        var allowed: [String] = []
        for (index, element) in elements.enumerated() {
            let elementPath = "\(enumPath)[\(index)]"
            guard case let .string(text) = element else {
                throw JSONShapeError(path: elementPath, message: "expected a string (only string enums are supported), found \(element.typeName)")
            }
            guard text.utf8.count <= Limits.Schema.maxEnumValueBytes else {
                throw JSONShapeError(path: elementPath, message: "\(text.utf8.count) bytes, limit \(Limits.Schema.maxEnumValueBytes) (Limits.Schema.maxEnumValueBytes)")
            }
            // Distinct by bytes: outputs are compared by their canonical bytes.
            guard !allowed.contains(where: { $0.utf8.elementsEqual(text.utf8) }) else {
                throw JSONShapeError(path: elementPath, message: "\(text.debugDescription) is listed twice")
            }
            allowed.append(text)
        }
        let string = StringSchema(allowed: allowed, minLength: minLength, maxLength: maxLength)
        guard allowed.contains(where: string.admitsLength) else {
            throw JSONShapeError(path: enumPath, message: "no value has a length within minLength and maxLength")
        }
        return string
    }

    private static func parseBounds(_ schema: SchemaObject) throws(JSONShapeError) -> NumberBounds {
        let range = safeIntegers
        let minimum = try schema.count("minimum", in: range)
        let maximum = try schema.count("maximum", in: range)
        if let minimum, let maximum, minimum > maximum {
            throw JSONShapeError(path: schema.childPath("minimum"), message: "minimum \(minimum) exceeds maximum \(maximum)")
        }
        return NumberBounds(minimum: minimum.map(Double.init), maximum: maximum.map(Double.init))
    }
}

/// One schema object's members, read strictly: a keyword set to `null` is a wrong type, not an
/// absence, since the request keeps the schema as sent.
private struct SchemaObject {
    let members: [String: JSONValue]
    let path: String

    var sortedKeys: [String] { members.keys.sorted(by: JSONValue.utf16Precedes) }

    func childPath(_ key: String) -> String { "\(path).\(key)" }

    /// Refuses the first keyword (in canonical order) that is neither an annotation nor in `allowed`.
    func rejectKeywords(outside allowed: Set<String>, type: String?) throws(JSONShapeError) {
        guard let keyword = sortedKeys.first(where: { !allowed.contains($0) && !SchemaParser.annotations.contains($0) }) else { return }
        let elsewhere = SchemaParser.keywords.values.contains { $0.contains(keyword) }
        let context = switch (elsewhere, type) {
        case (true, let type?): " for type \(type.debugDescription)"
        case (true, nil): " without a \"type\""
        case (false, _): ""
        }
        throw JSONShapeError(path: path, message: "unsupported keyword \(keyword.debugDescription)\(context)")
    }

    /// An integer keyword within `range`, or nil when absent.
    func count(_ key: String, in range: ClosedRange<Int>) throws(JSONShapeError) -> Int? {
        guard let value = members[key] else { return nil }
        guard case let .number(number) = value, number.magnitude <= Double(SchemaParser.safeIntegers.upperBound), Double(Int(number)) == number,
              range.contains(Int(number)) else {
            throw JSONShapeError(path: childPath(key), message: "expected an integer in \(range), found \(value.canonicalString)")
        }
        return Int(number)
    }
}
