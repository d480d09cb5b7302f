import CSecp256k1

/// This module's libsecp256k1 context (RakisNetwork keeps its own for Nostr; neither module
/// depends on the other). Created once because creation precomputes tables; randomized to blind
/// signing against side channels. After that the library only reads it, so it is shared across
/// threads.
final class ChainSecp256k1Context: @unchecked Sendable {
    static let shared = ChainSecp256k1Context()

    let pointer: OpaquePointer

    private init() {
        guard let context = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE)) else {
            fatalError("libsecp256k1 could not create a context")
        }
        var generator = SystemRandomNumberGenerator()
        let seed = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        // Only a broken library fails to randomize; signing stays correct without blinding.
        _ = secp256k1_context_randomize(context, seed)
        pointer = context
    }
}
