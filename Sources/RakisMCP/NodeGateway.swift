import RakisCore

/// What the MCP tools need of a Rakis node: its native HTTP API (`rakis node --api`), nothing
/// more. The node is not trusted with the answer: every answer it relays is checked against its
/// certificate on this side (`CertificateCheck`), so a lying node can refuse or delay, never forge.
public protocol NodeGateway: Sendable {
    /// `POST /api/requests`: the request's id.
    func submit(_ body: JSONValue) async throws(GatewayError) -> String
    /// `GET /api/requests/ID`: the request's story as the node has seen it.
    func story(of requestId: String) async throws(GatewayError) -> JSONValue
    /// `GET /api/requests/ID/certificate`: the certificate file's bytes (rakis-certificate/1).
    func certificate(of requestId: String) async throws(GatewayError) -> [UInt8]
    /// `GET /api/status`.
    func status() async throws(GatewayError) -> JSONValue
}

/// A node that could not be reached or that refused, said so that an agent can act on it.
public struct GatewayError: Error, CustomStringConvertible, Sendable {
    public let description: String
    /// The node's HTTP status, when it answered.
    public let status: Int?

    public init(_ description: String, status: Int? = nil) {
        self.description = description
        self.status = status
    }
}

/// Verifies a certificate file offline against the network's membership and returns the
/// verified certificate as JSON (the view `rakis verify --json` prints), or throws saying why it
/// does not verify. The command line supplies it, with the membership from its own settings.
public typealias CertificateCheck = @Sendable ([UInt8]) async throws -> JSONValue
