/// A command that could not do its job for a reason outside its arguments (a missing store, an
/// unreachable network). Printed as "Error: <message>" without the usage text that argument
/// errors get, and the process exits 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
