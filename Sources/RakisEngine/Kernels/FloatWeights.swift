import CRakisKernels

/// Single-precision weights seen in groups of eight rows, wherever they lie in memory: weight
/// (row 8g + j, column k) is at base[g * groupStride + k * columnStride + j]. A packed matrix is
/// one such view; so are attention's keys (copied into that shape) and values (already in it:
/// eight consecutive dimensions of one token are contiguous).
///
/// A product computes each output as one fused multiply-add chain in column order,
///     acc = bias[row]; acc = fma(w[row][k], x[k], acc) for k = 0, 1, ...
/// whatever tile, batch or thread computes it: the contract the kernel and the reference share.
/// With `gelu`, the output is EngineMath.gelu(acc), applied as the kernel stores it.
struct FloatWeights {
    let base: UnsafePointer<Float>
    let groupStride: Int
    let columnStride: Int
    let columns: Int

    /// out[token * outStride + row] for the rows of `groups` and `tokens` inputs, input t
    /// starting at x + t * stride; `bias` holds one value per row of the groups.
    func multiply(_ x: UnsafePointer<Float>, stride: Int, tokens: Int, groups: Range<Int>, bias: UnsafePointer<Float>,
                  into out: UnsafeMutablePointer<Float>, outStride: Int, gelu: Bool = false) {
        guard simdKernelsAvailable else {
            return referenceMultiply(x, stride: stride, tokens: tokens, groups: groups, bias: bias, into: out,
                                     outStride: outStride, gelu: gelu)
        }
        EngineMath.erfNearZero.withUnsafeBufferPointer { nearZero in
            EngineMath.erfcScaled.withUnsafeBufferPointer { erfcScaled in
                let coefficients = rakis_erf_coefficients(near_zero: nearZero.baseAddress, near_zero_count: nearZero.count,
                                                          erfc_scaled: erfcScaled.baseAddress, erfc_scaled_count: erfcScaled.count)
                withUnsafePointer(to: coefficients) { coefficients in
                    rakis_f32_matmul(base, groupStride, columnStride, bias, columns, groups.lowerBound, groups.upperBound,
                                     x, stride, tokens, out, outStride, gelu ? coefficients : nil)
                }
            }
        }
    }

    /// The same product in plain scalar code: the definition the kernel must match.
    func referenceMultiply(_ x: UnsafePointer<Float>, stride: Int, tokens: Int, groups: Range<Int>, bias: UnsafePointer<Float>,
                           into out: UnsafeMutablePointer<Float>, outStride: Int, gelu: Bool = false) {
        for token in 0..<tokens {
            for row in groups.lowerBound * 8..<groups.upperBound * 8 {
                let (group, lane) = row.quotientAndRemainder(dividingBy: 8)
                var acc = bias[row]
                for column in 0..<columns {
                    acc = acc.addingProduct(base[group * groupStride + column * columnStride + lane], x[token * stride + column])
                }
                out[token * outStride + row] = gelu ? EngineMath.gelu(acc) : acc
            }
        }
    }
}
