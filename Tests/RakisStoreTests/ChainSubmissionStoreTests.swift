import Foundation
import Testing
import RakisCore
@testable import RakisStore

/// The chain connector's durable promises: one signed fulfilment and one attested output per
/// contract request, across a reopen, and the log cursor.
@Suite struct ChainSubmissionStoreTests {
    func submission(_ chainRequest: String, nonce: Int, tx: String) -> ChainSubmission {
        ChainSubmission(chainRequest: chainRequest, requestId: Hash256.of(Array(chainRequest.utf8)), txHash: tx,
                        rawTransaction: [0x02, UInt8(nonce)], nonce: nonce, state: .sent)
    }

    @Test func aSecondClaimForTheSameContractRequestGetsTheFirstBackEvenAfterAReopen() throws {
        let path = NodeStoreTests.freshPath()
        let first = submission("1337:0x00000000000000000000000000000000000000aa:7", nonce: 3, tx: "0x01")
        do {
            let store = try NodeStore(path: path)
            #expect(try store.claimSubmission(first, at: 1) == first)
            #expect(try store.claimSubmission(submission(first.chainRequest, nonce: 4, tx: "0x02"), at: 2) == first)
        }
        let reopened = try NodeStore(path: path)
        #expect(try reopened.claimSubmission(submission(first.chainRequest, nonce: 5, tx: "0x03"), at: 3) == first)
        #expect(try reopened.unconfirmedSubmissions() == [first])
        #expect(try reopened.highestSubmissionNonce() == 3)
        try reopened.markSubmission(first.chainRequest, .mined, at: 4)
        #expect(try reopened.unconfirmedSubmissions().isEmpty)
        #expect(try reopened.submission(for: first.chainRequest)?.state == .mined)
    }

    @Test func oneOutputIsAttestedPerContractRequestEvenAfterAReopen() throws {
        let path = NodeStoreTests.freshPath()
        let request = "1337:0x00000000000000000000000000000000000000aa:7"
        let (paris, lyon) = (Hash256.of(Array("Paris".utf8)), Hash256.of(Array("Lyon".utf8)))
        do {
            let store = try NodeStore(path: path)
            #expect(try store.claimAttestation(chainRequest: request, requestId: Hash256.of([1]), outputHash: paris, at: 1))
            #expect(try store.claimAttestation(chainRequest: request, requestId: Hash256.of([2]), outputHash: paris, at: 2),
                    "the same output again (another network request for the same contract request)")
            #expect(try !store.claimAttestation(chainRequest: request, requestId: Hash256.of([2]), outputHash: lyon, at: 3))
        }
        let reopened = try NodeStore(path: path)
        #expect(try !reopened.claimAttestation(chainRequest: request, requestId: Hash256.of([3]), outputHash: lyon, at: 4))
        #expect(try reopened.claimAttestation(chainRequest: request + "8", requestId: Hash256.of([3]), outputHash: lyon, at: 5))
    }

    @Test func theCursorIsKeptPerContract() throws {
        let store = try NodeStore(path: NodeStoreTests.freshPath())
        #expect(try store.chainCursor(contract: "0xaa") == nil)
        try store.setChainCursor(ChainCursor(blockNumber: 5, blockHash: "0x05"), contract: "0xaa", at: 1)
        try store.setChainCursor(ChainCursor(blockNumber: 9, blockHash: "0x09"), contract: "0xaa", at: 2)
        try store.setChainCursor(ChainCursor(blockNumber: 1, blockHash: "0x01"), contract: "0xbb", at: 2)
        #expect(try store.chainCursor(contract: "0xaa") == ChainCursor(blockNumber: 9, blockHash: "0x09"))
        #expect(try store.chainCursor(contract: "0xbb") == ChainCursor(blockNumber: 1, blockHash: "0x01"))
    }
}
