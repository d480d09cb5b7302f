import Foundation

/// A memory-mapped safetensors file: an 8-byte little-endian header length, a JSON header
/// naming each tensor's dtype, shape and byte range, then the tensor data.
public final class SafetensorsFile: Sendable {
    public struct Tensor: Sendable, Equatable {
        public let name: String
        public let dtype: String
        public let shape: [Int]
        /// Absolute byte range of the tensor's data in the file.
        public let byteRange: Range<Int>

        public var elementCount: Int { shape.reduce(1, *) }
    }

    public let path: String
    public let file: MappedFile
    /// Tensors sorted by name.
    public let tensors: [Tensor]
    public let metadata: [String: String]
    private let index: [String: Int]

    /// Bytes per element of the dtypes the format defines.
    static let elementSizes: [String: Int] = [
        "F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1,
    ]

    public convenience init(path: String) throws(SafetensorsError) {
        let file: MappedFile
        do {
            file = try MappedFile(path: path)
        } catch .cannotOpen(_, let reason) {
            throw .cannotOpen(path: path, reason: reason)
        } catch .truncated {
            throw .truncated(path: path, reason: "the file is empty")
        } catch {
            throw .cannotOpen(path: path, reason: "\(error)")
        }
        try self.init(file: file)
    }

    public init(file: MappedFile) throws(SafetensorsError) {
        let path = file.path, bytes = file.bytes
        guard bytes.count >= 8 else { throw .truncated(path: path, reason: "\(bytes.count) bytes, shorter than the 8-byte header length") }
        let headerLength = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw .truncated(path: path, reason: "the header claims \(headerLength) bytes but the file has \(bytes.count - 8) after the length")
        }
        let dataStart = 8 + Int(headerLength)
        let header = Data(bytes[8..<dataStart])
        guard let object = try? JSONSerialization.jsonObject(with: header), let entries = object as? [String: Any] else {
            throw .corrupt(path: path, reason: "the header is not a JSON object")
        }

        var tensors: [Tensor] = []
        var metadata: [String: String] = [:]
        for (name, value) in entries {
            if name == "__metadata__" {
                metadata = (value as? [String: String]) ?? [:]
                continue
            }
            guard let fields = value as? [String: Any], let dtype = fields["dtype"] as? String,
                  let shape = fields["shape"] as? [Int], let offsets = fields["data_offsets"] as? [Int], offsets.count == 2 else {
                throw .corrupt(path: path, reason: "tensor '\(name)' lacks dtype, shape or data_offsets")
            }
            guard let elementSize = Self.elementSizes[dtype] else {
                throw .corrupt(path: path, reason: "tensor '\(name)' has unknown dtype \(dtype)")
            }
            guard shape.allSatisfy({ $0 >= 0 }), offsets[0] >= 0, offsets[0] <= offsets[1] else {
                throw .corrupt(path: path, reason: "tensor '\(name)' has shape \(shape) and offsets \(offsets)")
            }
            let (elements, overflow) = shape.reduce((1, false)) { partial, dimension in
                let product = partial.0.multipliedReportingOverflow(by: dimension)
                return (product.partialValue, partial.1 || product.overflow)
            }
            guard !overflow, elements.multipliedReportingOverflow(by: elementSize) == (offsets[1] - offsets[0], false) else {
                throw .corrupt(path: path, reason: "tensor '\(name)': shape \(shape) of \(dtype) does not fill bytes \(offsets[0])..<\(offsets[1])")
            }
            guard dataStart + offsets[1] <= bytes.count else {
                throw .truncated(path: path, reason: "tensor '\(name)' ends at byte \(dataStart + offsets[1]) but the file has \(bytes.count)")
            }
            tensors.append(Tensor(name: name, dtype: dtype, shape: shape, byteRange: dataStart + offsets[0]..<dataStart + offsets[1]))
        }
        tensors.sort { $0.name < $1.name }
        self.path = path
        self.file = file
        self.tensors = tensors
        self.metadata = metadata
        index = Dictionary(uniqueKeysWithValues: tensors.enumerated().map { ($1.name, $0) })
    }

    public func tensor(_ name: String) throws(SafetensorsError) -> Tensor {
        guard let position = index[name] else { throw .missingTensor(path: path, name: name) }
        return tensors[position]
    }

    /// An F32 tensor's values, checked against the expected shape and copied out of the file.
    public func floats(_ name: String, shape: [Int]) throws(SafetensorsError) -> [Float] {
        let tensor = try tensor(name)
        guard tensor.dtype == "F32", tensor.shape == shape else {
            throw .wrongTensor(path: path, name: name, expected: "F32 \(shape)", actual: "\(tensor.dtype) \(tensor.shape)")
        }
        let bytes = UnsafeRawBufferPointer(rebasing: file.bytes[tensor.byteRange])
        let values = (0..<tensor.elementCount).map {
            Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)))
        }
        // The values are copied, so the file's pages can go: loading never holds a model twice.
        file.release(tensor.byteRange)
        // Damaged weights would silently give wrong embeddings; NaN and infinity are the damage
        // that can be told from a real weight.
        if let index = values.firstIndex(where: { !$0.isFinite }) {
            throw .corrupt(path: path, reason: "tensor '\(name)' holds \(values[index]) at element \(index)")
        }
        return values
    }
}

/// Why a safetensors file cannot be used; each message names the file.
public enum SafetensorsError: Error, Equatable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case truncated(path: String, reason: String)
    case corrupt(path: String, reason: String)
    case missingTensor(path: String, name: String)
    case wrongTensor(path: String, name: String, expected: String, actual: String)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason): "cannot open \(path): \(reason)"
        case let .truncated(path, reason): "\(path) is truncated: \(reason)"
        case let .corrupt(path, reason): "\(path) is corrupt: \(reason)"
        case let .missingTensor(path, name): "\(path) has no tensor '\(name)'"
        case let .wrongTensor(path, name, expected, actual): "\(path): tensor '\(name)' is \(actual), expected \(expected)"
        }
    }
}
