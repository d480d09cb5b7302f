import CRakisKernels
import Foundation
import Synchronization

/// A fixed set of threads that run the parts of one job at a time, the caller running part 0.
///
/// Workers spin for a while after each job, because a token's forward pass hands out about
/// 150 jobs of a few microseconds each and waking a sleeping thread costs more than that; after
/// a few milliseconds idle they sleep on a condition variable. Parts are fixed by the part
/// index, never by which thread is free first, so results cannot depend on timing.
public final class WorkerPool: Sendable {
    public let threadCount: Int
    private let state: State

    public init(threads: Int) {
        precondition(threads >= 1, "a pool needs at least one thread")
        threadCount = threads
        let state = State()
        self.state = state
        for part in 1..<threads {
            let thread = Thread { state.workerLoop(part: part) }
            thread.name = "rakis-engine-\(part)"
            thread.start()
        }
    }

    deinit { state.stop() }

    /// Runs `body(part)` for every part in 0..<threadCount and returns when all have finished.
    /// `body` may capture buffers that are not `Sendable`: the pool hands each part to exactly
    /// one thread and returns only after every part is done.
    public func run(_ body: @escaping (Int) -> Void) {
        guard threadCount > 1 else { return body(0) }
        state.publish(Job(body: body), workers: threadCount - 1)
        body(0)
        state.waitForWorkers()
    }

    /// The contiguous share of `0..<count` that part `part` handles.
    public func share(of count: Int, part: Int) -> Range<Int> {
        (count * part / threadCount)..<(count * (part + 1) / threadCount)
    }

    private struct Job: @unchecked Sendable {
        let body: (Int) -> Void
    }

    /// What the caller and the workers share; the workers keep it alive until they exit.
    private final class State: @unchecked Sendable {
        private let generation = Atomic<Int>(0)
        private let remaining = Atomic<Int>(0)
        private let condition = NSCondition()
        private var sleepers = 0
        // Written before `generation` is released and read after it is acquired.
        private var stopping = false
        private var job: Job?
        private let spinLimit = 50_000

        func publish(_ job: Job, workers: Int) {
            self.job = job
            remaining.store(workers, ordering: .relaxed)
            generation.add(1, ordering: .releasing)
            condition.lock()
            if sleepers > 0 { condition.broadcast() }
            condition.unlock()
        }

        func waitForWorkers() {
            var spins = 0
            while remaining.load(ordering: .acquiring) > 0 { Self.pause(&spins) }
            job = nil
        }

        /// Spins briefly, then yields the core: when the machine has more runnable threads than
        /// cores, the thread being waited for may need this one's time slice.
        private static func pause(_ spins: inout Int) {
            spins += 1
            if spins < 2_000 { rakis_cpu_relax() } else { sched_yield() }
        }

        func stop() {
            condition.lock()
            stopping = true
            generation.add(1, ordering: .releasing)
            condition.broadcast()
            condition.unlock()
        }

        func workerLoop(part: Int) {
            var seen = 0
            while true {
                var spins = 0
                while generation.load(ordering: .acquiring) == seen {
                    if spins < spinLimit {
                        Self.pause(&spins)
                        continue
                    }
                    condition.lock()
                    sleepers += 1
                    while generation.load(ordering: .acquiring) == seen { condition.wait() }
                    sleepers -= 1
                    condition.unlock()
                }
                seen = generation.load(ordering: .acquiring)
                if stopping { return }
                job?.body(part)
                remaining.subtract(1, ordering: .releasing)
            }
        }
    }
}
