import RakisChain

/// Bytes of hex written for reading: whitespace is ignored, so ABI data can go one word a line.
func hexBytes(_ text: String) -> [UInt8] {
    guard let bytes = EthereumHex.decode("0x" + text.filter { !$0.isWhitespace }) else {
        preconditionFailure("test literal is not hex: \(text)")
    }
    return bytes
}
