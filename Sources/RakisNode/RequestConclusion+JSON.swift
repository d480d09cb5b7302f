import RakisCore

extension RequestConclusion {
    /// How clients see a conclusion (`rakis submit --json`, the HTTP API): the status, the chosen
    /// output or the failure, and the certificate when there was a quorum.
    public var json: JSONValue {
        var object: [String: JSONValue] = ["requestId": .string(requestId.hex), "concludedAt": .number(Double(concludedAt))]
        switch outcome {
        case let .final(chosen):
            object["status"] = "final"
            object["output"] = .string(chosen.output)
            object["model"] = .string(chosen.model)
            object["node"] = .string(chosen.node.hex)
            object["commitment"] = .string(chosen.commitment.hex)
            object["cluster"] = .array(chosen.members.map { .string($0.hex) })
        case let .failed(failure):
            object["status"] = "failed"
            object["failure"] = .string(failure.code)
            object["reason"] = .string(failure.description)
        }
        if let certificate {
            object["certificate"] = certificate.json
        }
        return .object(object)
    }
}
