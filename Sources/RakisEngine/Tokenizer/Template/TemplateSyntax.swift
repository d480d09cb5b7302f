/// The parsed form of a template: statements, and the expressions inside them.
struct TemplateExpression: Sendable {
    indirect enum Kind: Sendable {
        case literal(TemplateValue)
        case name(String)
        case list([TemplateExpression])
        case dict([(key: TemplateExpression, value: TemplateExpression)])
        case attribute(TemplateExpression, String)
        case item(TemplateExpression, TemplateExpression)
        case slice(TemplateExpression, start: TemplateExpression?, stop: TemplateExpression?, step: TemplateExpression?)
        case call(TemplateExpression, arguments: TemplateArguments)
        case filter(TemplateExpression, name: String, arguments: TemplateArguments)
        case test(TemplateExpression, name: String, arguments: [TemplateExpression], negated: Bool)
        case not(TemplateExpression)
        case negate(TemplateExpression)
        case binary(String, TemplateExpression, TemplateExpression)
        case and(TemplateExpression, TemplateExpression)
        case or(TemplateExpression, TemplateExpression)
        /// `then if condition else otherwise`; without `else`, undefined.
        case conditional(then: TemplateExpression, condition: TemplateExpression, otherwise: TemplateExpression?)
    }

    let kind: Kind
    let location: TemplateLocation
}

/// Positional and keyword arguments of a call or a filter.
struct TemplateArguments: Sendable {
    var positional: [TemplateExpression] = []
    var keywords: [(name: String, value: TemplateExpression)] = []
}

/// Where `set` or `for` stores a value.
enum TemplateTarget: Sendable {
    case name(String)
    /// `a, b` unpacking a pair.
    case names([String])
    /// `ns.attribute`, on a namespace.
    case attribute(String, String)
}

indirect enum TemplateStatement: Sendable {
    /// Text between tags, output as markup.
    case text(String)
    case output(TemplateExpression)
    case conditional(branches: [(condition: TemplateExpression, body: [TemplateStatement])], otherwise: [TemplateStatement])
    case loop(target: TemplateTarget, iterable: TemplateExpression, filter: TemplateExpression?,
              body: [TemplateStatement], otherwise: [TemplateStatement], location: TemplateLocation)
    case assignment(TemplateTarget, TemplateExpression, location: TemplateLocation)
    /// `{% set name %}…{% endset %}`: the rendered body.
    case blockAssignment(String, [TemplateStatement])
}
