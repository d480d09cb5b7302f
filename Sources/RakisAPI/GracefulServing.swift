import Hummingbird
import Logging
import ServiceLifecycle

/// Runs a Hummingbird application until the calling task is cancelled, then shuts it down
/// gracefully: the listening socket closes and requests in flight get `grace` to finish before
/// they are cancelled. (Cancelled outright, the server stops at once and logs the cancellation
/// as an error, which every clean stop of a node and of `rakis demo` used to print.)
func serveUntilCancelled(_ application: some Service, logger: Logger, grace: Duration = .seconds(3)) async throws {
    let group = ServiceGroup(configuration: .init(services: [application], logger: logger))
    // Its own task, so the caller's cancellation reaches the group only as a graceful shutdown.
    let running = Task { try await group.run() }
    try await withTaskCancellationHandler {
        try await running.value
    } onCancel: {
        Task {
            await group.triggerGracefulShutdown()
            try? await Task.sleep(for: grace)
            running.cancel()
        }
    }
}
