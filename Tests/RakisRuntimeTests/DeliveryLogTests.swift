import RakisCore
import RakisNetwork
import Testing
@testable import RakisRuntime

@Suite struct DeliveryLogTests {
    let mesh = PacketSource(transport: "mesh", peer: "a")
    let otherNeighbour = PacketSource(transport: "mesh", peer: "b")
    let mqtt = PacketSource(transport: "mqtt")
    let id = Hash256.of(Array("packet".utf8))

    @Test func firstCopiesResendsAndReplays() {
        var log = DeliveryLog(generation: 1_000)
        #expect(log.arrival(id, from: mesh, now: 0) == .first)
        #expect(log.arrival(id, from: otherNeighbour, now: 1) == .copy(newTransport: false))
        #expect(log.arrival(id, from: mqtt, now: 2) == .copy(newTransport: true))
        for _ in 0..<DeliveryLog.maxResends { #expect(log.arrival(id, from: mesh, now: 3) == .resent) }
        #expect(log.arrival(id, from: mesh, now: 4) == .replay)
    }

    @Test func aForgedCopyDoesNotShadowTheGenuinePacket() {
        var log = DeliveryLog(generation: 1_000)
        #expect(log.arrival(id, from: mesh, now: 0) == .first)
        log.forget(id)
        #expect(log.arrival(id, from: otherNeighbour, now: 1) == .first)
    }

    @Test func ownPacketsEchoedBackAreCopies() {
        var log = DeliveryLog(generation: 1_000)
        log.sent(id, now: 0)
        #expect(log.arrival(id, from: mqtt, now: 1) == .copy(newTransport: true))
    }

    @Test func entriesLiveBetweenOneAndTwoGenerations() {
        var log = DeliveryLog(generation: 1_000)
        #expect(log.arrival(id, from: mesh, now: 0) == .first)
        #expect(log.arrival(id, from: otherNeighbour, now: 1_500) == .copy(newTransport: false), "kept in the previous generation")
        #expect(log.arrival(id, from: mesh, now: 5_000) == .first, "gone after a long quiet spell")
        #expect(log.arrival(id, from: mqtt, now: 6_100) == .copy(newTransport: true))
        #expect(log.arrival(id, from: mqtt, now: 8_200) == .first, "gone two generations after its last copy")
    }
}
