import RakisCore

extension StoredResult {
    /// The stored outcome as clients see it (`rakis store show`, the API's request story);
    /// the certificate is left to the caller, which may or may not want it inline.
    public var json: JSONValue {
        var object: [String: JSONValue] = ["requestId": .string(requestId.hex), "concludedAt": .number(Double(concludedAt))]
        switch outcome {
        case let .final(node, model, output, commitment, members):
            object["status"] = "final"
            object["node"] = .string(node)
            object["model"] = .string(model)
            object["output"] = .string(output)
            object["commitment"] = .string(commitment)
            object["cluster"] = .array(members.map(JSONValue.string))
        case let .failed(code, reason):
            object["status"] = "failed"
            object["failure"] = .string(code)
            object["reason"] = .string(reason)
        }
        return .object(object)
    }
}
