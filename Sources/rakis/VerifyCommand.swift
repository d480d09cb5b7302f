import ArgumentParser
import Foundation
import RakisCore
import RakisEngine

struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Verify a result certificate file offline.",
        discussion: """
        Checks every signature in the file (result packets, quorum, request, commits, reveals), that \
        the quorum is one nodes adopt, that each member's reveal re-derives its commitment, and that \
        consensus over the revealed embeddings gives the outcome the certificate claims. With \
        --reembed it also embeds every revealed output with the request's embedding model and \
        judges each reveal by its own bits, as a node does. The certificate is held to the network's \
        membership from this command's own settings (--config, RAKIS_* variables, --membership, \
        --member, --ticket-difficulty), never from the file: its members must be the committee the \
        rank rule draws for the request. On a stake network that is the oracle's registry as the chain \
        holds it now (--chain-rpc, --oracle): a certificate whose members have left since does not verify. Exits 1 if the certificate does not verify.
        """
    )

    @Argument(help: "The certificate file (rakis-certificate/1).") var file: String
    @Flag(help: "Re-embed every revealed output and require the revealed bits.") var reembed = false
    @Flag(help: "Print the verified certificate as one JSON object.") var json = false
    @OptionGroup(title: "Network settings (the membership the certificate is held to)") var node: NodeOptions

    func run() async throws {
        let bytes: [UInt8]
        do {
            bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
        } catch {
            throw CommandFailure("\(file): \(error.localizedDescription)")
        }
        let bundle: CertificateBundle
        do {
            bundle = try CertificateBundle(jsonBytes: bytes)
        } catch {
            throw CommandFailure("\(error)")
        }
        let embed: ((String) -> BinaryEmbedding)? = try reembed ? embedder(for: bundle.request.embedding.model) : nil
        let verified: VerifiedCertificate
        do {
            let (membership, _) = try await node.settings(forNode: false).networkMembership(logger: nil)
            verified = try CertificateVerifier.verify(bundle, membership: membership, reembed: embed)
        } catch {
            throw CommandFailure("\(error)")
        }
        if json {
            print(String(decoding: Self.json(verified).canonicalBytes(), as: UTF8.self))
        } else {
            print(Self.summary(verified))
        }
    }

    /// The request's embedding model as the node runs it: the binary embedding of the whole output.
    private func embedder(for model: String) throws -> (String) -> BinaryEmbedding {
        let embedder: SentenceEmbedder
        do {
            embedder = try SentenceEmbedder(directory: Models.store().resolve(model))
        } catch {
            throw CommandFailure("cannot load embedding model \(model): \(error)")
        }
        return { BinaryEmbedding(signsOf: embedder.embed($0)) }
    }

    static func summary(_ verified: VerifiedCertificate) -> String {
        let request = verified.request
        var lines = [
            "Certificate verified: request \(verified.requestId.hex) on network \(verified.network)",
            "  input: \(describe(request.input))",
            "  models: \(request.models.joined(separator: ", ")); embedding \(request.embedding.model), \(request.embedding.bits) bits",
            "  committee of \(request.frame.quorum) seats fixed by \(verified.fixer.short)\(verified.fixer == request.origin.node ? " (origin)" : " (fallback)"): "
                + verified.members.map { "\($0.short) (\(verified.models[$0]!), \(verified.seats[$0] ?? 0) seat\(verified.seats[$0] == 1 ? "" : "s"))" }
                .joined(separator: ", "),
        ]
        if !verified.absentMembers.isEmpty {
            lines.append("  decided without the reveals of: " + verified.absentMembers.map(\.short).joined(separator: ", "))
        }
        if let agreement = verified.agreement {
            lines.append("  outcome: agreed, output of \(agreement.author.short) (\(agreement.model)), commitment \(agreement.commitment.hex)")
            lines.append("  cluster: \(agreement.cluster.count) of \(request.frame.quorum): " + agreement.cluster.map(\.short).joined(separator: ", "))
        }
        if case let .failed(reason) = verified.outcome {
            lines.append("  outcome: failed: \(reason)")
        }
        if let fields = verified.fieldOutcome {
            for field in fields.agreed {
                lines.append("  field \(field.path): \(field.value?.canonicalString ?? "absent"), agreed by \(field.cluster.count)")
            }
            for path in fields.unresolved { lines.append("  field \(path): unresolved") }
        }
        for discounted in verified.discountedReveals {
            lines.append("  not counted: \(discounted.member.short): \(discounted.reason)")
        }
        lines.append("  signed by: " + verified.signers.map(\.short).joined(separator: ", "))
        if let agreement = verified.agreement {
            lines.append("")
            lines.append(agreement.output)
        }
        return lines.joined(separator: "\n")
    }

    private static func describe(_ input: RequestInput) -> String {
        switch input {
        case let .prompt(text): "prompt \(text.debugDescription)"
        case let .messages(messages): "\(messages.count) messages, last \(messages.last!.role): \(messages.last!.content.debugDescription)"
        }
    }

    static func json(_ verified: VerifiedCertificate) -> JSONValue {
        var object: [String: JSONValue] = [
            "requestId": .string(verified.requestId.hex),
            "network": .string(verified.network),
            "request": verified.request.json,
            "fixer": .string(verified.fixer.hex),
            "members": .array(verified.members.map { .string($0.hex) }),
            "seats": .object(Dictionary(uniqueKeysWithValues: verified.members.map { ($0.hex, JSONValue.number(Double(verified.seats[$0] ?? 0))) })),
            "models": .object(Dictionary(uniqueKeysWithValues: verified.members.map { ($0.hex, JSONValue.string(verified.models[$0]!)) })),
            "absentMembers": .array(verified.absentMembers.map { .string($0.hex) }),
            "outcome": verified.outcome.json,
            "signers": .array(verified.signers.map { .string($0.hex) }),
            "notCounted": .array(verified.discountedReveals.map { ["member": .string($0.member.hex), "reason": .string($0.reason)] }),
        ]
        if let agreement = verified.agreement {
            object["output"] = .string(agreement.output)
            object["author"] = .string(agreement.author.hex)
            object["model"] = .string(agreement.model)
            object["cluster"] = .array(agreement.cluster.map { .string($0.hex) })
        }
        if let fields = verified.fieldOutcome {
            object["fields"] = [
                "agreed": .array(fields.agreed.map { field in
                    ["path": .string(field.path.description), "value": field.value ?? .null, "absent": .bool(field.value == nil),
                     "cluster": .array(field.cluster.map { .string($0.hex) })]
                }),
                "unresolved": .array(fields.unresolved.map { .string($0.description) }),
            ]
        }
        return .object(object)
    }
}
