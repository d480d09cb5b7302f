#!/usr/bin/env python3
"""llama.cpp's decode rate with and without a JSON-schema grammar, through llama-cpp-python.

The llama.cpp side of benchmarks/json.sh, usable alone:

    benchmarks/.venv/bin/python benchmarks/llama_cpp_json_bench.py --model M.gguf --schema S.json \
        [--threads 2] [--answers 3] [--max-tokens 200] [--temperature 0]

It loads the model with llama-cpp-python's high-level `Llama` (n_ctx 1024, the given threads,
llama.cpp's log silenced) and compiles the schema with `LlamaGrammar.from_json_schema`, the
grammar sampler llama-cpp-python users get. Prompts are the chat prompts of `rakis bench json`,
rendered with the model's own chat template (`tokenizer.chat_template`, llama-cpp-python's
Jinja2 formatter). After one warm-up answer, for each of --answers prompts it decodes under the
grammar until the JSON value is complete (or an end token, or --max-tokens), then the same prompt
without grammar for exactly as many tokens, end tokens or not, so both runs decode the same count.
Tokens come from `Llama.generate` one at a time and each is timed: the decode rate, prefill left
out, is (tokens - 1) / (last token's time - first token's), as `rakis bench json` computes it.
Prints one JSON object on stdout:
{"engine", "version", "model", "threads", "temperature", "answers", "constrainedTokens",
 "freeTokensPerSecond", "constrainedTokensPerSecond", "sample"}
"""

import argparse
import json
import time

import llama_cpp

PROMPTS = [
    "Tell me how you feel and a short story, as JSON.", "Describe your day as JSON.", "Write a fable about a fox, as JSON.",
    "Give me a mood, a number and a story about the sea, as JSON.",
]


def prompt_tokens(llm, index):
    """The chat prompt `index`, rendered with the model's template and tokenized. A Gemma file
    without a template of its own (the gemma3-270m package's) gets Gemma's turn format, as
    Rakis renders it (`ChatTemplate.gemma`)."""
    message = PROMPTS[index % len(PROMPTS)]
    template = llm.metadata.get("tokenizer.chat_template")
    if template is None and llm.metadata.get("general.architecture", "").startswith("gemma"):
        text = f"<start_of_turn>user\n{message.strip()}<end_of_turn>\n<start_of_turn>model\n"
        return llm.tokenize(text.encode(), add_bos=True, special=True)
    if template is None:
        raise SystemExit(f"{llm.model_path}: no tokenizer.chat_template to render the prompts with")
    formatter = llama_cpp.llama_chat_format.Jinja2ChatFormatter(
        template=template,
        eos_token=llm.detokenize([llm.token_eos()]).decode(errors="replace"),
        bos_token=llm.detokenize([llm.token_bos()]).decode(errors="replace"))
    text = formatter(messages=[{"role": "user", "content": message}]).prompt
    return llm.tokenize(text.encode(), add_bos=False, special=True)


def complete_json(data):
    try:
        json.loads(data)
        return True
    except ValueError:
        return False


def decode(llm, index, args, grammar, count):
    """Decodes prompt `index`: under `grammar` until its JSON value is complete (at most `count`
    tokens), or without one for exactly `count` tokens. Returns the text, the token count and
    the seconds from the first token to the last."""
    llm.set_seed(index)
    times, tokens = [], []
    for token in llm.generate(prompt_tokens(llm, index), temp=args.temperature, top_k=0, top_p=1.0, min_p=0.0,
                              repeat_penalty=1.0, grammar=grammar, reset=True):
        times.append(time.perf_counter())
        tokens.append(token)
        if len(tokens) >= count:
            break
        if grammar is not None and (token == llm.token_eos() or complete_json(llm.detokenize(tokens))):
            break
    return llm.detokenize(tokens).decode(errors="replace"), len(tokens), (times[-1] - times[0]) if len(times) > 1 else 0.0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--schema", required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--answers", type=int, default=3)
    parser.add_argument("--max-tokens", type=int, default=200)
    parser.add_argument("--temperature", type=float, default=0.0)
    args = parser.parse_args()

    schema = open(args.schema).read()
    llm = llama_cpp.Llama(model_path=args.model, n_ctx=1024, n_threads=args.threads, n_threads_batch=args.threads, verbose=False)
    grammar = llama_cpp.LlamaGrammar.from_json_schema(schema, verbose=False)
    decode(llm, args.answers, args, grammar, args.max_tokens)
    constrained, free = [], []
    sample = None
    for index in range(args.answers):
        text, tokens, seconds = decode(llm, index, args, grammar, args.max_tokens)
        sample = sample or text
        constrained.append((tokens, seconds))
        _, free_tokens, free_seconds = decode(llm, index, args, None, tokens)
        free.append((free_tokens, free_seconds))

    def rate(runs):
        return sum(max(tokens - 1, 0) for tokens, _ in runs) / max(sum(seconds for _, seconds in runs), 1e-9)

    print(json.dumps({
        "engine": "llama.cpp", "version": llama_cpp.__version__, "model": args.model, "threads": args.threads,
        "temperature": args.temperature, "answers": args.answers,
        "constrainedTokens": sum(tokens for tokens, _ in constrained),
        "freeTokensPerSecond": rate(free), "constrainedTokensPerSecond": rate(constrained), "sample": sample,
    }))


if __name__ == "__main__":
    main()
