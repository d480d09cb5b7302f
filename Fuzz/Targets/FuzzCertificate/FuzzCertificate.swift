import FuzzSupport
import RakisCore

/// Arbitrary bytes as a certificate file: read or refused, and a file that is read is verified
/// (against an allowlist no signer is in) without crashing the verifier.
@_cdecl("FuzzCertificate_main")
func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    let membership = Membership.equalWeights([NodeIdentity(deterministicLabel: "fuzz member").nodeId])
    return FuzzDriver.run(argc, argv) { bytes in
        guard let bundle = try? CertificateBundle(jsonBytes: bytes) else { return }
        _ = try? CertificateVerifier.verify(bundle, membership: membership)
    }
}
