/// The JSON Schema a structured request's answer must match (the request's `format`), from the
/// subset that `SchemaParser` reads: closed objects, strings (free or enumerated), integers,
/// numbers, booleans, bounded arrays, and `any` values.
///
/// The schema keeps the JSON the client sent beside the tree parsed from it: the request's id
/// hashes that JSON's canonical form, annotations (`title`, `description`) included, so the id is
/// exactly what the client signed up for, and the tree is only ever derived from it.
public struct OutputSchema: Sendable, Hashable {
    /// The schema as given, written into the request under `format`.
    public let json: JSONValue
    public let root: SchemaNode

    /// Reads a schema, refusing what the subset does not support and what exceeds
    /// `Limits.Schema`; errors name the place, as in `format.properties.age: unsupported keyword "const"`.
    public init(json: JSONValue, path: String) throws(JSONShapeError) {
        let size = json.canonicalBytes().count
        guard size <= Limits.Schema.maxCanonicalBytes else {
            throw JSONShapeError(path: path, message: "schema is \(size) bytes of canonical JSON, limit \(Limits.Schema.maxCanonicalBytes)")
        }
        self.json = json
        root = try SchemaParser.parse(json, path: path)
    }

    /// OpenAI's `{"type":"json_object"}` mode: any object, its values of any kind.
    public static let anyObject = try! OutputSchema(json: ["type": "object"], path: "format")

    public static func == (a: OutputSchema, b: OutputSchema) -> Bool { a.json == b.json }
    public func hash(into hasher: inout Hasher) { hasher.combine(json) }
}
