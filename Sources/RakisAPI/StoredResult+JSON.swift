import RakisCore
import RakisNode
import RakisStore

extension StoredResult {
    /// How clients see how a request ended (`rakis submit --json`, `rakis store show`, the HTTP
    /// API, the event stream): the status, and the chosen output or the failure. The certificate
    /// is left to the caller, which may want it inline or only as a flag.
    public var json: JSONValue { .object(jsonFields) }

    /// The view's fields, for views that add to them.
    var jsonFields: [String: JSONValue] {
        Self.jsonFields(requestId: requestId, outcome: outcome, concludedAt: concludedAt)
    }

    /// The fields of a result, stored or just concluded (whose certificate need not be serialized for them).
    static func jsonFields(requestId: Hash256, outcome: Outcome, concludedAt: Millis) -> [String: JSONValue] {
        var object: [String: JSONValue] = ["requestId": .string(requestId.hex), "concludedAt": .number(Double(concludedAt))]
        switch outcome {
        case let .final(chosen):
            object["status"] = "final"
            object["output"] = .string(chosen.output)
            object["model"] = .string(chosen.model)
            object["node"] = .string(chosen.node.hex)
            object["commitment"] = .string(chosen.commitment.hex)
            object["cluster"] = .array(chosen.cluster.map { .string($0.hex) })
        case let .failed(failure):
            object["status"] = "failed"
            object["failure"] = .string(failure.code)
            object["reason"] = .string(failure.reason)
        }
        return object
    }
}

extension RequestConclusion {
    /// The result's view with the certificate inline, when there was a quorum.
    public var json: JSONValue {
        var object = StoredResult.jsonFields(requestId: requestId, outcome: StoredResult.Outcome(outcome), concludedAt: concludedAt)
        if let certificate { object["certificate"] = certificate.json }
        return .object(object)
    }
}
