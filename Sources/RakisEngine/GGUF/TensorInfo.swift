/// One entry of a GGUF tensor table: where a tensor's bytes are and how to read them.
public struct TensorInfo: Sendable, Equatable {
    public let name: String
    /// ggml order: `shape[0]` is the innermost (row length) dimension.
    public let shape: [Int]
    public let type: TensorType
    /// Absolute byte range of the tensor's data in the file.
    public let byteRange: Range<Int>

    public var elementCount: Int { shape.reduce(1, *) }
    /// Row length (elements per row) and row count of the tensor seen as a matrix.
    public var columns: Int { shape.first ?? 1 }
    public var rows: Int { elementCount / max(columns, 1) }
}
