import ArgumentParser

@main
struct Rakis: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rakis",
        abstract: "Rakis: a decentralized, trust-minimized LLM inference network.",
        version: RakisVersion.current,
        subcommands: [Demo.self, NodeCommand.self, Ask.self, ChatCommand.self, Submit.self, Verify.self, MCPCommand.self, StoreCommand.self, Simulate.self, Story.self, Generate.self, Embed.self, Models.self, Keys.self, Chain.self, Bench.self]
    )
}

enum RakisVersion {
    static let current = "0.1.0"
}
