import Foundation

/// Renders a conversation as the prompt text a chat model was trained on, following the template
/// in the model's metadata (`tokenizer.chat_template`).
///
/// Chat templates are Jinja programs. Rather than run Jinja, this recognizes the template's
/// format and renders that format directly. Supported so far: ChatML, used by SmolLM2 and Qwen,
/// where each message is `<|im_start|>{role}\n{content}<|im_end|>\n`; and Gemma's, where each
/// is `<start_of_turn>{user|model}\n{content}<end_of_turn>\n`, a system message going before the
/// first user message's text (the BOS token comes from the tokenizer, not the text).
///
/// Some templates write a fixed system turn when the conversation does not open with one
/// (SmolLM2: "You are a helpful AI assistant named SmolLM…"). Its text is read from the
/// template: the first string literal in the template's tags that is a complete system turn.
public struct ChatTemplate: Sendable {
    public enum Format: Sendable, Equatable {
        case chatML
        case gemma
    }

    public let format: Format
    /// The system prompt the template supplies when the first message is not from "system".
    public let defaultSystemPrompt: String?

    private static let turnStart = "<|im_start|>"
    private static let turnEnd = "<|im_end|>"
    private static let gemmaTurnStart = "<start_of_turn>"
    private static let gemmaTurnEnd = "<end_of_turn>"

    /// Recognizes `template`, the Jinja source from `tokenizer.chat_template`.
    /// - Throws: `TokenizerError.unsupportedChatTemplate` if the format is not one this type renders.
    public init(_ template: String) throws(TokenizerError) {
        if template.contains(Self.turnStart) {
            format = .chatML
            defaultSystemPrompt = Self.stringLiterals(in: template).lazy.compactMap(Self.systemPrompt(inTurn:)).first
        } else if template.contains(Self.gemmaTurnStart) {
            self = .gemma
        } else {
            throw .unsupportedChatTemplate(excerpt: String(template.prefix(80)))
        }
    }

    private init(format: Format, defaultSystemPrompt: String?) {
        self.format = format
        self.defaultSystemPrompt = defaultSystemPrompt
    }

    /// Gemma's format: what a Gemma file without a template of its own is rendered with.
    public static let gemma = ChatTemplate(format: .gemma, defaultSystemPrompt: nil)

    /// One piece of a rendered conversation: template markup, or a message's own text.
    public struct Segment: Sendable, Equatable {
        public let text: String
        /// True for the template's markup, whose special tokens are meant; false for message
        /// content, where text that looks like a special token must stay plain text.
        public let isMarkup: Bool
    }

    /// The conversation as ChatML: the default system message first when the conversation
    /// does not start with one, then `<|im_start|>role\ncontent<|im_end|>\n` per message, then
    /// the opening of the assistant's turn if `addGenerationPrompt`.
    public func segments(_ messages: [ChatTurn], addGenerationPrompt: Bool = true) -> [Segment] {
        if format == .gemma { return gemmaSegments(messages, addGenerationPrompt: addGenerationPrompt) }
        var conversation = messages
        if let defaultSystemPrompt, let first = messages.first, first.role != "system" {
            conversation.insert(ChatTurn(role: "system", content: defaultSystemPrompt), at: 0)
        }
        var segments: [Segment] = []
        for message in conversation {
            segments.append(Segment(text: Self.turnStart + message.role + "\n", isMarkup: true))
            segments.append(Segment(text: message.content, isMarkup: false))
            segments.append(Segment(text: Self.turnEnd + "\n", isMarkup: true))
        }
        if addGenerationPrompt { segments.append(Segment(text: Self.turnStart + "assistant\n", isMarkup: true)) }
        return segments
    }

    /// Gemma's: a system message's text opens the first user turn (with a blank line), the
    /// assistant is "model", every message's text is trimmed of surrounding whitespace.
    private func gemmaSegments(_ messages: [ChatTurn], addGenerationPrompt: Bool) -> [Segment] {
        var conversation = messages
        var systemPrefix = ""
        if let first = conversation.first, first.role == "system" {
            systemPrefix = first.content.trimmingCharacters(in: .whitespacesAndNewlines) + "\n\n"
            conversation.removeFirst()
        }
        var segments: [Segment] = []
        for (index, message) in conversation.enumerated() {
            let role = message.role == "assistant" ? "model" : message.role
            segments.append(Segment(text: Self.gemmaTurnStart + role + "\n", isMarkup: true))
            segments.append(Segment(text: (index == 0 ? systemPrefix : "") + message.content.trimmingCharacters(in: .whitespacesAndNewlines),
                                    isMarkup: false))
            segments.append(Segment(text: Self.gemmaTurnEnd + "\n", isMarkup: true))
        }
        if addGenerationPrompt { segments.append(Segment(text: Self.gemmaTurnStart + "model\n", isMarkup: true)) }
        return segments
    }

    /// The conversation rendered as one string (see `segments`).
    public func render(_ messages: [ChatTurn], addGenerationPrompt: Bool = true) -> String {
        segments(messages, addGenerationPrompt: addGenerationPrompt).map(\.text).joined()
    }

    private static func systemPrompt(inTurn literal: String) -> String? {
        let scalars = Array(literal.unicodeScalars)
        let opening = Array((turnStart + "system\n").unicodeScalars)
        let closing = Array((turnEnd + "\n").unicodeScalars)
        guard scalars.count > opening.count + closing.count, scalars.starts(with: opening),
              scalars.reversed().starts(with: closing.reversed()) else { return nil }
        return String(String.UnicodeScalarView(scalars[opening.count..<scalars.count - closing.count]))
    }

    /// The string literals inside the template's `{{ … }}` and `{% … %}` tags, with Jinja's
    /// escapes resolved. Text outside tags is output as is, so quotes there open no literal.
    private static func stringLiterals(in template: String) -> [String] {
        let scalars = Array(template.unicodeScalars)
        var literals: [String] = []
        var tagEnd: Unicode.Scalar?  // "}" or "%", the first scalar of the closing "}}" or "%}"
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            let next = index + 1 < scalars.count ? scalars[index + 1] : nil
            if let closing = tagEnd {
                if scalar == closing, next == "}" {
                    tagEnd = nil
                    index += 2
                } else if scalar == "'" || scalar == "\"" {
                    guard let (literal, end) = readLiteral(scalars, openingAt: index) else { break }
                    literals.append(literal)
                    index = end
                } else {
                    index += 1
                }
            } else if scalar == "{", let next, next == "{" || next == "%" {
                tagEnd = next == "{" ? "}" : "%"
                index += 2
            } else {
                index += 1
            }
        }
        return literals
    }

    /// The literal whose quote is at `start`, and the index just past its closing quote; nil if
    /// it never closes.
    private static func readLiteral(_ scalars: [Unicode.Scalar], openingAt start: Int) -> (String, end: Int)? {
        let quote = scalars[start]
        var text = String.UnicodeScalarView()
        var index = start + 1
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == quote { return (String(text), index + 1) }
            if scalar == "\\", index + 1 < scalars.count {
                let escaped = scalars[index + 1]
                switch escaped {
                case "n": text.append("\n")
                case "t": text.append("\t")
                case "r": text.append("\r")
                case "\\", "'", "\"": text.append(escaped)
                default: text.append(contentsOf: [scalar, escaped])  // unknown escapes stay as written, as in Python
                }
                index += 2
            } else {
                text.append(scalar)
                index += 1
            }
        }
        return nil
    }
}
