/// A structured request's output as consensus counts it: text that parses as JSON, is exactly
/// the RFC 8785 encoding of what it parses to, and matches the request's schema.
///
/// Canonical form is required so that one answer has one text: two members with the same value
/// write the same bytes, their output hashes agree, and the chosen output is the value itself.
public struct StructuredOutput: Sendable {
    public let value: JSONValue
    /// The value's leaves in canonical order (`OutputSchema.leaves(of:)`).
    public let leaves: [OutputLeaf]

    public init(output: String, format: OutputSchema) throws(StructuredOutputDefect) {
        let bytes = Array(output.utf8)
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes, maxDepth: Limits.Schema.maxDepth)
        } catch {
            throw .notJSON("\(error)")
        }
        guard value.canonicalBytes() == bytes else { throw .notCanonical }
        if let violation = format.validate(value) { throw .invalid(violation) }
        self.value = value
        leaves = format.leaves(of: value)
    }

    /// `output` read as JSON and written in canonical form, if that is schema-valid: the text a node
    /// commits to when its backend wrote valid JSON in another form (spacing, key order, escapes).
    public static func canonicalizing(_ output: String, format: OutputSchema) -> (text: String, output: StructuredOutput)? {
        guard let value = try? JSONParser.parse(Array(output.utf8), maxDepth: Limits.Schema.maxDepth) else { return nil }
        let text = value.canonicalString
        guard let structured = try? StructuredOutput(output: text, format: format) else { return nil }
        return (text, structured)
    }

    /// The free strings, in leaf order: the fields a reveal's `fieldEmbeddings` embed.
    public var embeddedLeaves: [OutputLeaf] { leaves.filter(\.node.isEmbedded) }

    /// Their texts, which a verifier re-embeds.
    public var embeddedTexts: [String] {
        embeddedLeaves.map { leaf in
            guard case let .string(text) = leaf.value else { preconditionFailure("a free string leaf holds a string") }
            return text
        }
    }
}

/// Why a structured output cannot count.
public enum StructuredOutputDefect: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not JSON, or nested deeper than `Limits.Schema.maxDepth`.
    case notJSON(String)
    /// JSON, but not written as its RFC 8785 canonical form.
    case notCanonical
    /// Canonical JSON that breaks the schema; the first violation.
    case invalid(String)
    /// The reveal's `fieldEmbeddings` are not one per free string of the output.
    case fieldEmbeddingCount(found: Int, freeStrings: Int)
    /// A field embedding whose length is not the request's `bits`.
    case fieldEmbeddingBits(path: FieldPath, found: Int, bits: Int)

    public var description: String {
        switch self {
        case let .notJSON(detail): "output is not JSON: \(detail)"
        case .notCanonical: "output is not in canonical JSON form (RFC 8785)"
        case let .invalid(violation): "output does not match the schema: \(violation)"
        case let .fieldEmbeddingCount(found, freeStrings): "\(found) field embeddings for \(freeStrings) free strings"
        case let .fieldEmbeddingBits(path, found, bits): "field embedding of \(path) has \(found) bits, the request uses \(bits)"
        }
    }
}
