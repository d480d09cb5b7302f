/// A weight matrix in the engine's compute layout: `rows` output rows of `columns` inputs.
///
/// GGUF stores each row's blocks contiguously. The engine repacks rows in groups of eight so
/// that one SIMD register holds the same block position of eight rows: a kernel then computes
/// eight outputs side by side, each lane summing only its own row, in block order. That order
/// is the contract shared by the fast kernel and the plain reference, so they agree bit for bit.
///
/// Adding a tensor type (Q4_0, Q5_0, Q4_K, Q6_K, F16 for Gemma 3) means one new conforming type:
/// its packing, its reference dot product, its kernel, and a case in `MatrixFormat.pack`.
public protocol PackedMatrix: Sendable {
    var rows: Int { get }
    var columns: Int { get }

    /// out[token * outStride + row] = row · activation(token), for the row groups given
    /// (group g covers rows 8g..<8g+8), using the fast kernel when the CPU has one.
    func multiply(_ activations: QuantizedActivations, groups: Range<Int>,
                  into out: UnsafeMutablePointer<Float>, outStride: Int)

    /// The same product computed by plain scalar code: the definition the kernel must match.
    func referenceMultiply(_ activations: QuantizedActivations, groups: Range<Int>,
                           into out: UnsafeMutablePointer<Float>, outStride: Int)

    /// Row `row` as floats (token embedding lookup).
    func dequantizeRow(_ row: Int, into out: UnsafeMutablePointer<Float>)
}

extension PackedMatrix {
    public var groupCount: Int { rows / 8 }
}

/// Whether the SIMD kernels run on this CPU (else every product uses the reference code).
public let simdKernelsAvailable: Bool = rakisKernelsAvailable()
