import MCP

/// The tools `rakis mcp` offers, with the JSON Schemas of their arguments.
enum RakisTool: String, CaseIterable {
    case ask
    case verifyCertificate = "verify_certificate"
    case networkStatus = "network_status"

    var definition: Tool {
        switch self {
        case .ask:
            Tool(
                name: rawValue,
                title: "Ask the Rakis network",
                description: """
                    Asks a decentralized network of LLM nodes. Several nodes answer independently, commit \
                    to their answers, reveal them, and agree on one by comparing embeddings; the answer \
                    comes with a certificate that this server has already verified against the network's \
                    membership, so it does not depend on trusting the node that relayed it. Takes seconds \
                    to minutes (progress is reported).
                    """,
                inputSchema: .object([
                    "type": "object",
                    "properties": .object([
                        "prompt": ["type": "string", "description": "The question, sent as the user's message."],
                        "system": ["type": "string", "description": "A system message before it."],
                        "models": ["type": "array", "items": ["type": "string"],
                                   "description": "Accepted models, in order of preference (default: the node's first)."],
                        "quorum": ["type": "integer", "minimum": 1, "description": "How many nodes answer and are compared (default 3)."],
                        "secDistance": ["type": "number", "minimum": 0, "maximum": 1,
                                        "description": "Largest normalized Hamming distance between the embeddings of two answers that agree."],
                        "secPercentage": ["type": "number", "minimum": 0, "maximum": 1,
                                          "description": "Share of the quorum the chosen answer's cluster needs."],
                        "maxTokens": ["type": "integer", "minimum": 1, "description": "Tokens each node generates at most."],
                        "temperature": ["type": "number", "minimum": 0, "description": "Sampling temperature (every node draws with the same seed)."],
                        "seed": ["type": "integer", "description": "The sampling seed (default: drawn from the request)."],
                        "schema": ["type": "object",
                                   "description": "A JSON Schema (the subset docs/PROTOCOL.md lists): the answer is JSON matching it, agreed field by field."],
                        "timeoutSeconds": ["type": "number", "exclusiveMinimum": 0, "maximum": .double(AskArguments.maxTimeoutSeconds),
                                           "description": "How long to wait for the network's conclusion (default 180)."],
                    ]),
                    "required": ["prompt"],
                    "additionalProperties": false,
                ]),
                annotations: .init(readOnlyHint: false, openWorldHint: true)
            )
        case .verifyCertificate:
            Tool(
                name: rawValue,
                title: "Verify a Rakis certificate",
                description: """
                    Verifies a Rakis result certificate (rakis-certificate/1) offline: every signature, \
                    that its committee is the one the network's membership draws for the request, that each \
                    reveal matches its commitment, and that consensus over the revealed embeddings gives the \
                    claimed answer. Returns the verified answer, or says why the certificate does not verify.
                    """,
                inputSchema: .object([
                    "type": "object",
                    "properties": .object([
                        "certificate": ["type": ["object", "string"],
                                        "description": "The certificate: the JSON object `ask` returned, or the file's text."],
                    ]),
                    "required": ["certificate"],
                    "additionalProperties": false,
                ]),
                annotations: .init(readOnlyHint: true, idempotentHint: true, openWorldHint: false)
            )
        case .networkStatus:
            Tool(
                name: rawValue,
                title: "Rakis node and network status",
                description: "The node's identity, its models, the models the network serves, its peers and its transports.",
                inputSchema: .object(["type": "object", "properties": .object([:]), "additionalProperties": false]),
                annotations: .init(readOnlyHint: true, openWorldHint: true)
            )
        }
    }
}
