/// A certificate file: the signed result packets of one request, as the fixer and members that
/// concluded published them, so that anyone can check the outcome offline and forever.
///
/// `{"format": "rakis-certificate/1", "network": name, "results": [result envelopes]}`, in canonical
/// JSON. The results carry the same certificate, one per signer, sorted by signer, so a file has
/// one spelling. Building a bundle checks only that shape; `CertificateVerifier` checks what it proves.
public struct CertificateBundle: Sendable {
    public static let format = "rakis-certificate/1"

    public let network: String
    /// Result packets sorted by signer.
    public let results: [Envelope]

    public init(network: String, results: [Envelope]) throws(CertificateError) {
        let results = results.sorted { $0.sender < $1.sender }
        guard !results.isEmpty else { throw .noResults }
        for (index, envelope) in results.enumerated() {
            let path = "results[\(index)]"
            guard let result = envelope.result else { throw .notAResult(path: path, type: envelope.packet.body.typeName) }
            guard index > 0 else { continue }
            let first = results[0].result!
            guard envelope.sender != results[index - 1].sender else { throw .duplicateSigner(path: path, signer: envelope.sender) }
            guard result.requestId == first.requestId else { throw .differentRequests(path: path) }
            guard result.json == first.json else { throw .differentCertificates(path: path) }
        }
        self.network = network
        self.results = results
    }

    /// Reads a certificate file. Whitespace is free; anything else must be as `json` writes it.
    public init(jsonBytes: [UInt8]) throws(CertificateError) {
        let (network, results) = try Self.read(jsonBytes)
        try self.init(network: network, results: results)
    }

    private static func read(_ jsonBytes: [UInt8]) throws(CertificateError) -> (network: String, results: [Envelope]) {
        do {
            // The file nests each result envelope two levels deeper than the wire does.
            let value = try JSONParser.parse(jsonBytes, maxDepth: Limits.maxJSONDepth + 2)
            let reader = try JSONObjectReader(value, path: "certificate")
            try reader.rejectUnknownKeys(allowed: ["format", "network", "results"])
            let format = try reader.string("format")
            guard format == Self.format else { throw CertificateError.unsupportedFormat(format) }
            let results = try reader.array("results").enumerated().map { index, value in
                try Envelope(json: value, path: "results[\(index)]")
            }
            guard zip(results, results.dropFirst()).allSatisfy({ $0.sender <= $1.sender }) else {
                throw CertificateError.unsortedResults
            }
            return (try reader.string("network"), results)
        } catch let error as CertificateError {
            throw error
        } catch {
            throw .malformed("\(error)")
        }
    }

    public var json: JSONValue {
        ["format": .string(Self.format), "network": .string(network), "results": .array(results.map(\.json))]
    }

    /// The file's bytes.
    public var canonicalBytes: [UInt8] { json.canonicalBytes() }

    /// The certificate every result carries.
    public var certificate: ResultCertificate { results[0].result! }

    /// The request the certificate is about.
    public var request: InferenceRequest { certificate.quorum.quorum!.request.request! }
}
