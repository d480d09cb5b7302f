import MCP
import RakisCore

/// The SDK's `Value` and the protocol's `JSONValue` hold the same JSON; numbers are doubles on our
/// side, and integral ones go back as integers so that schemas asking for integers see them.
extension JSONValue {
    init(mcp value: MCP.Value) throws(JSONShapeError) {
        switch value {
        case .null: self = .null
        case let .bool(bool): self = .bool(bool)
        case let .int(int): self = .number(Double(int))
        case let .double(double): self = .number(double)
        case let .string(string): self = .string(string)
        case .data: throw JSONShapeError(path: "arguments", message: "binary data is not accepted here")
        case let .array(values):
            var array: [JSONValue] = []
            for element in values { array.append(try JSONValue(mcp: element)) }
            self = .array(array)
        case let .object(members):
            var object: [String: JSONValue] = [:]
            for (key, member) in members { object[key] = try JSONValue(mcp: member) }
            self = .object(object)
        }
    }
}

extension MCP.Value {
    init(json: JSONValue) {
        switch json {
        case .null: self = .null
        case let .bool(bool): self = .bool(bool)
        case let .number(number):
            self = number.rounded() == number && abs(number) < 9.0e15 ? .int(Int(number)) : .double(number)
        case let .string(string): self = .string(string)
        case let .array(values): self = .array(values.map { MCP.Value(json: $0) })
        case let .object(members): self = .object(members.mapValues { MCP.Value(json: $0) })
        }
    }
}
