/// An immutable, 64-byte aligned buffer of packed weights, freed with its last owner.
public final class PackedStorage: @unchecked Sendable {
    public let bytes: UnsafeMutableRawPointer
    public let count: Int

    init(count: Int) {
        self.count = count
        bytes = .allocate(byteCount: max(count, 1), alignment: 64)
    }

    deinit { bytes.deallocate() }
}
