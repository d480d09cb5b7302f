/// The small vector operations of the forward pass, each with one fixed order of floating-point
/// operations (no fused multiply-adds, no reassociation), so they give the same bits on every
/// machine, thread count and batch.
enum VectorMath {
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

    /// Dot product of two vectors whose length is a multiple of 8: eight lane sums in order,
    /// then a fixed pairwise combination of the lanes.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var lanes = SIMD8<Float>()
        for offset in stride(from: 0, to: count, by: 8) {
            lanes = lanes + load8(a + offset) * load8(b + offset)
        }
        return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]))
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

    @inline(__always)
    static func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always)
    static func store8(_ value: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: value, as: SIMD8<Float>.self)
    }
}
