import CRakisKernels

/// Activations quantized to 8 bits per value in blocks of 32, the form the quantized matrix
/// kernels multiply with (ggml's Q8_1: scale `d` and `s = d * sum(q)` per block, both rounded
/// through half precision as llama.cpp stores them).
///
/// Each token row is quantized on its own, so a token's values never depend on which other
/// tokens share the batch. The rows' own floats are kept too: a matrix stored in floating
/// point (`FloatPackedMatrix`) multiplies with those.
public final class QuantizedActivations: @unchecked Sendable {
    public let capacity: Int
    public let columns: Int
    public let blocks: Int
    public private(set) var tokens = 0
    public let values: UnsafeMutablePointer<Int8>
    public let scales: UnsafeMutablePointer<Float>
    public let scaledSums: UnsafeMutablePointer<Float>
    /// The rows as given, `columns` apart.
    public let floats: UnsafeMutablePointer<Float>

    public init(columns: Int, capacity: Int) {
        precondition(columns % 32 == 0, "activation rows must fill 32-value blocks")
        self.columns = columns
        self.capacity = capacity
        blocks = columns / 32
        values = .allocate(capacity: capacity * columns)
        scales = .allocate(capacity: capacity * blocks)
        scaledSums = .allocate(capacity: capacity * blocks)
        floats = .allocate(capacity: capacity * columns)
    }

    deinit {
        values.deallocate()
        scales.deallocate()
        scaledSums.deallocate()
        floats.deallocate()
    }

    /// Quantizes `count` rows of `columns` floats (row stride `stride`).
    public func quantize(_ rows: UnsafePointer<Float>, count: Int, stride: Int) {
        precondition(count <= capacity)
        tokens = count
        keepFloats(rows, count: count, stride: stride)
        guard simdKernelsAvailable else { return referenceQuantize(rows, count: count, stride: stride) }
        for token in 0..<count {
            let index = token * blocks
            rakis_quantize_q8(rows + token * stride, blocks, values + index * 32, scales + index, scaledSums + index)
        }
    }

    /// The scalar definition of `quantize`.
    public func referenceQuantize(_ rows: UnsafePointer<Float>, count: Int, stride: Int) {
        precondition(count <= capacity)
        tokens = count
        keepFloats(rows, count: count, stride: stride)
        for token in 0..<count {
            let row = rows + token * stride
            for block in 0..<blocks {
                let index = token * blocks + block
                let (scale, sum) = Self.quantizeBlock(row + block * 32, into: values + index * 32)
                scales[index] = scale
                scaledSums[index] = sum
            }
        }
    }

    private func keepFloats(_ rows: UnsafePointer<Float>, count: Int, stride: Int) {
        for token in 0..<count { (floats + token * columns).update(from: rows + token * stride, count: columns) }
    }

    /// One block: q = round(x * 127 / max|x|), ties to even (as the AVX path of llama.cpp).
    @inline(__always)
    static func quantizeBlock(_ x: UnsafePointer<Float>, into q: UnsafeMutablePointer<Int8>) -> (scale: Float, scaledSum: Float) {
        var maximum: Float = 0
        for i in 0..<32 { maximum = max(maximum, abs(x[i])) }
        let scale = maximum / 127
        let inverse: Float = scale == 0 ? 0 : 1 / scale
        var sum: Int32 = 0
        for i in 0..<32 {
            let rounded = (x[i] * inverse).rounded(.toNearestOrEven)
            let value = Int8(max(-127, min(127, rounded)))
            q[i] = value
            sum += Int32(value)
        }
        return (Float(Float16(scale)), Float(Float16(Float(sum) * scale)))
    }
}
