import CRakisKernels

/// The small vector operations of the forward pass, each with one fixed order of floating-point
/// operations (no fused multiply-adds, no reassociation), so they give the same bits on every
/// machine, thread count and batch. The attention loops, softmax and the SwiGLU gate have AVX2 versions
/// (CRakisKernels) that do the same operations lane by lane; the `reference` functions here
/// define them.
enum VectorMath {
    /// out[p] = dot(query, keys + p * stride) * scale for p < count.
    static func attentionScores(query: UnsafePointer<Float>, keys: UnsafePointer<Float>, stride: Int, count: Int,
                                dimension: Int, scale: Float, into out: UnsafeMutablePointer<Float>) {
        guard simdKernelsAvailable else {
            return referenceAttentionScores(query: query, keys: keys, stride: stride, count: count, dimension: dimension, scale: scale, into: out)
        }
        rakis_attention_scores(query, keys, stride, count, dimension, scale, out)
    }

    static func referenceAttentionScores(query: UnsafePointer<Float>, keys: UnsafePointer<Float>, stride: Int, count: Int,
                                         dimension: Int, scale: Float, into out: UnsafeMutablePointer<Float>) {
        for position in 0..<count {
            out[position] = dot(query, keys + position * stride, count: dimension) * scale
        }
    }

    /// out += sum over p < count of weights[p] * (values + p * stride), position by position.
    static func attentionMix(weights: UnsafePointer<Float>, values: UnsafePointer<Float>, stride: Int, count: Int,
                             dimension: Int, into out: UnsafeMutablePointer<Float>) {
        guard simdKernelsAvailable else {
            return referenceAttentionMix(weights: weights, values: values, stride: stride, count: count, dimension: dimension, into: out)
        }
        rakis_attention_mix(weights, values, stride, count, dimension, out)
    }

    static func referenceAttentionMix(weights: UnsafePointer<Float>, values: UnsafePointer<Float>, stride: Int, count: Int,
                                      dimension: Int, into out: UnsafeMutablePointer<Float>) {
        for position in 0..<count {
            addScaled(values + position * stride, scale: weights[position], into: out, count: dimension)
        }
    }

    /// Softmax in place: exp(x - max) with the engine's exp, summed in double precision in order,
    /// then each value times the float reciprocal of the sum.
    static func softmax(_ x: UnsafeMutablePointer<Float>, count: Int) {
        guard simdKernelsAvailable else { return referenceSoftmax(x, count: count) }
        rakis_softmax(x, count)
    }

    static func referenceSoftmax(_ x: UnsafeMutablePointer<Float>, count: Int) {
        var maximum = -Float.infinity
        for i in 0..<count { maximum = max(maximum, x[i]) }
        var sum: Double = 0
        for i in 0..<count {
            x[i] = EngineMath.exp(x[i] - maximum)
            sum += Double(x[i])
        }
        let normalizer = Float(1 / sum)
        for i in 0..<count { x[i] *= normalizer }
    }

    /// x = silu(x) * y, elementwise.
    static func swiglu(_ x: UnsafeMutablePointer<Float>, _ y: UnsafePointer<Float>, count: Int) {
        guard simdKernelsAvailable else { return referenceSwiglu(x, y, count: count) }
        rakis_swiglu(x, y, count)
    }

    static func referenceSwiglu(_ x: UnsafeMutablePointer<Float>, _ y: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { x[i] = EngineMath.silu(x[i]) * y[i] }
    }

    /// x = geluTanh(x) * y, elementwise (Gemma's GeGLU).
    static func geglu(_ x: UnsafeMutablePointer<Float>, _ y: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { x[i] = EngineMath.geluTanh(x[i]) * y[i] }
    }

    /// out = x / rms(x) * weight, the sum of squares accumulated in double precision in order.
    static func rmsNorm(_ x: UnsafePointer<Float>, weight: [Float], epsilon: Float, into out: UnsafeMutablePointer<Float>) {
        let count = weight.count
        var sum: Double = 0
        for i in 0..<count { sum += Double(x[i] * x[i]) }
        let mean = Float(sum / Double(count))
        let scale = 1 / (mean + epsilon).squareRoot()
        weight.withUnsafeBufferPointer { weight in
            for i in 0..<count { out[i] = (x[i] * scale) * weight[i] }
        }
    }

    /// LayerNorm of one row (length a multiple of 8). Mean and variance are summed in double
    /// precision as 8 lane sums (lane j takes elements j, j + 8, ... in order) combined by
    /// `pairwiseSum`: a fixed order that stays in SIMD registers.
    static func layerNorm(_ x: UnsafeMutablePointer<Float>, weight: [Float], bias: [Float], epsilon: Float) {
        let count = weight.count
        var sums = SIMD8<Double>(), squareSums = SIMD8<Double>()
        for offset in stride(from: 0, to: count, by: 8) { sums += SIMD8<Double>(load8(x + offset)) }
        let mean = Float(pairwiseSum(sums) / Double(count))
        for offset in stride(from: 0, to: count, by: 8) {
            let centered = load8(x + offset) - mean
            squareSums += SIMD8<Double>(centered * centered)
        }
        let inverse = 1 / (Float(pairwiseSum(squareSums) / Double(count)) + epsilon).squareRoot()
        for i in 0..<count { x[i] = ((x[i] - mean) * inverse) * weight[i] + bias[i] }
    }

    /// ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7)): how lane sums become one.
    @inline(__always)
    static func pairwiseSum<Scalar: SIMDScalar & FloatingPoint>(_ lanes: SIMD8<Scalar>) -> Scalar {
        ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]))
    }

    /// Dot product of two vectors whose length is a multiple of 8: eight lane sums in order,
    /// then `pairwiseSum`.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var lanes = SIMD8<Float>()
        for offset in stride(from: 0, to: count, by: 8) {
            lanes = lanes + load8(a + offset) * load8(b + offset)
        }
        return pairwiseSum(lanes)
    }

    /// out += scale * v, elementwise (length a multiple of 8).
    @inline(__always)
    static func addScaled(_ v: UnsafePointer<Float>, scale: Float, into out: UnsafeMutablePointer<Float>, count: Int) {
        let factor = SIMD8<Float>(repeating: scale)
        for offset in stride(from: 0, to: count, by: 8) {
            store8(load8(out + offset) + factor * load8(v + offset), out + offset)
        }
    }

    /// Rotates adjacent pairs (x[2i], x[2i+1]) of each head by the angles in cos/sin.
    static func rotate(_ x: UnsafeMutablePointer<Float>, heads: Int, headDimension: Int,
                       cos: UnsafePointer<Float>, sin: UnsafePointer<Float>) {
        for head in 0..<heads {
            let v = x + head * headDimension
            for i in 0..<headDimension / 2 {
                let x0 = v[2 * i], x1 = v[2 * i + 1]
                v[2 * i] = x0 * cos[i] - x1 * sin[i]
                v[2 * i + 1] = x0 * sin[i] + x1 * cos[i]
            }
        }
    }

    /// Rotates the pairs (x[i], x[i + d/2]) of each head by the angles in cos/sin (the "NeoX"
    /// layout Gemma and Qwen use).
    static func rotateHalves(_ x: UnsafeMutablePointer<Float>, heads: Int, headDimension: Int,
                             cos: UnsafePointer<Float>, sin: UnsafePointer<Float>) {
        let half = headDimension / 2
        for head in 0..<heads {
            let v = x + head * headDimension
            for i in 0..<half {
                let x0 = v[i], x1 = v[i + half]
                v[i] = x0 * cos[i] - x1 * sin[i]
                v[i + half] = x0 * sin[i] + x1 * cos[i]
            }
        }
    }

    @inline(__always)
    static func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always)
    static func store8(_ value: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: value, as: SIMD8<Float>.self)
    }
}
