/// Renders a conversation as the prompt text a chat model was trained on, by running the
/// Jinja template in the model's metadata (`tokenizer.chat_template`) as Hugging Face's
/// `apply_chat_template` does, with this engine's own interpreter of the Jinja subset chat
/// templates use (`Template/`).
///
/// The rendered prompt comes in segments that say where each piece of text came from: the
/// template's literals (markup, whose special tokens count) or a message (content, where
/// text that looks like a special token must stay plain text, so a user cannot forge turns).
/// The mark follows every character through the template's filters and concatenations.
///
/// Rendering is deterministic: `strftime_now` reads `date`, never the clock.
public struct ChatTemplate: Sendable {
    /// One piece of a rendered conversation: template markup, or a message's own text.
    public struct Segment: Sendable, Equatable {
        public let text: String
        /// True for the template's markup, whose special tokens are meant; false for message
        /// content, where text that looks like a special token must stay plain text.
        public let isMarkup: Bool

        public init(text: String, isMarkup: Bool) {
            self.text = text
            self.isMarkup = isMarkup
        }
    }

    private let program: [TemplateStatement]
    /// The text of the BOS and EOS tokens, which templates read as `bos_token` and `eos_token`.
    public let bosToken: String
    public let eosToken: String
    public let date: TemplateDate
    public let limits: TemplateLimits

    /// The roles a request may give (RakisCore's `ChatMessage.roles`); a role outside them is
    /// rendered as content, not markup.
    private static let markupRoles: Set<String> = ["system", "user", "assistant"]

    /// Parses `source`, the Jinja source from `tokenizer.chat_template`, and renders a one-message
    /// conversation with it, so that a template this engine cannot run fails when the model
    /// loads rather than on the first request.
    /// - Throws: `TokenizerError.unsupportedChatTemplate` naming what is unsupported and where.
    public init(_ source: String, bosToken: String = "", eosToken: String = "", date: TemplateDate = .fixed,
                limits: TemplateLimits = TemplateLimits()) throws(TokenizerError) {
        do {
            program = try TemplateParser.parse(try TemplateLexer.tokenize(source, limits: limits), limits: limits)
        } catch {
            throw .unsupportedChatTemplate(error)
        }
        self.bosToken = bosToken
        self.eosToken = eosToken
        self.date = date
        self.limits = limits
        do {
            _ = try renderMarked([ChatTurn(role: "user", content: "Hello")], addGenerationPrompt: true)
        } catch {
            throw .unsupportedChatTemplate(error)
        }
    }

    /// Gemma's format, for a Gemma file without a template of its own: each message is
    /// `<start_of_turn>{user|model}\n{text}<end_of_turn>\n`, its text trimmed, a system
    /// message's text opening the first turn after it with a blank line.
    public static func gemma(bosToken: String, eosToken: String) -> ChatTemplate {
        // Our own rendering of the format, in the subset: a constant that parses and renders
        // (ChatTemplateBehaviourTests), so building it cannot fail.
        let source = "{{ bos_token }}{% if messages and messages[0].role == 'system' %}"
            + "{% set prefix = (messages[0].content | trim) ~ '\\n\\n' %}{% set turns = messages[1:] %}"
            + "{% else %}{% set prefix = '' %}{% set turns = messages %}{% endif %}"
            + "{% for message in turns %}{{ '<start_of_turn>' ~ ('model' if message.role == 'assistant' else message.role) ~ '\\n' }}"
            + "{% if loop.first %}{{ prefix }}{% endif %}{{ message.content | trim }}{{ '<end_of_turn>\\n' }}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<start_of_turn>model\\n' }}{% endif %}"
        return try! ChatTemplate(source, bosToken: bosToken, eosToken: eosToken)
    }

    /// The conversation rendered, in runs of markup and content, the opening of the
    /// assistant's turn last if `addGenerationPrompt`.
    /// - Throws: `TokenizerError.chatTemplateFailed` when the template fails on this
    ///   conversation (its own `raise_exception`, a type error, a limit).
    public func segments(_ messages: [ChatTurn], addGenerationPrompt: Bool = true) throws(TokenizerError) -> [Segment] {
        do {
            return try renderMarked(messages, addGenerationPrompt: addGenerationPrompt).runs.map { Segment(text: $0.text, isMarkup: $0.isMarkup) }
        } catch {
            throw .chatTemplateFailed(error)
        }
    }

    /// The conversation rendered as one string (see `segments`).
    public func render(_ messages: [ChatTurn], addGenerationPrompt: Bool = true) throws(TokenizerError) -> String {
        try segments(messages, addGenerationPrompt: addGenerationPrompt).map(\.text).joined()
    }

    private func renderMarked(_ messages: [ChatTurn], addGenerationPrompt: Bool) throws(TemplateError) -> TemplateString {
        let conversation: [TemplateValue] = messages.map { message in
            var turn = TemplateDictionary()
            turn["role"] = .string(TemplateString(message.role, isMarkup: Self.markupRoles.contains(message.role)))
            turn["content"] = .string(TemplateString(message.content, isMarkup: false))
            return .dict(turn)
        }
        // What transformers passes: the messages, no tools or documents, the special tokens.
        let context: [String: TemplateValue] = [
            "messages": .list(conversation),
            "add_generation_prompt": .bool(addGenerationPrompt),
            "bos_token": .markup(bosToken),
            "eos_token": .markup(eosToken),
            "tools": .none,
            "documents": .none,
        ]
        var renderer = TemplateRenderer(context: context, date: date, limits: limits)
        return try renderer.render(program)
    }
}
