import ArgumentParser
import Logging
import RakisCore
import RakisNetwork

/// The transports a node's settings enable: the mesh if it listens, one Nostr transport for all
/// its relays, one MQTT transport per broker.
enum TransportSetup {
    static func transports(_ settings: NodeSettings, identity: NodeIdentity, logger: Logger) throws -> [any Transport] {
        var transports: [any Transport] = []
        if let listen = settings.mesh.listen {
            let endpoint = try HostPort(parsing: listen)
            var mesh = MeshConfiguration(identity: identity, network: settings.network, listenHost: endpoint.host,
                                         listenPort: endpoint.port, advertisedAddress: settings.mesh.advertise,
                                         bootstrapPeers: settings.mesh.bootstrap)
            mesh.maxNeighbours = settings.mesh.maxNeighbours
            transports.append(MeshTransport(configuration: mesh, logger: logger))
        }
        if !settings.nostrRelays.isEmpty {
            let configuration = NostrTransportConfiguration(relays: settings.nostrRelays, network: settings.network)
            transports.append(try NostrTransport(identity: identity, configuration: configuration, logger: logger))
        }
        for broker in settings.mqttBrokers {
            let endpoint = try HostPort(parsing: broker)
            let configuration = MQTTConfiguration(host: endpoint.host, port: endpoint.port, network: settings.network,
                                                  clientID: "rakis-\(identity.nodeId.hex.prefix(16))")
            transports.append(MQTTTransport(configuration: configuration, logger: logger))
        }
        return transports
    }
}
