import CRakisKernels

/// The keys and values one sequence has computed so far, per layer and position.
///
/// Sized once for the sequence's longest possible length (prompt plus generated tokens), so a
/// short request does not reserve the model's whole context window.
public final class KVCache: @unchecked Sendable {
    public let capacity: Int
    public let layerCount: Int
    public let width: Int
    /// Positions filled so far.
    public internal(set) var count = 0
    let keys: UnsafeMutablePointer<Float>
    let values: UnsafeMutablePointer<Float>

    public init(config: LlamaConfig, capacity: Int) {
        precondition(capacity > 0 && capacity <= config.contextLength)
        self.capacity = capacity
        layerCount = config.layerCount
        width = config.keyValueDimension
        keys = .allocate(capacity: layerCount * capacity * width)
        values = .allocate(capacity: layerCount * capacity * width)
    }

    deinit {
        keys.deallocate()
        values.deallocate()
    }

    /// Copies values rounded to half precision: llama.cpp keeps keys and values (and rounds the
    /// queries multiplied with them) in half precision, and matching that keeps greedy outputs
    /// closer to its own.
    static func storeRounded(_ source: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>, count: Int) {
        guard simdKernelsAvailable else {
            for i in 0..<count { target[i] = Float(Float16(source[i])) }
            return
        }
        rakis_round_to_half(source, target, count)
    }

    func key(layer: Int, position: Int) -> UnsafeMutablePointer<Float> {
        keys + (layer * capacity + position) * width
    }

    func value(layer: Int, position: Int) -> UnsafeMutablePointer<Float> {
        values + (layer * capacity + position) * width
    }
}
