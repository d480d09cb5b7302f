import ArgumentParser
import Foundation
import MCP
import RakisCore
import RakisMCP

struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve the Model Context Protocol over stdio: tools that let an agent ask the network and verify certificates.",
        discussion: """
            For an MCP client (Claude Desktop, an agent framework, the Python `mcp` package) that starts \
            it as a subprocess. Tools: `ask` (a prompt with the security frame: models, quorum, \
            secDistance, secPercentage, maxTokens, temperature, seed, a JSON Schema; waits for the \
            network's conclusion, reporting progress), `verify_certificate` (a certificate, checked \
            offline) and `network_status`. The questions go to the node at --node; every answer comes \
            back with its certificate, verified here against the membership of this command's own \
            settings (--config, RAKIS_* variables, --membership, --member, as for `rakis verify`), so the \
            agent need not trust that node. Standard output carries the protocol; logs go to standard error.
            """
    )

    @Option(help: "The node's API.") var node = "http://127.0.0.1:7480"
    @Option(help: "The node's API key (rakis keys api create); default: $RAKIS_API_KEY, which keeps it out of shell history and client configs.")
    var apiKey: String?
    @OptionGroup(title: "Network settings (the membership certificates are held to)") var network: NodeOptions

    func run() async throws {
        let settings = try network.settings(forNode: false)
        _ = try settings.membership.membership()
        let key = apiKey ?? ProcessInfo.processInfo.environment["RAKIS_API_KEY"]
        let check: CertificateCheck = { bytes in
            let bundle = try CertificateBundle(jsonBytes: bytes)
            let (membership, _) = try await settings.networkMembership(logger: nil)
            return Verify.json(try CertificateVerifier.verify(bundle, membership: membership, reembed: nil))
        }
        let server = RakisMCPServer(gateway: HTTPNodeGateway(base: node, apiKey: key), check: check)
        try await server.serve(over: StdioTransport(), version: RakisVersion.current)
    }
}
