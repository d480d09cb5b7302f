import RakisCore
import RakisNode
import RakisRuntime

/// Signs a client's request as this node's and waits for its conclusion, for both APIs.
struct Submission {
    let node: any NodeService

    func submit(_ spec: RequestSpec) async throws -> Hash256 {
        do {
            return try await node.submit(spec)
        } catch {
            throw APIError(status: error.code == "tooLarge" ? .contentTooLarge : .badRequest,
                           message: "the request was refused: \(error)", type: "invalid_request_error", param: nil)
        }
    }

    /// The node concludes every request by its deadlines, unless it is shutting down (or too
    /// many clients wait already).
    func conclusion(of requestId: Hash256) async throws -> RequestConclusion {
        guard let conclusion = await node.conclusion(of: requestId) else { throw APIError.notConcluded(requestId) }
        return conclusion
    }
}
