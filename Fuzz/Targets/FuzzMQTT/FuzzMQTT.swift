import FuzzSupport
import RakisNetwork

/// Arbitrary bytes from a broker: packets are decoded one after another or refused.
@_cdecl("FuzzMQTT_main")
func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    FuzzDriver.run(argc, argv) { bytes in
        var rest = bytes[...]
        while let (_, size) = (try? MQTTPacket.decode(rest, maxPacketBytes: 1 << 20)) ?? nil {
            precondition(size > 0 && size <= rest.count, "a packet takes some of the bytes it was decoded from")
            rest = rest.dropFirst(size)
        }
    }
}
