/// Bounds on the work a chat template may do, so that a hostile or broken template (it comes
/// from the model file) or a huge conversation fails with a clear error instead of exhausting
/// memory or time.
public struct TemplateLimits: Sendable, Equatable {
    /// Unicode scalars in the template's source.
    public var sourceLength: Int
    /// Unicode scalars in the rendered prompt, and in any one string a template builds.
    public var outputLength: Int
    /// Loop iterations over the whole render.
    public var loopIterations: Int
    /// Nesting of expressions and statements, in the parser and the evaluator.
    public var depth: Int

    public init(sourceLength: Int = 256 * 1024, outputLength: Int = 16 * 1024 * 1024, loopIterations: Int = 1_000_000, depth: Int = 200) {
        self.sourceLength = sourceLength
        self.outputLength = outputLength
        self.loopIterations = loopIterations
        self.depth = depth
    }
}
