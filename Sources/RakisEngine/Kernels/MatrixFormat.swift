import CRakisKernels

/// Turns a GGUF weight tensor into the engine's packed compute layout.
public enum MatrixFormat {
    /// Tensor types the engine can multiply with today.
    public static let supported: [TensorType] = [.f32, .f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K]

    /// Packs a 2-D tensor whose rows are the matrix's output rows.
    public static func pack(_ tensor: TensorInfo, from file: GGUFFile) throws(GGUFError) -> any PackedMatrix {
        guard tensor.shape.count == 2 else {
            throw .wrongTensorShape(path: file.path, tensor: tensor.name, expected: [tensor.columns, tensor.rows], actual: tensor.shape)
        }
        guard tensor.rows % 8 == 0 else {
            throw .corrupt(path: file.path, offset: tensor.byteRange.lowerBound,
                           reason: "tensor '\(tensor.name)' has \(tensor.rows) rows; the engine needs a multiple of 8")
        }
        let bytes = file.bytes(of: tensor)
        let (rows, columns) = (tensor.rows, tensor.columns)
        // The file's pages of rows already packed are given back as packing goes, so a large
        // tensor (Gemma's 178 MB embedding) is never in memory twice.
        var released = 0
        let start = tensor.byteRange.lowerBound
        let packed = { (done: Int) in
            guard done - released >= 1 << 20 else { return }
            file.file.release(start + released..<start + done)
            released = done
        }
        switch tensor.type {
        case .f32, .f16, .bf16: return FloatPackedMatrix(rows: rows, columns: columns, type: tensor.type, gguf: bytes)
        case .q4_0:
            do {
                let blocks = try BlockTranscoding.q4_1(fromQ4_0: bytes)
                return blocks.withUnsafeBytes { Q4_1Matrix(rows: rows, columns: columns, gguf: $0) }
            } catch {
                throw .corrupt(path: file.path, offset: tensor.byteRange.lowerBound + 18 * error.block,
                               reason: "tensor '\(tensor.name)': a Q4_0 block's scale is too large for half precision times 8")
            }
        case .q4_1: return Q4_1Matrix(rows: rows, columns: columns, gguf: bytes, packed: packed)
        case .q5_0: return BlockTranscoding.q8_0(fromQ5_0: bytes).withUnsafeBytes { Q8_0Matrix(rows: rows, columns: columns, gguf: $0) }
        case .q5_1: return Q5Matrix(rows: rows, columns: columns, q5_1: bytes)
        case .q8_0: return Q8_0Matrix(rows: rows, columns: columns, gguf: bytes, packed: packed)
        case .q2_K: return Q2_KMatrix(rows: rows, columns: columns, gguf: bytes, packed: packed)
        case .q3_K: return Q6_KMatrix(rows: rows, columns: columns, q3_K: bytes)
        case .q4_K: return Q4_KMatrix(rows: rows, columns: columns, gguf: bytes, packed: packed)
        case .q5_K: return Q5Matrix(rows: rows, columns: columns, q5_K: bytes)
        case .q6_K: return Q6_KMatrix(rows: rows, columns: columns, gguf: bytes, packed: packed)
        default: throw .unsupportedTensorType(path: file.path, tensor: tensor.name, type: tensor.type.name)
        }
    }
}

func rakisKernelsAvailable() -> Bool { rakis_kernels_available() != 0 }
