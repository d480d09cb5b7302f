import RakisCore
import Testing

@Suite struct BoundedDictionaryTests {
    @Test func dropsTheOldestKeyWhenFull() {
        var cache = BoundedDictionary<Int, String>(capacity: 3)
        for key in 1...3 { cache[key] = "v\(key)" }
        cache[1] = "updated"  // an update does not make key 1 younger
        cache[4] = "v4"
        #expect(cache.count == 3)
        #expect(cache[1] == nil)
        #expect(cache[2] == "v2" && cache[3] == "v3" && cache[4] == "v4")
    }

    @Test func removedKeysFreeTheirPlace() {
        var cache = BoundedDictionary<Int, [Int]>(capacity: 2)
        cache[1, default: []].append(10)
        cache[1, default: []].append(11)
        cache[2] = [20]
        #expect(cache.removeValue(forKey: 1) == [10, 11])
        cache[3] = [30]
        #expect(cache.count == 2)
        #expect(cache[2] == [20] && cache[3] == [30])
        cache[2] = nil
        cache[4] = [40]
        cache[5] = [50]
        #expect(cache[3] == nil && cache[4] == [40] && cache[5] == [50])
    }

    @Test func neverHoldsMoreThanItsCapacity() {
        var cache = BoundedDictionary<Int, Int>(capacity: 16)
        for key in 0..<1_000 {
            cache[key % 97] = key
            if key % 5 == 0 { cache.removeValue(forKey: (key * 7) % 97) }
            #expect(cache.count <= 16)
        }
    }
}
