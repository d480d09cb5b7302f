import RakisCore

/// The typed answer of a structured contract request (docs/ORACLE.md, "Structured requests and
/// typed answers"): the agreed output's fields ABI-encoded, so that a contract reads them with
/// `abi.decode` instead of parsing JSON. The committee signs it with the output (the result hash,
/// `OracleDigest.resultHash`), so the submitter cannot change it.
///
/// Only a flat record has one: a closed object whose every property is required and is a
/// boolean (`bool`), an integer (`int256`), a string with `enum` (`uint8`, the value's index in
/// the schema's list) or a free string (`string`). The tuple holds one element per property in
/// the order of their names (RFC 8785 order, `ObjectSchema`'s). Any other schema's answer is empty.
public enum OracleAnswer {
    /// The tuple's element types for `schema`, or nil when the schema is not a flat record.
    public static func types(of schema: OutputSchema) -> [ABIType]? {
        guard case let .object(object) = schema.root else { return nil }
        var types: [ABIType] = []
        for property in object.properties {
            guard property.isRequired, let type = abiType(of: property.node) else { return nil }
            types.append(type)
        }
        return types
    }

    /// The answer for `output` (a structured request's canonical output) under `schema`: the
    /// encoded tuple for a flat record, empty bytes for any other schema, nil when `output` is
    /// not a value the schema admits (a node never attests to that).
    public static func encode(output: String, schema: OutputSchema) -> [UInt8]? {
        guard let value = try? JSONParser.parse(Array(output.utf8), maxDepth: Limits.Schema.maxDepth),
              schema.validate(value) == nil
        else { return nil }
        guard case let .object(object) = schema.root, let types = types(of: schema) else { return [] }
        guard case let .object(fields) = value else { return nil }
        var values: [ABIValue] = []
        for property in object.properties {
            guard let field = fields.first(where: { $0.key.utf8.elementsEqual(property.name.utf8) })?.value,
                  let encoded = abiValue(field, as: property.node)
            else { return nil }
            values.append(encoded)
        }
        return try? ABI.encode(values, as: types)
    }

    private static func abiType(of node: SchemaNode) -> ABIType? {
        switch node {
        case .boolean: .bool
        // int256's word is the two's complement of the value, which is also the uint256 of that
        // bit pattern: the encoder has no signed type and needs none.
        case .integer: .uint(bits: 256)
        case let .string(string): string.allowed == nil ? .string : .uint(bits: 8)
        default: nil
        }
    }

    private static func abiValue(_ value: JSONValue, as node: SchemaNode) -> ABIValue? {
        switch (node, value) {
        case let (.boolean, .bool(flag)):
            return .bool(flag)
        case let (.integer, .number(number)):
            guard let integer = Int64(exactly: number) else { return nil }
            let magnitude = UInt256(integer.magnitude)
            return .uint(integer >= 0 ? magnitude : UInt256.max - magnitude + 1)
        case let (.string(string), .string(text)):
            guard let allowed = string.allowed else { return .string(text) }
            // Byte-wise, not Swift's canonical-equivalence ==: the index is what every
            // implementation finds, and Limits.Schema.maxEnumValues keeps it within a uint8.
            guard let index = allowed.firstIndex(where: { $0.utf8.elementsEqual(text.utf8) }) else { return nil }
            return .uint(UInt256(UInt64(index)))
        default:
            return nil
        }
    }
}
