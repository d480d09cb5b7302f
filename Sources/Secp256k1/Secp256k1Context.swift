import CSecp256k1

/// The one libsecp256k1 context of the process, shared by Nostr's Schnorr signatures
/// (RakisNetwork) and the chain's recoverable ECDSA (RakisChain).
///
/// Creating a context precomputes tables, so it is done once. After `secp256k1_context_randomize`
/// (which blinds signing against side channels) the library only reads the context, so one
/// context may be used from any number of threads at once; that is why it is `@unchecked Sendable`.
public final class Secp256k1Context: @unchecked Sendable {
    public static let shared = Secp256k1Context()

    public let pointer: OpaquePointer

    private init() {
        guard let context = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE)) else {
            fatalError("libsecp256k1 could not create a context")
        }
        var generator = SystemRandomNumberGenerator()
        let seed = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        // Randomization can only fail on a broken library; signing stays correct without it.
        _ = secp256k1_context_randomize(context, seed)
        pointer = context
    }
}
