import RakisCore

/// How far a request has come, read from the node's story of it (`GET /api/requests/ID`): a count
/// that grows with each commit, the quorum and each reveal (MCP's progress must only grow), a line
/// for the agent's user, and whether the request has concluded.
struct AskProgress: Equatable {
    let steps: Int
    let message: String
    let concluded: Bool

    init(story: JSONValue) {
        guard case let .object(fields) = story else {
            self.steps = 0
            self.message = "waiting for the node"
            self.concluded = false
            return
        }
        let commits = Self.count(fields["commits"])
        let reveals = Self.count(fields["reveals"])
        var members = 0
        if case let .object(quorum)? = fields["quorum"] { members = Self.count(quorum["members"]) }
        let concluded = if case .object? = fields["result"] { true } else { false }
        self.steps = 1 + commits + (members > 0 ? 1 : 0) + reveals + (concluded ? 1 : 0)
        self.concluded = concluded
        self.message = if concluded {
            "concluded"
        } else if members > 0 {
            "quorum of \(members) fixed; \(reveals) of \(members) revealed"
        } else {
            "\(commits) commit\(commits == 1 ? "" : "s") so far; waiting for the quorum"
        }
    }

    private static func count(_ value: JSONValue?) -> Int {
        if case let .array(elements)? = value { elements.count } else { 0 }
    }
}
