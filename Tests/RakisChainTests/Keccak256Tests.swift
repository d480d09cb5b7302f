import RakisChain
import Testing

// Expected digests from eth-utils 6.0.0 `keccak` (eth-hash 0.8.0 over pycryptodome 3.24.1).
@Suite struct Keccak256Tests {
    @Test func emptyInput() {
        #expect(Keccak256.hash([]) == hexBytes("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"))
    }

    @Test func abc() {
        #expect(Keccak256.hash("abc".utf8) == hexBytes("4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"))
    }

    @Test func inputCrossingTheRate() {
        let input = (0..<200).map { UInt8($0) }
        #expect(Keccak256.hash(input) == hexBytes("bfb0aa97863e797943cf7c33bb7e880bb4543f3d2703c0923c6901c2af57b890"))
    }

    /// 135 bytes leave one byte for padding (0x81); 136 fill the block and pad a whole new one.
    @Test func paddingEdges() {
        #expect(Keccak256.hash([UInt8](repeating: 0x61, count: 135)) == hexBytes("34367dc248bbd832f4e3e69dfaac2f92638bd0bbd18f2912ba4ef454919cf446"))
        #expect(Keccak256.hash([UInt8](repeating: 0x61, count: 136)) == hexBytes("a6c4d403279fe3e0af03729caada8374b5ca54d8065329a3ebcaeb4b60aa386e"))
    }

    @Test func nonContiguousSequenceHashesLikeAnArray() {
        let lazyBytes = (0..<200).lazy.map { UInt8($0) }
        #expect(Keccak256.hash(lazyBytes) == Keccak256.hash(Array(lazyBytes)))
    }
}
