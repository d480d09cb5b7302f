import Testing
@testable import RakisNetwork

@Suite struct MQTTOutboxTests {
    // `#expect` cannot wrap a mutating call, hence the results bound to names first.

    @Test func holdsAtMostCapacityAndSendsWithinTheWindow() {
        var outbox = MQTTOutbox(capacity: 4, capacityBytes: 1000, maxInFlight: 2)
        for payload: UInt8 in 1...4 {
            let accepted = outbox.enqueue([payload])
            #expect(accepted)
        }
        var accepted = outbox.enqueue([5])
        #expect(!accepted, "a full outbox refuses more")
        #expect(outbox.count == 4)

        let first = outbox.takeSendable()
        #expect(first.map(\.payload) == [[1], [2]])
        let more = outbox.takeSendable()
        #expect(more.isEmpty, "the window is full until an acknowledgement")
        accepted = outbox.enqueue([5])
        #expect(!accepted, "in-flight payloads still count against the capacity")

        var acknowledged = outbox.acknowledge(first[0].packetID)
        #expect(acknowledged)
        acknowledged = outbox.acknowledge(first[0].packetID)
        #expect(!acknowledged, "a second PUBACK for the same id is ignored")
        let next = outbox.takeSendable()
        #expect(next.map(\.payload) == [[3]])
        #expect(outbox.inFlight.map(\.payload) == [[2], [3]], "unacknowledged publishes stay, in send order")
        accepted = outbox.enqueue([5])
        #expect(accepted)
    }

    @Test func holdsAtMostCapacityBytes() {
        var outbox = MQTTOutbox(capacity: 10, capacityBytes: 100, maxInFlight: 1)
        var accepted = outbox.enqueue([UInt8](repeating: 1, count: 60))
        #expect(accepted)
        accepted = outbox.enqueue([UInt8](repeating: 2, count: 41))
        #expect(!accepted, "60 + 41 bytes exceed 100")
        accepted = outbox.enqueue([UInt8](repeating: 3, count: 40))
        #expect(accepted)
        #expect(outbox.byteCount == 100)
        let sent = outbox.takeSendable()
        #expect(outbox.byteCount == 100, "in-flight payloads still count until acknowledged")
        let acknowledged = outbox.acknowledge(sent[0].packetID)
        #expect(acknowledged)
        #expect(outbox.byteCount == 40)
        accepted = outbox.enqueue([UInt8](repeating: 4, count: 60))
        #expect(accepted)
    }

    @Test func packetIDsAreUniqueNonZeroAndLeaveTheSubscribeID() {
        var outbox = MQTTOutbox(capacity: 3, capacityBytes: 1000, maxInFlight: 3)
        // Keep the first id in flight while ids wrap around past it.
        _ = outbox.enqueue([0])
        let held = outbox.takeSendable()[0].packetID
        #expect(held == 1)
        var seen: Set<UInt16> = []
        var failures = 0
        for _ in 0..<70_000 {
            guard outbox.enqueue([1]), let message = outbox.takeSendable().first else {
                failures += 1
                continue
            }
            seen.insert(message.packetID)
            if !outbox.acknowledge(message.packetID) { failures += 1 }
        }
        #expect(failures == 0)
        #expect(!seen.contains(0))
        #expect(!seen.contains(MQTTOutbox.subscribePacketID))
        #expect(!seen.contains(held), "an id in flight is never handed out again")
        #expect(seen.count == Int(MQTTOutbox.subscribePacketID) - 2)
    }

    @Test func manyQueuedPayloadsComeOutInOrder() {
        var outbox = MQTTOutbox(capacity: 1000, capacityBytes: 2000, maxInFlight: 7)
        var refused = 0
        for index in 0..<1000 where !outbox.enqueue([UInt8(index % 256), UInt8(index / 256)]) { refused += 1 }
        #expect(refused == 0)
        var received: [Int] = []
        while outbox.count > 0 {
            for message in outbox.takeSendable() {
                received.append(Int(message.payload[0]) + 256 * Int(message.payload[1]))
                _ = outbox.acknowledge(message.packetID)
            }
        }
        #expect(received == Array(0..<1000))
        #expect(outbox.byteCount == 0)
    }
}

@Suite struct MQTTBackoffTests {
    private struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test func doublesWithJitterUpToTheMaximumAndResets() {
        var rng = SplitMix64(state: 42)
        var backoff = MQTTBackoff(initialMilliseconds: 250, maximumMilliseconds: 30_000)
        let steps: [Int64] = [250, 500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]
        var delays: [Int64] = []
        for step in steps {
            let delay = backoff.nextDelay(using: &rng)
            #expect((step / 2)...step ~= delay, "delay \(delay) outside [\(step / 2), \(step)]")
            delays.append(delay)
        }
        #expect(Set(delays.suffix(3)).count > 1, "jitter spreads delays of the same step")
        backoff.reset()
        #expect((125...250) ~= backoff.nextDelay(using: &rng))
    }
}

@Suite struct MQTTConfigurationTests {
    private func configuration(network: String = "main", clientID: String = "rakis-1") -> MQTTConfiguration {
        MQTTConfiguration(host: "127.0.0.1", network: network, clientID: clientID)
    }

    @Test func topicIsPerNetwork() throws {
        #expect(configuration().topic == "rakis/main/packets")
        try configuration().validate()
    }

    @Test(arguments: ["", "a/b", "a+", "#", "x\u{0}", String(repeating: "n", count: 129)])
    func networkNamesThatCouldReachOtherTopicsAreRefused(network: String) {
        #expect(throws: MQTTConfigurationError.self) { try configuration(network: network).validate() }
    }

    @Test func otherSettingsAreChecked() {
        var settings: [MQTTConfiguration] = []
        var config = configuration()
        config.keepAlive = .milliseconds(1500)
        settings.append(config)
        config = configuration()
        config.keepAlive = .seconds(70_000)
        settings.append(config)
        config = configuration()
        config.port = 0
        settings.append(config)
        config = configuration()
        config.password = "secret"
        settings.append(config)
        config = configuration()
        config.maxInFlight = 300
        settings.append(config)
        config = configuration()
        config.maxQueuedBytes = config.maxPacketBytes - 1
        settings.append(config)
        config = configuration()
        config.reconnectMaximumDelay = .milliseconds(10)
        settings.append(config)
        settings.append(configuration(clientID: ""))
        for setting in settings {
            #expect(throws: MQTTConfigurationError.self) { try setting.validate() }
        }
    }

    @Test func startRefusesAnInvalidConfiguration() async {
        let transport = MQTTTransport(configuration: configuration(network: "bad/name"))
        await #expect(throws: MQTTConfigurationError.self) { try await transport.start { _ in } }
        await transport.stop()
    }
}
