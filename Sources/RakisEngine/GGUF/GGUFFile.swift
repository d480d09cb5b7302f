/// A parsed GGUF (version 3) file: its metadata, its tensor table, and the mapped bytes.
///
/// Layout: magic "GGUF", version, tensor count, metadata count, the metadata key/value pairs,
/// the tensor table, padding to `general.alignment` (default 32), then the tensor data, each
/// tensor at an aligned offset from the start of the data section.
public final class GGUFFile: Sendable {
    public let path: String
    public let version: UInt32
    public let metadata: [String: GGUFValue]
    /// Tensors in file order.
    public let tensors: [TensorInfo]
    public let file: MappedFile
    private let tensorIndex: [String: Int]

    public convenience init(path: String) throws(GGUFError) {
        try self.init(file: MappedFile(path: path))
    }

    public init(file: MappedFile) throws(GGUFError) {
        let path = file.path
        var cursor = GGUFCursor(bytes: file.bytes, path: path)
        guard try cursor.read(UInt32.self, "reading the magic number") == 0x4655_4747 else { throw .notGGUF(path: path) }
        let version = try cursor.read(UInt32.self, "reading the version")
        guard version == 3 else { throw .unsupportedVersion(path: path, version: version) }
        // Each table entry takes at least 8 bytes, which bounds both counts by the file size.
        let tensorCount = try cursor.readCount(unit: 8, "reading the tensor count")
        let metadataCount = try cursor.readCount(unit: 8, "reading the metadata count")

        var metadata: [String: GGUFValue] = [:]
        for index in 0..<metadataCount {
            let keyOffset = cursor.offset
            let key = try cursor.readString("reading metadata key #\(index)")
            let type = try cursor.read(UInt32.self, "reading the type of '\(key)'")
            let value = try cursor.readValue(type: type, "reading metadata '\(key)'")
            guard metadata.updateValue(value, forKey: key) == nil else {
                throw .corrupt(path: path, offset: keyOffset, reason: "duplicate metadata key '\(key)'")
            }
        }

        var alignment = 32
        if let value = metadata["general.alignment"] {
            guard let align = value.integer, align > 0, align & (align - 1) == 0 else {
                throw .corrupt(path: path, offset: 0, reason: "general.alignment \(value) is not a power of two")
            }
            alignment = align
        }

        struct Entry { let name: String, shape: [Int], type: TensorType, offset: Int, at: Int }
        var entries: [Entry] = []
        entries.reserveCapacity(tensorCount)
        for index in 0..<tensorCount {
            let at = cursor.offset
            let name = try cursor.readString("reading the name of tensor #\(index)")
            let dimensions = try cursor.read(UInt32.self, "reading the rank of '\(name)'")
            guard (1...4).contains(dimensions) else {
                throw .corrupt(path: path, offset: at, reason: "tensor '\(name)' has rank \(dimensions)")
            }
            var shape: [Int] = []
            for _ in 0..<dimensions {
                let size = try cursor.read(UInt64.self, "reading the shape of '\(name)'")
                guard size > 0, size < 1 << 40 else {
                    throw .corrupt(path: path, offset: at, reason: "tensor '\(name)' has dimension \(size)")
                }
                shape.append(Int(size))
            }
            let rawType = try cursor.read(UInt32.self, "reading the type of '\(name)'")
            guard let type = TensorType(rawValue: rawType) else {
                throw .unsupportedTensorType(path: path, tensor: name, type: "unknown type id \(rawType)")
            }
            let offset = try cursor.read(UInt64.self, "reading the offset of '\(name)'")
            guard offset % UInt64(alignment) == 0, offset < 1 << 50 else {
                throw .corrupt(path: path, offset: at, reason: "tensor '\(name)' has a bad data offset \(offset)")
            }
            entries.append(Entry(name: name, shape: shape, type: type, offset: Int(offset), at: at))
        }

        let dataStart = (cursor.offset + alignment - 1) / alignment * alignment
        var tensors: [TensorInfo] = []
        var index: [String: Int] = [:]
        for entry in entries {
            let elements = entry.shape.reduce(1, *)
            guard entry.shape[0] % entry.type.blockSize == 0 else {
                throw .corrupt(path: path, offset: entry.at,
                               reason: "tensor '\(entry.name)' rows of \(entry.shape[0]) do not fill \(entry.type.name) blocks")
            }
            let size = elements / entry.type.blockSize * entry.type.bytesPerBlock
            let start = dataStart + entry.offset
            guard start + size <= file.bytes.count else {
                throw .truncated(path: path, needed: size, available: max(0, file.bytes.count - start),
                                 while: "reading the data of tensor '\(entry.name)'")
            }
            guard index.updateValue(tensors.count, forKey: entry.name) == nil else {
                throw .corrupt(path: path, offset: entry.at, reason: "duplicate tensor '\(entry.name)'")
            }
            tensors.append(TensorInfo(name: entry.name, shape: entry.shape, type: entry.type, byteRange: start..<start + size))
        }

        self.path = path
        self.version = version
        self.metadata = metadata
        self.tensors = tensors
        self.file = file
        self.tensorIndex = index
        // Everything before the tensor data is parsed now (Gemma's vocabulary takes megabytes).
        file.release(0..<dataStart)
    }

    // MARK: Typed access, with errors that name the key

    public func tensor(_ name: String) throws(GGUFError) -> TensorInfo {
        guard let position = tensorIndex[name] else { throw .missingTensor(path: path, name: name) }
        return tensors[position]
    }

    public func hasTensor(_ name: String) -> Bool { tensorIndex[name] != nil }

    public func bytes(of tensor: TensorInfo) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: file.bytes[tensor.byteRange])
    }

    public func value(_ key: String) throws(GGUFError) -> GGUFValue {
        guard let value = metadata[key] else { throw .missingKey(path: path, key: key) }
        return value
    }

    public func integer(_ key: String) throws(GGUFError) -> Int {
        let value = try value(key)
        guard let integer = value.integer else { throw .wrongKeyType(path: path, key: key, expected: "an integer", actual: value.typeName) }
        return integer
    }

    public func number(_ key: String) throws(GGUFError) -> Double {
        let value = try value(key)
        guard let number = value.number else { throw .wrongKeyType(path: path, key: key, expected: "a number", actual: value.typeName) }
        return number
    }

    public func string(_ key: String) throws(GGUFError) -> String {
        let value = try value(key)
        guard let string = value.string else { throw .wrongKeyType(path: path, key: key, expected: "a string", actual: value.typeName) }
        return string
    }

    public func strings(_ key: String) throws(GGUFError) -> [String] {
        try array(key, of: "strings", \.string)
    }

    public func integers(_ key: String) throws(GGUFError) -> [Int] {
        try array(key, of: "integers", \.integer)
    }

    public func floats(_ key: String) throws(GGUFError) -> [Float] {
        try array(key, of: "numbers") { $0.number.map(Float.init) }
    }

    /// An array value whose every item converts with `item` (which returns nil on a wrong type).
    private func array<Item>(_ key: String, of kind: String, _ item: (GGUFValue) -> Item?) throws(GGUFError) -> [Item] {
        let value = try value(key)
        guard let items = value.array else { throw .wrongKeyType(path: path, key: key, expected: "an array of \(kind)", actual: value.typeName) }
        var converted: [Item] = []
        converted.reserveCapacity(items.count)
        for element in items {
            guard let result = item(element) else {
                throw .wrongKeyType(path: path, key: key, expected: "an array of \(kind)", actual: "array of \(element.typeName)")
            }
            converted.append(result)
        }
        return converted
    }
}
