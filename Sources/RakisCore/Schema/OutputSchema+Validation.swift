extension OutputSchema {
    /// The first place where `value` breaks the schema, as `$.path: what is wrong`, or nil if it
    /// validates. Places are visited in canonical order, so the answer is the same everywhere.
    public func validate(_ value: JSONValue) -> String? {
        root.violation(in: value, at: .root)
    }
}

extension SchemaNode {
    func violation(in value: JSONValue, at path: FieldPath) -> String? {
        func expected(_ what: String) -> String { "\(path): expected \(what), found \(value.typeName)" }
        switch (self, value) {
        case let (.object(object), .object(members)):
            for key in members.keys.sorted(by: JSONValue.utf16Precedes) where object.property(named: key) == nil {
                return "\(path): unknown field \(key.debugDescription)"
            }
            for property in object.properties {
                let propertyPath = path.appending(key: property.name)
                guard let member = members.member(named: property.name) else {
                    if property.isRequired { return "\(propertyPath): missing required field" }
                    continue
                }
                if let violation = property.node.violation(in: member, at: propertyPath) { return violation }
            }
            if object.choosesOne, members.count != 1 {
                return "\(path): expected exactly one of \(object.properties.map(\.name.debugDescription).joined(separator: ", ")), found \(members.count)"
            }
            return nil
        case (.object, _):
            return expected("an object")
        case (.anyObject, .object), (.anyValue, _):
            return nil
        case (.anyObject, _):
            return expected("an object")
        case let (.string(string), .string(text)):
            return string.violation(in: text, at: path)
        case (.string, _):
            return expected("a string")
        case let (.integer(bounds), .number(number)):
            guard number.magnitude <= Double(SchemaParser.safeIntegers.upperBound), Double(Int(number)) == number else {
                return "\(path): expected an integer within ±(2^53-1), found \(ECMAScriptNumber.format(number))"
            }
            return bounds.violation(by: number, at: path)
        case (.integer, _):
            return expected("an integer")
        case let (.number(bounds), .number(number)):
            return bounds.violation(by: number, at: path)
        case (.number, _):
            return expected("a number")
        case (.boolean, .bool):
            return nil
        case (.boolean, _):
            return expected("a boolean")
        case let (.array(array), .array(elements)):
            guard (array.minItems...array.maxItems).contains(elements.count) else {
                return "\(path): \(elements.count) items, the schema allows \(array.minItems) to \(array.maxItems)"
            }
            for (index, element) in elements.enumerated() {
                if let violation = array.items.violation(in: element, at: path.appending(index: index)) { return violation }
            }
            return nil
        case (.array, _):
            return expected("an array")
        }
    }
}

extension StringSchema {
    /// Whether the text's length in code points lies within minLength and maxLength.
    func admitsLength(_ text: String) -> Bool {
        let length = text.unicodeScalars.count
        return length >= minLength && (maxLength.map { length <= $0 } ?? true)
    }

    func violation(in text: String, at path: FieldPath) -> String? {
        // Enum values match by bytes, as canonical outputs are compared.
        if let allowed, !allowed.contains(where: { $0.utf8.elementsEqual(text.utf8) }) {
            return "\(path): \(JSONValue.string(text).canonicalString) is not one of the enum values"
        }
        guard admitsLength(text) else {
            return "\(path): \(text.unicodeScalars.count) code points, the schema allows \(minLength) to \(maxLength.map(String.init) ?? "any number")"
        }
        return nil
    }
}

extension NumberBounds {
    func violation(by number: Double, at path: FieldPath) -> String? {
        if let minimum, number < minimum { return "\(path): \(ECMAScriptNumber.format(number)) is below the minimum \(ECMAScriptNumber.format(minimum))" }
        if let maximum, number > maximum { return "\(path): \(ECMAScriptNumber.format(number)) is above the maximum \(ECMAScriptNumber.format(maximum))" }
        return nil
    }
}

extension Dictionary where Key == String, Value == JSONValue {
    /// The member whose key has exactly these bytes: `Dictionary` matches canonically equivalent
    /// strings, but canonical JSON tells them apart.
    func member(named name: String) -> JSONValue? {
        guard let value = self[name], keys.contains(where: { $0.utf8.elementsEqual(name.utf8) }) else { return nil }
        return value
    }
}
