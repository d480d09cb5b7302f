#!/usr/bin/env python3
"""llama.cpp's decode rate with and without a JSON-schema grammar, through llama-cpp-python.

The llama.cpp side of benchmarks/json.sh, usable alone:

    benchmarks/.venv/bin/python benchmarks/llama_cpp_json_bench.py --model M.gguf --schema S.json \
        [--threads 2] [--answers 3] [--max-tokens 200] [--temperature 0]

It loads the model with llama-cpp-python's high-level `Llama` (n_ctx 1024, the given threads,
llama.cpp's log silenced) and compiles the schema with `LlamaGrammar.from_json_schema`, the
grammar sampler llama-cpp-python users get. After one warm-up answer, for each of --answers chat
prompts (the same as `rakis bench json`'s) it streams a grammar-constrained chat completion, then
the same prompt without grammar for as many tokens, and times each stream from its first token to
its last: the decode rate, prefill left out, is (tokens - 1) / that time, as `rakis bench json`
computes it. Prints one JSON object on stdout:
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


def stream(llm, index, args, grammar, max_tokens):
    """One chat completion, streamed: its text, its token count and its decode seconds."""
    times, pieces = [], []
    for chunk in llm.create_chat_completion(
            messages=[{"role": "user", "content": PROMPTS[index % len(PROMPTS)]}], max_tokens=max_tokens,
            temperature=args.temperature, seed=index, grammar=grammar, stream=True):
        delta = chunk["choices"][0]["delta"].get("content")
        if delta:
            times.append(time.perf_counter())
            pieces.append(delta)
    return "".join(pieces), len(times), (times[-1] - times[0]) if len(times) > 1 else 0.0


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
    stream(llm, args.answers, args, grammar, args.max_tokens)
    constrained, free = [], []
    sample = None
    for index in range(args.answers):
        text, tokens, seconds = stream(llm, index, args, grammar, args.max_tokens)
        sample = sample or text
        constrained.append((tokens, seconds))
        _, free_tokens, free_seconds = stream(llm, index, args, None, tokens)
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
