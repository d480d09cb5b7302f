import RakisCore
import RakisRuntime
import RakisStore

extension RequestStory {
    /// The story as the API and the dashboard show it.
    var json: JSONValue {
        var object: [String: JSONValue] = [
            "requestId": .string(request.id.hex),
            "origin": .string(origin.hex),
            "phase": .string(phase.map { "\($0)" } ?? "unknown"),
            "request": request.json,
            "steps": .array(steps.map { step in
                ["type": .string(step.type), "sender": .string(step.sender.hex), "at": .number(Double(step.storedAt)),
                 "transports": .array(step.transports.map(JSONValue.string))]
            }),
            "commits": .array(commits.map { commit in
                ["node": .string(commit.node.hex), "model": .string(commit.model), "commitment": .string(commit.commitment.hex),
                 "at": .number(Double(commit.at))]
            }),
            "reveals": .array(reveals.map { reveal in
                ["node": .string(reveal.node.hex), "model": .string(reveal.model), "output": .string(reveal.output),
                 "commitment": .string(reveal.commitment.hex), "matchesCommit": .bool(reveal.matchesCommit),
                 "embedding": .string(reveal.embedding.hex), "at": .number(Double(reveal.at))]
            }),
        ]
        object["quorum"] = quorum.map { quorum in
            ["fixer": .string(quorum.fixer.hex), "members": .array(quorum.members.map { .string($0.hex) }), "at": .number(Double(quorum.at))]
        } ?? .null
        object["result"] = result.map { result in
            var fields = result.jsonFields
            fields["hasCertificate"] = .bool(result.certificate != nil)
            return .object(fields)
        } ?? .null
        return .object(object)
    }
}
