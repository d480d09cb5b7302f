import RakisCore
import Testing
@testable import RakisRuntime

/// Per-transport latency percentiles and loss over the recent traffic.
@Suite struct TransportDeliveryWindowTests {
    let alice = NodeIdentity(deterministicLabel: "alice").nodeId
    let bob = NodeIdentity(deterministicLabel: "bob").nodeId
    let transports: [TransportName] = ["mesh", "nostr", "mqtt"]
    let start: Millis = 1_700_000_000_000

    func id(_ index: Int) -> Hash256 { Hash256.of(Array("packet \(index)".utf8)) }

    @Test func percentilesAreNearestRank() {
        #expect(LatencyPercentiles(Array(1...100).shuffled().map(Millis.init)) == LatencyPercentiles(p50: 50, p90: 90, p99: 99, max: 100))
        #expect(LatencyPercentiles([7]) == LatencyPercentiles(p50: 7, p90: 7, p99: 7, max: 7))
        #expect(LatencyPercentiles([30, 10, 20]) == LatencyPercentiles(p50: 20, p90: 30, p99: 30, max: 30))
        #expect(LatencyPercentiles(Array(repeating: 3, count: 98) + [400, 900]) == LatencyPercentiles(p50: 3, p90: 3, p99: 400, max: 900))
        #expect(LatencyPercentiles([]) == nil)
    }

    /// Twenty packets from one sender: the mesh brings all first, MQTT all but two, Nostr one of
    /// them only after the grace period.
    @Test func eachTransportsDelaysAndLossesAreItsOwn() {
        var window = TransportDeliveryWindow()
        for index in 0..<20 {
            let created = start + Millis(index) * 100
            window.first(id(index), sender: alice, createdAt: created, over: "mesh", at: created + 2)
            if index % 10 != 3 { window.copy(id(index), over: "mqtt", at: created + 5) }
            window.copy(id(index), over: "nostr", at: created + (index == 7 ? TransportDeliveryWindow.grace + 500 : 40))
        }
        let report = window.report(transports: transports, now: start + 60_000)
        #expect(report.packets == 20 && report.settled == 20)
        #expect(report.transports == [
            TransportDelivery(transport: "mesh", delivered: 20, firsts: 20, latency: LatencyPercentiles(p50: 2, p90: 2, p99: 2, max: 2),
                              expected: 20, lost: 0),
            TransportDelivery(transport: "nostr", delivered: 20, firsts: 0,
                              latency: LatencyPercentiles(p50: 40, p90: 40, p99: 10_500, max: 10_500), expected: 20, lost: 1),
            TransportDelivery(transport: "mqtt", delivered: 18, firsts: 0, latency: LatencyPercentiles(p50: 5, p90: 5, p99: 5, max: 5),
                              expected: 20, lost: 2),
        ])
        #expect(report.transports[2].loss == 0.1)
    }

    /// Young packets give delays at once but count for loss only once settled; a sender no
    /// transport but the mesh has brought is nobody else's loss; copies of packets not recorded
    /// (their first copy was refused) change nothing; a delay below 0 (two machines' clocks) is 0.
    @Test func lossCountsOnlySettledPacketsOnTransportsTheirSenderUses() {
        var window = TransportDeliveryWindow()
        window.first(id(1), sender: alice, createdAt: start, over: "mqtt", at: start + 4)
        window.copy(id(1), over: "mesh", at: start + 9)
        window.first(id(2), sender: bob, createdAt: start + 50, over: "mesh", at: start + 30)
        window.first(id(3), sender: alice, createdAt: start + 20_000, over: "mesh", at: start + 20_001)
        window.copy(id(99), over: "nostr", at: start + 20_002)
        let report = window.report(transports: transports, now: start + 20_010)
        #expect(report.packets == 3 && report.settled == 2)
        let mesh = report.transports[0], nostr = report.transports[1], mqtt = report.transports[2]
        #expect(mesh.delivered == 3 && mesh.firsts == 2 && mesh.expected == 2 && mesh.lost == 0)
        #expect(mesh.latency == LatencyPercentiles(p50: 1, p90: 9, p99: 9, max: 9), "bob's packet arrived 20 ms before his clock says he sent it: 0")
        #expect(nostr == TransportDelivery(transport: "nostr", delivered: 0, firsts: 0, latency: nil, expected: 0, lost: 0))
        #expect(nostr.loss == nil)
        #expect(mqtt.delivered == 1 && mqtt.expected == 1 && mqtt.lost == 0, "bob's packets never came over MQTT: not its loss")
        let later = window.report(transports: transports, now: start + 40_000)
        #expect(later.transports[2].expected == 2 && later.transports[2].lost == 1, "alice's third packet settled without MQTT")
    }

    @Test func theWindowIsBoundedByCountAndAge() {
        var window = TransportDeliveryWindow()
        for index in 0..<(TransportDeliveryWindow.capacity + 10) {
            window.first(id(index), sender: alice, createdAt: start + Millis(index), over: "mesh", at: start + Millis(index) + 1)
        }
        #expect(window.report(transports: transports, now: start + 20_000).packets == TransportDeliveryWindow.capacity)
        window.copy(id(0), over: "mqtt", at: start + 20_000)
        #expect(window.report(transports: transports, now: start + 20_000).transports[2].delivered == 0, "the oldest were forgotten")
        let muchLater = window.report(transports: transports, now: start + TransportDeliveryWindow.maxAge + 30_000)
        #expect(muchLater.packets == 0 && muchLater.transports.allSatisfy { $0.latency == nil })
    }
}
