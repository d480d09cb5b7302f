import RakisCore

/// The nonce that tells a local client's request apart from an otherwise identical one: 16 random
/// bytes in hex, drawn by the runtime for every submission (the state machine draws nothing).
enum RequestNonce {
    static func draw() -> String {
        var generator = SystemRandomNumberGenerator()
        return Hex.encode((0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }
}
