import Testing
@testable import RakisEngine

/// Every SIMD kernel against its scalar reference, bit for bit, on random weights and
/// activations, for batch sizes that exercise the full 4-token tiles and every remainder.
@Suite struct KernelTests {
    /// Deterministic pseudo-random test data: the engine's counter-based source, drawn in order.
    struct TestRandom {
        let source: CounterRandom
        var counter: UInt64 = 0
        init(state: UInt64) { source = CounterRandom(seed: state) }
        mutating func next() -> UInt64 {
            defer { counter += 1 }
            return source.bits(counter)
        }
        mutating func float(_ range: ClosedRange<Float>) -> Float {
            range.lowerBound + Float(next() >> 40) / Float(1 << 24) * (range.upperBound - range.lowerBound)
        }
        mutating func half(_ range: ClosedRange<Float>) -> [UInt8] {
            withUnsafeBytes(of: Float16(float(range)).bitPattern.littleEndian) { Array($0) }
        }
    }

    static func randomQ4_1(rows: Int, columns: Int, random: inout TestRandom) -> [UInt8] {
        var bytes: [UInt8] = []
        for _ in 0..<rows * columns / 32 {
            bytes += random.half(0.001...0.05) + random.half(-0.4...0.1)
            bytes += (0..<16).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        }
        return bytes
    }

    static func randomQ8_0(rows: Int, columns: Int, random: inout TestRandom) -> [UInt8] {
        var bytes: [UInt8] = []
        for _ in 0..<rows * columns / 32 {
            bytes += random.half(0.0001...0.02)
            bytes += (0..<32).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        }
        return bytes
    }

    /// K-quant super-blocks of random bytes (every pattern is valid) with sane half-precision
    /// scales at `scaleOffsets`.
    static func randomKQuant(rows: Int, columns: Int, bytesPerBlock: Int, scaleOffsets: [Int], random: inout TestRandom) -> [UInt8] {
        var bytes: [UInt8] = []
        for _ in 0..<rows * columns / 256 {
            var block = (0..<bytesPerBlock).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            for offset in scaleOffsets { block.replaceSubrange(offset..<offset + 2, with: random.half(0.001...0.02)) }
            bytes += block
        }
        return bytes
    }

    static func activations(columns: Int, tokens: Int, random: inout TestRandom) -> QuantizedActivations {
        let values = (0..<columns * tokens).map { _ in random.float(-3...3) }
        let activations = QuantizedActivations(columns: columns, capacity: tokens)
        values.withUnsafeBufferPointer { activations.quantize($0.baseAddress!, count: tokens, stride: columns) }
        return activations
    }

    static func products(_ matrix: any PackedMatrix, _ activations: QuantizedActivations) -> (fast: [Float], reference: [Float]) {
        var fast = [Float](repeating: .nan, count: activations.tokens * matrix.rows)
        var reference = fast
        fast.withUnsafeMutableBufferPointer {
            matrix.multiply(activations, groups: 0..<matrix.groupCount, into: $0.baseAddress!, outStride: matrix.rows)
        }
        reference.withUnsafeMutableBufferPointer {
            matrix.referenceMultiply(activations, groups: 0..<matrix.groupCount, into: $0.baseAddress!, outStride: matrix.rows)
        }
        return (fast, reference)
    }

    @Test(arguments: [1, 2, 3, 4, 5, 7, 9])
    func q4_1KernelMatchesReference(tokens: Int) {
        var random = TestRandom(state: UInt64(tokens))
        let (rows, columns) = (24, 96)
        let gguf = Self.randomQ4_1(rows: rows, columns: columns, random: &random)
        let matrix = gguf.withUnsafeBytes { Q4_1Matrix(rows: rows, columns: columns, gguf: $0) }
        let (fast, reference) = Self.products(matrix, Self.activations(columns: columns, tokens: tokens, random: &random))
        #expect(fast.map(\.bitPattern) == reference.map(\.bitPattern))
        #expect(!fast.contains { $0.isNaN })
    }

    @Test(arguments: [1, 2, 3, 4, 5, 7, 9])
    func q8_0KernelMatchesReference(tokens: Int) {
        var random = TestRandom(state: 100 + UInt64(tokens))
        let (rows, columns) = (24, 96)
        let gguf = Self.randomQ8_0(rows: rows, columns: columns, random: &random)
        let matrix = gguf.withUnsafeBytes { Q8_0Matrix(rows: rows, columns: columns, gguf: $0) }
        let (fast, reference) = Self.products(matrix, Self.activations(columns: columns, tokens: tokens, random: &random))
        #expect(fast.map(\.bitPattern) == reference.map(\.bitPattern))
        #expect(!fast.contains { $0.isNaN })
    }

    @Test(arguments: [1, 2, 3, 4, 5, 7, 9])
    func q4_KKernelMatchesReference(tokens: Int) {
        var random = TestRandom(state: 200 + UInt64(tokens))
        let (rows, columns) = (24, 512)
        let gguf = Self.randomKQuant(rows: rows, columns: columns, bytesPerBlock: 144, scaleOffsets: [0, 2], random: &random)
        let matrix = gguf.withUnsafeBytes { Q4_KMatrix(rows: rows, columns: columns, gguf: $0) }
        let (fast, reference) = Self.products(matrix, Self.activations(columns: columns, tokens: tokens, random: &random))
        #expect(fast.map(\.bitPattern) == reference.map(\.bitPattern))
        #expect(!fast.contains { $0.isNaN })
    }

    @Test(arguments: [1, 2, 3, 4, 5, 7, 9])
    func q2_KKernelMatchesReference(tokens: Int) {
        var random = TestRandom(state: 600 + UInt64(tokens))
        let (rows, columns) = (24, 512)
        let gguf = Self.randomKQuant(rows: rows, columns: columns, bytesPerBlock: 84, scaleOffsets: [80, 82], random: &random)
        let matrix = gguf.withUnsafeBytes { Q2_KMatrix(rows: rows, columns: columns, gguf: $0) }
        let (fast, reference) = Self.products(matrix, Self.activations(columns: columns, tokens: tokens, random: &random))
        #expect(fast.map(\.bitPattern) == reference.map(\.bitPattern))
        #expect(!fast.contains { $0.isNaN })
    }

    @Test(arguments: [1, 2, 3, 4, 5, 7, 9])
    func q6_KKernelMatchesReference(tokens: Int) {
        var random = TestRandom(state: 300 + UInt64(tokens))
        let (rows, columns) = (24, 512)
        let gguf = Self.randomKQuant(rows: rows, columns: columns, bytesPerBlock: 210, scaleOffsets: [208], random: &random)
        let matrix = gguf.withUnsafeBytes { Q6_KMatrix(rows: rows, columns: columns, gguf: $0) }
        let (fast, reference) = Self.products(matrix, Self.activations(columns: columns, tokens: tokens, random: &random))
        #expect(fast.map(\.bitPattern) == reference.map(\.bitPattern))
        #expect(!fast.contains { $0.isNaN })
    }

    @Test(arguments: [1, 2, 3, 4, 5, 7, 9])
    func q5KernelMatchesReference(tokens: Int) {
        var random = TestRandom(state: 400 + UInt64(tokens))
        let (rows, columns) = (24, 512)
        let gguf = Self.randomKQuant(rows: rows, columns: columns, bytesPerBlock: 176, scaleOffsets: [0, 2], random: &random)
        let matrix = gguf.withUnsafeBytes { Q5Matrix(rows: rows, columns: columns, q5_K: $0) }
        let (fast, reference) = Self.products(matrix, Self.activations(columns: columns, tokens: tokens, random: &random))
        #expect(fast.map(\.bitPattern) == reference.map(\.bitPattern))
        #expect(!fast.contains { $0.isNaN })
    }

    /// Float weights take the activations' floats: the FloatMatrix kernel against its reference.
    @Test(arguments: [1, 2, 5, 9])
    func floatWeightsKernelMatchesReference(tokens: Int) {
        var random = TestRandom(state: 500 + UInt64(tokens))
        let (rows, columns) = (24, 96)
        let gguf = (0..<rows * columns).flatMap { _ in random.half(-0.5...0.5) }
        let matrix = gguf.withUnsafeBytes { FloatPackedMatrix(rows: rows, columns: columns, type: .f16, gguf: $0) }
        let (fast, reference) = Self.products(matrix, Self.activations(columns: columns, tokens: tokens, random: &random))
        #expect(fast.map(\.bitPattern) == reference.map(\.bitPattern))
        #expect(!fast.contains { $0.isNaN })
    }

    @Test func kernelsRunOnThisMachine() {
        // CI machines have AVX2; if this fails the engine silently runs the slow reference path.
        #expect(simdKernelsAvailable)
    }

    /// The packed layouts keep every weight: dequantizing a packed row gives the GGUF values.
    @Test func packingPreservesWeights() {
        var random = TestRandom(state: 7)
        let (rows, columns) = (16, 64)
        let q4 = Self.randomQ4_1(rows: rows, columns: columns, random: &random)
        let matrix = q4.withUnsafeBytes { Q4_1Matrix(rows: rows, columns: columns, gguf: $0) }
        for row in [0, 5, 9, 15] {
            var unpacked = [Float](repeating: 0, count: columns)
            unpacked.withUnsafeMutableBufferPointer { matrix.dequantizeRow(row, into: $0.baseAddress!) }
            for block in 0..<columns / 32 {
                let base = (row * columns / 32 + block) * 20
                let scale = Float(Float16(bitPattern: UInt16(q4[base]) | UInt16(q4[base + 1]) << 8))
                let minimum = Float(Float16(bitPattern: UInt16(q4[base + 2]) | UInt16(q4[base + 3]) << 8))
                for i in 0..<32 {
                    let byte = q4[base + 4 + i % 16]
                    let q = i < 16 ? byte & 0x0F : byte >> 4
                    #expect(unpacked[block * 32 + i] == scale * Float(q) + minimum)
                }
            }
        }
    }

    @Test func activationQuantizationRoundsToNearestEvenWithinRange() {
        var values = [Float](repeating: 0, count: 32)
        values[0] = 127
        values[1] = -63.5  // exactly halfway: ties to even, -64
        values[2] = 0.5  // ties to even, 0
        values[3] = 1.5  // ties to even, 2
        let activations = QuantizedActivations(columns: 32, capacity: 1)
        values.withUnsafeBufferPointer { activations.quantize($0.baseAddress!, count: 1, stride: 32) }
        #expect(Array(UnsafeBufferPointer(start: activations.values, count: 4)) == [127, -64, 0, 2])
        #expect(activations.scales[0] == 1)
        #expect(activations.scaledSums[0] == 127 - 64 + 0 + 2)
    }

    @Test func attentionKernelsMatchReference() {
        var random = TestRandom(state: 11)
        let (dimension, stride, count) = (64, 192, 37)
        let query = (0..<dimension).map { _ in random.float(-2...2) }
        let cache = (0..<stride * count).map { _ in random.float(-2...2) }
        var fast = [Float](repeating: 0, count: count), reference = fast
        VectorMath.attentionScores(query: query, keys: cache, stride: stride, count: count, dimension: dimension, scale: 0.125, into: &fast)
        VectorMath.referenceAttentionScores(query: query, keys: cache, stride: stride, count: count, dimension: dimension, scale: 0.125, into: &reference)
        #expect(fast.map(\.bitPattern) == reference.map(\.bitPattern))

        let weights = (0..<count).map { _ in random.float(0...0.1) }
        var fastMix = (0..<dimension).map { _ in random.float(-1...1) }, referenceMix = fastMix
        VectorMath.attentionMix(weights: weights, values: cache, stride: stride, count: count, dimension: dimension, into: &fastMix)
        VectorMath.referenceAttentionMix(weights: weights, values: cache, stride: stride, count: count, dimension: dimension, into: &referenceMix)
        #expect(fastMix.map(\.bitPattern) == referenceMix.map(\.bitPattern))
    }

    @Test func swigluKernelMatchesReference() {
        var random = TestRandom(state: 12)
        // Ordinary values, then the edges of exp's range, zeros, infinities and NaN; 203 values
        // so the scalar tail runs too.
        var gate = (0..<180).map { _ in random.float(-30...30) }
        gate += [0, -0.0, 88.8, -88.8, 87.3, -87.3, 100, -100, .infinity, -.infinity, .nan, 1e-30, -1e-30,
                 0.5, 2, 4, 8, 16, 32, 64, 127, -127, 3]
        let up = gate.indices.map { _ in random.float(-2...2) }
        var fast = gate, reference = gate
        VectorMath.swiglu(&fast, up, count: gate.count)
        VectorMath.referenceSwiglu(&reference, up, count: gate.count)
        #expect(fast.map(\.bitPattern) == reference.map(\.bitPattern))
    }

    /// Odd group counts and token counts on both sides of the kernel's 6-token tiles and
    /// 48-token chunks, over all row groups and over a share of them.
    @Test(arguments: [1, 2, 5, 6, 7, 13, 48, 50])
    func floatMatrixKernelMatchesReference(tokens: Int) {
        var random = TestRandom(state: 100 + UInt64(tokens))
        let (rows, columns) = (40, 37)
        let matrix = FloatMatrix(rows: rows, columns: columns, weights: (0..<rows * columns).map { _ in random.float(-1...1) },
                                 bias: (0..<rows).map { _ in random.float(-0.5...0.5) })
        let input = (0..<tokens * columns).map { _ in random.float(-3...3) }
        for groups in [0..<matrix.groupCount, 1..<4] {
            var fast = [Float](repeating: .nan, count: tokens * rows), reference = fast
            matrix.multiply(input, stride: columns, tokens: tokens, groups: groups, into: &fast, outStride: rows)
            matrix.referenceMultiply(input, stride: columns, tokens: tokens, groups: groups, into: &reference, outStride: rows)
            #expect(fast.map(\.bitPattern) == reference.map(\.bitPattern))
            #expect(fast.filter { !$0.isNaN }.count == tokens * groups.count * 8)
        }
    }

    /// Weights read in place with strides, as attention reads its values: eight consecutive
    /// floats are one column of a group, and columns lie `columnStride` floats apart.
    @Test(arguments: [1, 6, 7, 50])
    func stridedWeightsKernelMatchesReference(tokens: Int) {
        var random = TestRandom(state: 200 + UInt64(tokens))
        let (rows, columns, columnStride) = (24, 19, 29)
        let storage = (0..<columns * columnStride).map { _ in random.float(-1...1) }
        let bias = (0..<rows).map { _ in random.float(-0.5...0.5) }
        let input = (0..<tokens * columns).map { _ in random.float(-3...3) }
        var fast = [Float](repeating: .nan, count: tokens * rows), reference = fast
        storage.withUnsafeBufferPointer { storage in
            let weights = FloatWeights(base: storage.baseAddress!, groupStride: 8, columnStride: columnStride, columns: columns)
            weights.multiply(input, stride: columns, tokens: tokens, groups: 0..<3, bias: bias, into: &fast, outStride: rows)
            weights.referenceMultiply(input, stride: columns, tokens: tokens, groups: 0..<3, bias: bias, into: &reference, outStride: rows)
        }
        #expect(fast.map(\.bitPattern) == reference.map(\.bitPattern))
        #expect(!fast.contains { $0.isNaN })
    }

    @Test(arguments: [1, 7, 8, 9, 61, 256])
    func softmaxKernelMatchesReference(count: Int) {
        var random = TestRandom(state: 300 + UInt64(count))
        var values = (0..<count).map { _ in random.float(-40...40) }
        if count > 8 { values[3] = -.infinity }  // a masked score
        var fast = values, reference = values
        VectorMath.softmax(&fast, count: count)
        VectorMath.referenceSoftmax(&reference, count: count)
        #expect(fast.map(\.bitPattern) == reference.map(\.bitPattern))
    }

    /// GELU as the kernel applies it to its outputs. A one-column matrix of ones with zero bias
    /// passes each input through unchanged (fma(1, x, 0) = x), so the values reach GELU exactly:
    /// ordinary values, both sides of erf's branch points (|x| / sqrt 2 = 1 and 4), zeros,
    /// infinities and NaN.
    @Test func geluKernelMatchesReference() {
        var random = TestRandom(state: 13)
        var values = (0..<180).map { _ in random.float(-8...8) }
        values += [0, 1.4142135, 1.4142137, -1.4142135, -1.4142137, 5.656854, 5.656855, -5.656854, -5.656855,
                   .infinity, -.infinity, .nan, 1e-30, -1e-30, 100, -100, 0.5, -0.5, 2, -2, 3, -3, 1e-3, -1e-3]
        let matrix = FloatMatrix(rows: 8, columns: 1, weights: [Float](repeating: 1, count: 8), bias: [Float](repeating: 0, count: 8))
        var fast = [Float](repeating: 0, count: values.count * 8), reference = fast, plain = fast
        matrix.multiply(values, stride: 1, tokens: values.count, groups: 0..<1, into: &fast, outStride: 8, gelu: true)
        matrix.referenceMultiply(values, stride: 1, tokens: values.count, groups: 0..<1, into: &reference, outStride: 8, gelu: true)
        matrix.referenceMultiply(values, stride: 1, tokens: values.count, groups: 0..<1, into: &plain, outStride: 8)
        #expect(fast.map(\.bitPattern) == reference.map(\.bitPattern))
        #expect(zip(plain, values.flatMap { [Float](repeating: $0, count: 8) }).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) })
        #expect(reference[8 * 2] == EngineMath.gelu(values[2]))
    }

    @Test func activationQuantizationKernelMatchesReference() {
        var random = TestRandom(state: 13)
        let columns = 96, tokens = 5
        var values = (0..<columns * tokens).map { _ in random.float(-3...3) }
        values.replaceSubrange(32..<64, with: [Float](repeating: 0, count: 32))  // an all-zero block
        values[70] = 1e-20
        let fast = QuantizedActivations(columns: columns, capacity: tokens)
        let reference = QuantizedActivations(columns: columns, capacity: tokens)
        values.withUnsafeBufferPointer {
            fast.quantize($0.baseAddress!, count: tokens, stride: columns)
            reference.referenceQuantize($0.baseAddress!, count: tokens, stride: columns)
        }
        let blocks = columns / 32 * tokens
        #expect(Array(UnsafeBufferPointer(start: fast.values, count: columns * tokens)) == Array(UnsafeBufferPointer(start: reference.values, count: columns * tokens)))
        #expect(Array(UnsafeBufferPointer(start: fast.scales, count: blocks)).map(\.bitPattern) == Array(UnsafeBufferPointer(start: reference.scales, count: blocks)).map(\.bitPattern))
        #expect(Array(UnsafeBufferPointer(start: fast.scaledSums, count: blocks)).map(\.bitPattern) == Array(UnsafeBufferPointer(start: reference.scaledSums, count: blocks)).map(\.bitPattern))
    }

    @Test func halfPrecisionRoundingMatchesSwift() {
        var random = TestRandom(state: 14)
        let values = (0..<203).map { _ in random.float(-70000...70000) } + [0, -0.0, 1e-8, 65504, 65520, .infinity]
        var rounded = [Float](repeating: 0, count: values.count)
        KVCache.storeRounded(values, into: &rounded, count: values.count)
        #expect(rounded.map(\.bitPattern) == values.map { Float(Float16($0)).bitPattern })
    }
}
