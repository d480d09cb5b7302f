/// A bounds-checked little-endian reader over the header of a GGUF file.
///
/// Every read says what it was reading, so a truncated or corrupt file is reported with the
/// offset and the field, never as a crash.
struct GGUFCursor {
    let bytes: UnsafeRawBufferPointer
    let path: String
    private(set) var offset = 0

    init(bytes: UnsafeRawBufferPointer, path: String) {
        self.bytes = bytes
        self.path = path
    }

    private mutating func take(_ count: Int, _ activity: @autoclosure () -> String) throws(GGUFError) -> Int {
        guard count >= 0, count <= bytes.count - offset else {
            throw .truncated(path: path, needed: count, available: bytes.count - offset, while: activity())
        }
        defer { offset += count }
        return offset
    }

    mutating func read<T: FixedWidthInteger>(_: T.Type, _ activity: @autoclosure () -> String) throws(GGUFError) -> T {
        let start = try take(MemoryLayout<T>.size, activity())
        return T(littleEndian: bytes.loadUnaligned(fromByteOffset: start, as: T.self))
    }

    /// Reads a length that must fit the rest of the file (at `unit` bytes per element), so a
    /// damaged count fails here instead of allocating gigabytes.
    mutating func readCount(unit: Int, _ activity: @autoclosure () -> String) throws(GGUFError) -> Int {
        let count = try read(UInt64.self, activity())
        let remaining = bytes.count - offset
        guard count <= UInt64(remaining) / UInt64(max(unit, 1)) else {
            let needed = count.multipliedReportingOverflow(by: UInt64(max(unit, 1)))
            throw .truncated(path: path, needed: needed.overflow || needed.partialValue > UInt64(Int.max) ? Int.max : Int(needed.partialValue),
                             available: remaining, while: "\(activity()) (\(count) entries)")
        }
        return Int(count)
    }

    mutating func readString(_ activity: @autoclosure () -> String) throws(GGUFError) -> String {
        let length = try readCount(unit: 1, activity())
        let start = try take(length, activity())
        let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<start + length])
        guard let text = String(validating: raw, as: UTF8.self) else {
            throw .corrupt(path: path, offset: start, reason: "\(activity()): invalid UTF-8")
        }
        return text
    }

    mutating func readValue(type: UInt32, _ activity: @autoclosure () -> String, depth: Int = 0) throws(GGUFError) -> GGUFValue {
        switch type {
        case 0: return .uint(UInt64(try read(UInt8.self, activity())), bits: 8)
        case 1: return .int(Int64(try read(Int8.self, activity())), bits: 8)
        case 2: return .uint(UInt64(try read(UInt16.self, activity())), bits: 16)
        case 3: return .int(Int64(try read(Int16.self, activity())), bits: 16)
        case 4: return .uint(UInt64(try read(UInt32.self, activity())), bits: 32)
        case 5: return .int(Int64(try read(Int32.self, activity())), bits: 32)
        case 6: return .float(Double(Float(bitPattern: try read(UInt32.self, activity()))), bits: 32)
        case 7:
            let at = offset
            switch try read(UInt8.self, activity()) {
            case 0: return .bool(false)
            case 1: return .bool(true)
            case let other: throw .corrupt(path: path, offset: at, reason: "\(activity()): bool byte \(other)")
            }
        case 8: return .string(try readString(activity()))
        case 9:
            let at = offset
            guard depth == 0 else { throw .corrupt(path: path, offset: at, reason: "\(activity()): nested array") }
            let elementType = try read(UInt32.self, activity())
            let count = try readCount(unit: 1, activity())
            var items: [GGUFValue] = []
            items.reserveCapacity(count)
            for _ in 0..<count { items.append(try readValue(type: elementType, activity(), depth: 1)) }
            return .array(items)
        case 10: return .uint(try read(UInt64.self, activity()), bits: 64)
        case 11: return .int(try read(Int64.self, activity()), bits: 64)
        case 12: return .float(Double(bitPattern: try read(UInt64.self, activity())), bits: 64)
        default: throw .corrupt(path: path, offset: offset - 4, reason: "\(activity()): unknown value type \(type)")
        }
    }
}
