import CRakisKernels

/// Turns a GGUF weight tensor into the engine's packed compute layout.
public enum MatrixFormat {
    /// Tensor types the engine can multiply with today.
    public static let supported: [TensorType] = [.q4_1, .q8_0]

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
        switch tensor.type {
        case .q4_1: return Q4_1Matrix(rows: tensor.rows, columns: tensor.columns, gguf: bytes)
        case .q8_0: return Q8_0Matrix(rows: tensor.rows, columns: tensor.columns, gguf: bytes)
        default: throw .unsupportedTensorType(path: file.path, tensor: tensor.name, type: tensor.type.name)
        }
    }
}

func rakisKernelsAvailable() -> Bool { rakis_kernels_available() != 0 }
