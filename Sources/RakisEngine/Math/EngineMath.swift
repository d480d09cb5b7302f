/// The engine's own elementary functions.
///
/// Platform math libraries differ in their last bits (and between versions), which would make
/// two honest nodes disagree. These are built from +, -, *, / and IEEE rounding only, so every
/// machine computes the same bits. Accuracy is within a couple of units in the last place,
/// which is all the model needs.
public enum EngineMath {
    // MARK: Single precision exponential (softmax, SiLU)

    /// e^x. Range reduction x = k*ln2 + r with |r| <= ln2/2, then a degree-7 Taylor polynomial.
    @inline(__always)
    public static func exp(_ x: Float) -> Float {
        if x > 88.72283 { return .infinity }
        if x < -87.33654 { return 0 }
        if x.isNaN { return x }
        let k = (x * 1.442695041).rounded(.toNearestOrEven)
        // ln 2 split so that k * ln2High is exact for |k| <= 128.
        let r = (x - k * 0.693145752) - k * 1.42860677e-06
        var p: Float = 1.0 / 5040
        p = p * r + 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        return p * Float(bitPattern: UInt32(Int32(k) + 127) << 23)
    }

    /// The hyperbolic tangent, from `exp`: sign(x) (1 - 2 / (e^(2|x|) + 1)).
    @inline(__always)
    public static func tanh(_ x: Float) -> Float {
        let t = 1 - 2 / (exp(2 * abs(x)) + 1)
        return x < 0 ? -t : t
    }

    /// GELU in its tanh form, as ggml computes it (Gemma's GeGLU gate):
    /// 0.5 x (1 + tanh(sqrt(2/pi) x (1 + 0.044715 x^2))).
    @inline(__always)
    public static func geluTanh(_ x: Float) -> Float {
        0.5 * x * (1 + tanh(0.7978845608 * x * (1 + 0.044715 * x * x)))
    }

    /// x * sigmoid(x), the SwiGLU gate.
    @inline(__always)
    public static func silu(_ x: Float) -> Float {
        x / (1 + exp(-x))
    }

    // MARK: Double precision (rotary position frequencies and angles)

    /// e^x in double precision, |x| < 700.
    public static func exp(_ x: Double) -> Double {
        precondition(abs(x) < 700, "exp argument out of the engine's range")
        let k = (x * 1.4426950408889634).rounded(.toNearestOrEven)
        let r = (x - k * 6.93147180369123816490e-01) - k * 1.90821492927058770002e-10
        var p = 1.0
        var term = 1.0
        for n in 1...17 {
            term *= r / Double(n)
            p += term
        }
        return p * Double(sign: .plus, exponent: Int(k), significand: 1)
    }

    /// Natural logarithm of a positive finite x.
    public static func log(_ x: Double) -> Double {
        precondition(x > 0 && x.isFinite, "log argument out of range")
        var exponent = Int(x.exponent)
        var mantissa = x.significand  // in [1, 2)
        if mantissa > 1.4142135623730951 {
            mantissa /= 2
            exponent += 1
        }
        // log(m) = 2 atanh(s), s = (m - 1) / (m + 1), |s| < 0.172.
        let s = (mantissa - 1) / (mantissa + 1)
        let s2 = s * s
        var sum = 0.0
        var power = s
        for n in stride(from: 1, through: 27, by: 2) {
            sum += power / Double(n)
            power *= s2
        }
        return Double(exponent) * 6.93147180369123816490e-01 + (Double(exponent) * 1.90821492927058770002e-10 + 2 * sum)
    }

    /// x^y for positive x.
    public static func pow(_ x: Double, _ y: Double) -> Double {
        exp(y * log(x))
    }

    /// (sin x, cos x) for |x| < 2^20.
    public static func sinCos(_ x: Double) -> (sin: Double, cos: Double) {
        precondition(abs(x) < 1_048_576, "sin/cos argument out of the engine's range")
        // x = k * pi/2 + r, with pi/2 in three 33-bit parts so each k * part is exact.
        let k = (x * 0.63661977236758134308).rounded(.toNearestOrEven)
        let r = ((x - k * 1.57079632673412561417e+00) - k * 6.07710050630396597660e-11) - k * 2.02226624871116645580e-21
        let r2 = r * r
        var sine = 0.0, cosine = 0.0
        var sineTerm = r, cosineTerm = 1.0
        for n in 0..<11 {
            sine += sineTerm
            cosine += cosineTerm
            sineTerm *= -r2 / Double((2 * n + 2) * (2 * n + 3))
            cosineTerm *= -r2 / Double((2 * n + 1) * (2 * n + 2))
        }
        switch Int(k) & 3 {
        case 0: return (sine, cosine)
        case 1: return (cosine, -sine)
        case 2: return (-sine, -cosine)
        default: return (-cosine, sine)
        }
    }

    // MARK: Single precision error function (GELU)

    /// Coefficients fitted for this engine (least squares on Chebyshev nodes, then rounded to
    /// float): erf(x) / x as a polynomial in x^2 on [0, 1], and erfc(x) * e^(x^2) as a
    /// polynomial in 1/x on [1, 4]. Both stay within 2e-7 of erf, the limit of float rounding.
    static let erfNearZero: [Float] = [1.1283791065216064, -0.37612390518188477, 0.11280578374862671,
                                       -0.026720885187387466, 0.004927407950162888, -0.0005667938385158777]
    static let erfcScaled: [Float] = [0.0003466666676104069, 0.5577787756919861, 0.05081558600068092,
                                      -0.5054013133049011, 0.574928879737854, -0.35330531001091003,
                                      0.1201215386390686, -0.017701251432299614]

    /// The error function in single precision: x * P(x^2) below 1, 1 - e^(-x^2) * R(1/x) below
    /// 4, and 1 beyond (erf(4) rounds to 1 in float). Horner steps are a multiply and then an
    /// add, never fused, so the SIMD kernel computes the same bits lane by lane.
    @inline(__always)
    public static func erf(_ x: Float) -> Float {
        let magnitude = abs(x)
        let value: Float
        if magnitude < 1 {
            value = magnitude * horner(erfNearZero, magnitude * magnitude)
        } else if magnitude < 4 {
            value = 1 - exp(-(magnitude * magnitude)) * horner(erfcScaled, 1 / magnitude)
        } else {
            value = magnitude.isNaN ? x : 1
        }
        return Float(signOf: x, magnitudeOf: value)
    }

    /// GELU in its exact (erf) form, as BERT models use it: (x / 2) * (1 + erf(x / sqrt 2)).
    @inline(__always)
    public static func gelu(_ x: Float) -> Float {
        (x * 0.5) * (1 + erf(x * 0.70710677))
    }

    @inline(__always)
    private static func horner(_ coefficients: [Float], _ x: Float) -> Float {
        var p = coefficients[coefficients.count - 1]
        for index in stride(from: coefficients.count - 2, through: 0, by: -1) {
            p = p * x + coefficients[index]
        }
        return p
    }
}
