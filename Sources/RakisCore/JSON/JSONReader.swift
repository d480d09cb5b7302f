/// A JSON document that parsed but does not have the expected shape,
/// located by a dotted path such as `packet.frame.quorum` or `packet.models[2]`.
public struct JSONShapeError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String {
        "\(path): \(message)"
    }
}

extension JSONValue {
    /// The JSON type name, for error messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

/// Typed access to the members of a JSON object. Every failure reports the
/// path of the offending field, so decoders built on it produce actionable
/// messages without tracking paths themselves.
///
/// The `optional…` accessors treat a missing member and an explicit `null`
/// alike; a member of the wrong type is always an error.
public struct JSONObjectReader: Sendable {
    public let path: String
    private let members: [String: JSONValue]

    /// The largest magnitude at which every integer is exactly representable
    /// as a double, and therefore survives a round trip through JSON.
    private static let maxSafeInteger: Double = 9_007_199_254_740_991

    public init(_ value: JSONValue, path: String) throws {
        guard case .object(let members) = value else {
            throw JSONShapeError(path: path, message: "expected an object, found \(value.typeName)")
        }
        self.path = path
        self.members = members
    }

    public func childPath(_ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    // MARK: Any value

    public func value(_ key: String) throws -> JSONValue {
        guard let value = members[key] else {
            throw JSONShapeError(path: childPath(key), message: "missing required field")
        }
        return value
    }

    /// The member, or nil when it is absent or `null`.
    public func optionalValue(_ key: String) -> JSONValue? {
        presentValue(key)
    }

    /// The member, or nil when it is absent or `null`.
    private func presentValue(_ key: String) -> JSONValue? {
        switch members[key] {
        case nil, .null?: nil
        case let value?: value
        }
    }

    // MARK: Strings

    public func string(_ key: String) throws -> String {
        try Self.string(from: value(key), path: childPath(key))
    }

    public func optionalString(_ key: String) throws -> String? {
        try presentValue(key).map { try Self.string(from: $0, path: childPath(key)) }
    }

    /// An array whose elements must all be strings; element errors are
    /// reported as `path.key[index]`.
    public func stringArray(_ key: String) throws -> [String] {
        let elements = try array(key)
        var strings: [String] = []
        strings.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            strings.append(try Self.string(from: element, path: "\(childPath(key))[\(index)]"))
        }
        return strings
    }

    private static func string(from value: JSONValue, path: String) throws -> String {
        guard case .string(let string) = value else {
            throw JSONShapeError(path: path, message: "expected a string, found \(value.typeName)")
        }
        return string
    }

    // MARK: Booleans

    public func bool(_ key: String) throws -> Bool {
        let value = try value(key)
        guard case .bool(let bool) = value else {
            throw JSONShapeError(path: childPath(key), message: "expected a boolean, found \(value.typeName)")
        }
        return bool
    }

    public func optionalBool(_ key: String) throws -> Bool? {
        try presentValue(key).map { _ in try bool(key) }
    }

    // MARK: Numbers

    public func double(_ key: String) throws -> Double {
        try Self.double(from: value(key), path: childPath(key))
    }

    public func optionalDouble(_ key: String) throws -> Double? {
        try presentValue(key).map { try Self.double(from: $0, path: childPath(key)) }
    }

    /// A number with no fractional part within ±(2^53 − 1): beyond that range
    /// a double can no longer tell neighbouring integers apart.
    public func int(_ key: String) throws -> Int {
        try Self.int(from: value(key), path: childPath(key))
    }

    public func optionalInt(_ key: String) throws -> Int? {
        try presentValue(key).map { try Self.int(from: $0, path: childPath(key)) }
    }

    private static func double(from value: JSONValue, path: String) throws -> Double {
        guard case .number(let number) = value else {
            throw JSONShapeError(path: path, message: "expected a number, found \(value.typeName)")
        }
        return number
    }

    private static func int(from value: JSONValue, path: String) throws -> Int {
        guard case .number(let number) = value else {
            throw JSONShapeError(path: path, message: "expected an integer, found \(value.typeName)")
        }
        guard number.magnitude <= maxSafeInteger else {
            throw JSONShapeError(path: path, message: "expected an integer, found \(ECMAScriptNumber.format(number)), which is outside ±(2^53-1)")
        }
        // Truncate and compare rather than `rounded()`, which needs libm.
        let integer = Int(number)
        guard Double(integer) == number else {
            throw JSONShapeError(path: path, message: "expected an integer, found \(ECMAScriptNumber.format(number)), which has a fractional part")
        }
        return integer
    }

    // MARK: Containers

    public func object(_ key: String) throws -> JSONObjectReader {
        try JSONObjectReader(value(key), path: childPath(key))
    }

    public func optionalObject(_ key: String) throws -> JSONObjectReader? {
        try presentValue(key).map { try JSONObjectReader($0, path: childPath(key)) }
    }

    public func array(_ key: String) throws -> [JSONValue] {
        try Self.array(from: value(key), path: childPath(key))
    }

    public func optionalArray(_ key: String) throws -> [JSONValue]? {
        try presentValue(key).map { try Self.array(from: $0, path: childPath(key)) }
    }

    private static func array(from value: JSONValue, path: String) throws -> [JSONValue] {
        guard case .array(let elements) = value else {
            throw JSONShapeError(path: path, message: "expected an array, found \(value.typeName)")
        }
        return elements
    }

    // MARK: Unknown fields

    /// The member names, sorted.
    public var keys: [String] { members.keys.sorted() }

    /// Rejects members outside `allowed`, naming the first unknown key in
    /// sorted order so the message is deterministic.
    public func rejectUnknownKeys(allowed: Set<String>) throws {
        let unknown = members.keys.filter { !allowed.contains($0) }
        if let first = unknown.min() {
            throw JSONShapeError(path: path, message: "unknown field \(first.debugDescription)")
        }
    }
}
