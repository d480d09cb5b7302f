import Foundation
import Testing
@testable import RakisEngine

/// The engine's own elementary functions are accurate (checked against the platform's libm,
/// which the engine itself never calls).
@Suite struct EngineMathTests {
    static func ulpDistance(_ a: Float, _ b: Float) -> Int {
        abs(Int(Int32(bitPattern: a.bitPattern)) - Int(Int32(bitPattern: b.bitPattern)))
    }

    @Test func singleExpWithinTwoUlps() {
        var x: Float = -87
        while x < 88 {
            #expect(Self.ulpDistance(EngineMath.exp(x), Foundation.exp(x)) <= 2, "exp(\(x))")
            x += 0.0137
        }
        #expect(EngineMath.exp(Float(-200)) == 0)
        #expect(EngineMath.exp(Float(100)) == .infinity)
        #expect(EngineMath.exp(Float(0)) == 1)
    }

    @Test func doublePrecisionFunctions() {
        for x in stride(from: -9000.0, to: 9000.0, by: 0.731) {
            let (sine, cosine) = EngineMath.sinCos(x)
            #expect(abs(sine - Foundation.sin(x)) < 1e-12 && abs(cosine - Foundation.cos(x)) < 1e-12, "sinCos(\(x))")
        }
        for x in stride(from: 0.001, to: 1e6, by: 97.3) {
            #expect(abs(EngineMath.log(x) - Foundation.log(x)) <= 1e-14 * max(1, abs(Foundation.log(x))), "log(\(x))")
        }
        for x in stride(from: -40.0, to: 40.0, by: 0.173) {
            #expect(abs(EngineMath.exp(x) / Foundation.exp(x) - 1) < 1e-14, "exp(\(x))")
        }
        #expect(Float(EngineMath.pow(100_000, -2.0 / 64)) == powf(100_000, -2.0 / 64))
    }

    @Test func siluMatchesDefinition() {
        for x: Float in [-20, -1, 0, 0.5, 3, 30] {
            #expect(abs(EngineMath.silu(x) - x / (1 + Foundation.exp(-x))) <= 1e-6 * max(1, abs(x)))
        }
    }

    @Test func errorFunctionAndExactGELU() {
        for x in stride(from: Float(-7), to: 7, by: 0.00173) {
            #expect(abs(Double(EngineMath.erf(x)) - Foundation.erf(Double(x))) <= 2.5e-7, "erf(\(x))")
        }
        #expect(EngineMath.erf(0) == 0 && EngineMath.erf(-0.0).sign == .minus)
        #expect(EngineMath.erf(-.infinity) == -1 && EngineMath.erf(.infinity) == 1)
        #expect(EngineMath.erf(.nan).isNaN)
        for x in stride(from: Float(-12), to: 12, by: 0.00731) {
            let expected = 0.5 * Double(x) * (1 + Foundation.erf(Double(x) / 2.squareRoot()))
            #expect(abs(Double(EngineMath.gelu(x)) - expected) <= 3e-7 * max(1, abs(Double(x))), "gelu(\(x))")
        }
    }
}
