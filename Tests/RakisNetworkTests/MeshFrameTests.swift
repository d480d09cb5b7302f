import NIOCore
import RakisCore
import Testing
@testable import RakisNetwork

@Suite struct MeshFrameTests {
    let limit = 1024

    @Test func framesRoundTripBackToBack() throws {
        var buffer = MeshFrame.encode(.packet, payload: Array("hello mesh".utf8), allocator: ByteBufferAllocator())
        #expect(buffer.readableBytes == MeshFrame.overheadBytes + 10)
        var second = MeshFrame.encode(.peers, payload: [7], allocator: ByteBufferAllocator())
        buffer.writeBuffer(&second)

        let first = try #require(try MeshFrame.parse(&buffer, maxFrameBytes: limit))
        #expect(first.kind == .packet)
        #expect(Array(first.payload.readableBytesView) == Array("hello mesh".utf8))
        #expect(first.wireBytes == 15)
        let next = try #require(try MeshFrame.parse(&buffer, maxFrameBytes: limit))
        #expect(next.kind == .peers)
        #expect(Array(next.payload.readableBytesView) == [7])
        #expect(buffer.readableBytes == 0)
        #expect(try MeshFrame.parse(&buffer, maxFrameBytes: limit) == nil)
    }

    @Test func oversizedLengthIsRejectedFromTheHeaderAlone() {
        // Only the 4-byte length has arrived: the frame is refused without waiting for its payload.
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt32(limit + 1))
        #expect(throws: MeshFrameError.oversized(length: limit + 1, limit: limit)) {
            try MeshFrame.parse(&buffer, maxFrameBytes: limit)
        }
    }

    @Test func truncatedInputWaitsForTheRest() throws {
        let frame = MeshFrame.encode(.packet, payload: [UInt8](repeating: 9, count: 100), allocator: ByteBufferAllocator())
        let bytes = Array(frame.readableBytesView)
        var buffer = ByteBuffer()
        for cut in [2, 5, 50, bytes.count - 1] {
            buffer = ByteBuffer(bytes: bytes[..<cut])
            #expect(try MeshFrame.parse(&buffer, maxFrameBytes: limit) == nil, "\(cut) bytes are not a frame yet")
            #expect(buffer.readableBytes == cut, "nothing is consumed while waiting")
        }
        buffer.writeBytes(bytes[(bytes.count - 1)...])
        let parsed = try #require(try MeshFrame.parse(&buffer, maxFrameBytes: limit))
        #expect(parsed.payload.readableBytes == 100)
    }

    @Test func emptyAndUnknownFramesAreRejected() {
        var empty = ByteBuffer(bytes: [0, 0, 0, 0])
        #expect(throws: MeshFrameError.empty) { try MeshFrame.parse(&empty, maxFrameBytes: limit) }
        var unknown = ByteBuffer(bytes: [0, 0, 0, 2, 42, 0])
        #expect(throws: MeshFrameError.unknownType(42)) { try MeshFrame.parse(&unknown, maxFrameBytes: limit) }
    }

    @Test func helloRoundTripsAndDetectsTampering() throws {
        let identity = NodeIdentity(deterministicLabel: "hello codec")
        let hello = MeshHello.signed(by: identity, network: "net", address: MeshAddress("10.0.0.1:7400"), timestamp: 1_700_000_000_000)
        let decoded = try MeshHello(decoding: ByteBuffer(bytes: hello.encoded()))
        #expect(decoded == hello)
        #expect(decoded.hasValidSignature)

        var tampered = decoded
        tampered.network = "other"
        #expect(!tampered.hasValidSignature)
        tampered = decoded
        tampered.timestamp += 1
        #expect(!tampered.hasValidSignature)

        let truncated = Array(hello.encoded().dropLast())
        #expect(throws: MeshProtocolError.malformedHello("signature missing")) { try MeshHello(decoding: ByteBuffer(bytes: truncated)) }
        #expect(throws: MeshProtocolError.malformedHello("1 trailing bytes")) { try MeshHello(decoding: ByteBuffer(bytes: hello.encoded() + [0])) }
    }

    @Test func peerListRoundTripsAndIsBounded() throws {
        let peers = (0..<3).map {
            MeshPeerRecord(nodeId: NodeIdentity(deterministicLabel: "peer \($0)").nodeId, address: MeshAddress("node\($0).example:74\($0)0")!)
        }
        #expect(try MeshPeerList.decode(ByteBuffer(bytes: MeshPeerList.encode(peers))) == peers)
        #expect(throws: MeshProtocolError.malformedPeers("65 peers, at most 64 allowed")) {
            try MeshPeerList.decode(ByteBuffer(bytes: [65]))
        }
    }

    @Test func addressesParse() {
        #expect(MeshAddress("127.0.0.1:80")?.port == 80)
        #expect(MeshAddress("[::1]:7400")?.host == "::1")
        #expect(MeshAddress("[::1]:7400")?.description == "[::1]:7400")
        for bad in ["", "host", "host:", "host:0", "host:70000", "::1:80", "a b:80", "host:8a", "[::1]80"] {
            #expect(MeshAddress(bad) == nil, "\(bad) is not an address")
        }
    }

    @Test func tokenBucketAllowsBurstThenRate() {
        let start = NIODeadline.now()
        var bucket = TokenBucket(rate: 10, burst: 3, now: start)
        var taken: [Bool] = []
        for _ in 0..<4 { taken.append(bucket.take(1, now: start)) }
        taken.append(bucket.take(1, now: start + .milliseconds(100)))
        taken.append(bucket.take(1, now: start + .milliseconds(100)))
        #expect(taken == [true, true, true, false, true, false], "burst of 3, then one token per 100 ms")
    }

    @Test func misbehaviourDecaysAndBansExpire() {
        var policy = MeshConfiguration.MisbehaviourPolicy()
        policy.banDuration = .seconds(60)
        var ledger = MisbehaviourLedger(policy: policy)
        let peer = NodeIdentity(deterministicLabel: "ledger peer").nodeId
        let start = NIODeadline.now()
        let first = ledger.add(60, to: peer, now: start)
        #expect(ledger.score(of: peer, now: start + .seconds(10)) == 50)
        let second = ledger.add(45, to: peer, now: start + .seconds(10))
        let third = ledger.add(10, to: peer, now: start + .seconds(10))
        #expect([first, second, third] == [false, false, true], "60, decayed to 50, +45 = 95, +10 = 105")
        ledger.ban(peer, address: MeshAddress("10.0.0.9:7400"), now: start + .seconds(10))
        #expect(ledger.isBanned(peer, now: start + .seconds(69)))
        #expect(ledger.isBanned(MeshAddress("10.0.0.9:7400")!, now: start + .seconds(69)))
        #expect(!ledger.isBanned(peer, now: start + .seconds(71)))
    }

    @Test func backoffDoublesUpToTheMaximum() {
        var backoff = MeshConfiguration.Backoff()
        backoff.jitter = 0
        #expect(backoff.delay(afterFailures: 1) == .milliseconds(250))
        #expect(backoff.delay(afterFailures: 3) == .seconds(1))
        #expect(backoff.delay(afterFailures: 40) == .seconds(30))
    }
}
