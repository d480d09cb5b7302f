/// A dictionary that holds at most `capacity` entries: inserting a new key into a full one drops
/// the oldest key first. Updating a key's value does not make it younger.
///
/// For caches that an adversary can grow at will (one entry per request id it invents): the bound
/// is the memory it can make a node spend.
public struct BoundedDictionary<Key: Hashable, Value> {
    public let capacity: Int
    private var entries: [Key: Value] = [:]
    /// Keys in insertion order, oldest first; exactly the keys of `entries`.
    private var order: [Key] = []

    public init(capacity: Int) {
        precondition(capacity > 0, "a bounded dictionary needs room for at least one entry")
        self.capacity = capacity
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    public var values: Dictionary<Key, Value>.Values { entries.values }

    /// Reading gives the value, if held; writing nil removes the key; writing a value to a new
    /// key into a full dictionary drops its oldest key.
    public subscript(key: Key) -> Value? {
        get { entries[key] }
        set {
            guard let newValue else {
                removeValue(forKey: key)
                return
            }
            if entries.updateValue(newValue, forKey: key) == nil {
                order.append(key)
                if order.count > capacity { entries[order.removeFirst()] = nil }
            }
        }
    }

    public subscript(key: Key, default defaultValue: @autoclosure () -> Value) -> Value {
        get { entries[key] ?? defaultValue() }
        set { self[key] = newValue }
    }

    @discardableResult
    public mutating func removeValue(forKey key: Key) -> Value? {
        guard let value = entries.removeValue(forKey: key) else { return nil }
        order.removeAll { $0 == key }
        return value
    }
}
