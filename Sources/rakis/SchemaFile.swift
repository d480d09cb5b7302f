import Foundation
import RakisCore

/// A `--schema FILE` argument: the JSON Schema a structured request's answer must match.
enum SchemaFile {
    /// The file's JSON, or a failure that names the file.
    static func json(at path: String) throws -> JSONValue {
        guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure("cannot read the schema \(path)") }
        do {
            return try JSONParser.parse(Array(data))
        } catch {
            throw CommandFailure("\(path) is not JSON: \(error)")
        }
    }

    /// The file read as an output schema, refused as the protocol refuses it (by keyword and place).
    static func schema(at path: String) throws -> OutputSchema {
        do {
            return try OutputSchema(json: json(at: path), path: path)
        } catch let error as JSONShapeError {
            throw CommandFailure("\(error)")
        }
    }
}
