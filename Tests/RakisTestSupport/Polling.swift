/// Checks `condition` every 20 ms until it holds or `timeout` passes. The timeout only bounds a
/// test that would otherwise hang; it is never a timing assertion. It sleeps instead of blocking,
/// so the few threads Swift concurrency has stay free for the code under test.
public func eventually(timeout: Duration = .seconds(30), _ condition: () async -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return await condition()
}
