#!/usr/bin/env python3
"""llama.cpp's prefill and decode speed on one GGUF model, through llama-cpp-python.

The llama.cpp side of benchmarks/llm.sh, usable alone:

    benchmarks/.venv/bin/python benchmarks/llama_cpp_bench.py --model M.gguf \
        [--threads 1,2] [--prompt-tokens 128] [--decode-tokens 64] [--repetitions 5]

For each thread count it loads the model through llama.cpp's C API, as llama-bench does (memory
mapped; a context with n_ctx = n_batch = n_ubatch = 512, n_threads = n_threads_batch = the count,
flash attention at llama.cpp's default, auto, which the CPU backend turns on; llama.cpp's log
silenced but for errors) and then, once as a warm-up and --repetitions times measured:
  - clears the context's memory (an empty KV cache, as on a fresh context);
  - prefill: evaluates the prompt in one llama_decode call (one batch, logits for the last token
    only) and times it: like llama-bench's pp128;
  - decode: evaluates --decode-tokens tokens one at a time after the prompt, each the argmax of
    the previous logits (greedy) given to a llama_decode of one token, and times them all: like
    llama-bench's tg64, except that the prompt is in the KV cache (llama-bench starts from an
    empty one; pass --decode-from-empty to do the same).
It reports the median tokens per second over the measured repetitions, and the process's peak
resident memory (VmHWM) after each thread count. That is the memory of this Python process: the
interpreter and llama-cpp-python are included (pythonResidentBytes gives their share before the
model is loaded), and so are the model's memory-mapped pages once read.

The work matches `rakis bench llm`'s: prompt token i (i = 0 ..< P) is (1000 + 7919 * i) mod
n_vocab, and decode is greedy from there. The decoded ids may differ between engines where their
logits differ, but an id does not change the cost of a step.

Prints one JSON object on stdout:
{"model", "promptTokens", "decodeTokens", "results": [{"threads", "prefillTokensPerSecond",
 "decodeTokensPerSecond", "peakResidentBytes", ...}], "engine", "version", "repetitions", ...}
Exits non-zero on any failure.
"""

import argparse
import json
import logging
import os
import statistics
import sys
import time

import llama_cpp
import numpy

from benchlib import peak_resident_bytes


def prompt_ids(count, n_vocab):
    """The fixed prompt `rakis bench llm` uses too."""
    return [(1000 + i * 7919) % n_vocab for i in range(count)]


FLASH_ATTN = {
    "auto": llama_cpp.LLAMA_FLASH_ATTN_TYPE_AUTO,
    "on": llama_cpp.LLAMA_FLASH_ATTN_TYPE_ENABLED,
    "off": llama_cpp.LLAMA_FLASH_ATTN_TYPE_DISABLED,
}


class Context:
    """A loaded model and one context, driven through llama.cpp's C API (as llama-bench does)."""

    def __init__(self, model, threads, n_ctx, flash_attn):
        self.model = self.ctx = None
        model_params = llama_cpp.llama_model_default_params()  # memory-mapped, CPU only
        self.model = llama_cpp.llama_model_load_from_file(model.encode(), model_params)
        if not self.model:
            raise RuntimeError(f"cannot load {model}")
        params = llama_cpp.llama_context_default_params()
        params.n_ctx = params.n_batch = params.n_ubatch = n_ctx
        params.n_threads = params.n_threads_batch = threads
        params.flash_attn_type = FLASH_ATTN[flash_attn]
        self.ctx = llama_cpp.llama_init_from_model(self.model, params)
        if not self.ctx:
            self.close()
            raise RuntimeError("cannot create a context")
        vocab = llama_cpp.llama_model_get_vocab(self.model)
        self.n_vocab = llama_cpp.llama_vocab_n_tokens(vocab)

    def clear(self):
        llama_cpp.llama_memory_clear(llama_cpp.llama_get_memory(self.ctx), True)

    def decode(self, tokens):
        """Evaluates tokens as one batch; returns the last token's logits (a view, not a copy)."""
        array = (llama_cpp.llama_token * len(tokens))(*tokens)
        status = llama_cpp.llama_decode(self.ctx, llama_cpp.llama_batch_get_one(array, len(tokens)))
        if status != 0:
            raise RuntimeError(f"llama_decode returned {status}")
        # Reading the logits waits for the computation, as a caller that samples must.
        logits = llama_cpp.llama_get_logits_ith(self.ctx, -1)
        if not logits:
            raise RuntimeError("no logits")
        return numpy.ctypeslib.as_array(logits, shape=(self.n_vocab,))

    def close(self):
        if self.ctx:
            llama_cpp.llama_free(self.ctx)
            self.ctx = None
        if self.model:
            llama_cpp.llama_model_free(self.model)
            self.model = None


def run_once(context, prompt, decode_tokens, decode_from_empty):
    """Returns (prefill seconds, decode seconds) for one repetition."""
    context.clear()
    start = time.perf_counter()
    logits = context.decode(prompt)
    prefill = time.perf_counter() - start
    if decode_from_empty:
        context.clear()
    start = time.perf_counter()
    for _ in range(decode_tokens):
        logits = context.decode([int(logits.argmax())])  # greedy
    decode = time.perf_counter() - start
    return prefill, decode


def measure(args, threads):
    context = Context(args.model, threads, args.ctx, args.flash_attn)
    try:
        prompt = prompt_ids(args.prompt_tokens, context.n_vocab)
        run_once(context, prompt, args.decode_tokens, args.decode_from_empty)  # warm-up
        prefill_rates, decode_rates = [], []
        for _ in range(args.repetitions):
            prefill, decode = run_once(context, prompt, args.decode_tokens, args.decode_from_empty)
            prefill_rates.append(len(prompt) / prefill)
            decode_rates.append(args.decode_tokens / decode)
    finally:
        context.close()
    return {
        "threads": threads,
        "prefillTokensPerSecond": round(statistics.median(prefill_rates), 2),
        "decodeTokensPerSecond": round(statistics.median(decode_rates), 2),
        "peakResidentBytes": peak_resident_bytes(),
        "prefillRuns": [round(r, 2) for r in prefill_rates],
        "decodeRuns": [round(r, 2) for r in decode_rates],
    }


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="GGUF model file")
    parser.add_argument("--threads", default="1,2", help="comma-separated counts (default 1,2)")
    parser.add_argument("--prompt-tokens", type=int, default=128)
    parser.add_argument("--decode-tokens", type=int, default=64)
    parser.add_argument("--repetitions", type=int, default=5,
                        help="measured runs per thread count, after one warm-up (default 5)")
    parser.add_argument("--ctx", type=int, default=512, help="context size and batch size")
    parser.add_argument("--decode-from-empty", action="store_true",
                        help="decode from an empty KV cache, as llama-bench's tg does")
    parser.add_argument("--flash-attn", choices=sorted(FLASH_ATTN), default="auto",
                        help="flash attention (default: llama.cpp's, auto, which the CPU "
                             "backend turns on)")
    args = parser.parse_args()
    args.threads = [int(t) for t in args.threads.split(",") if t]
    if not os.path.isfile(args.model):
        parser.error(f"no such model file: {args.model}")
    if args.prompt_tokens < 1 or args.decode_tokens < 1 or args.repetitions < 1 or not args.threads:
        parser.error("token counts, repetitions and threads must be positive")
    if args.prompt_tokens + args.decode_tokens > args.ctx:
        parser.error("prompt and decode tokens must fit in --ctx")
    return args


def main():
    args = parse_args()
    logging.getLogger("llama-cpp-python").setLevel(logging.ERROR)  # llama.cpp's log: errors only
    llama_cpp.llama_backend_init()
    python_resident = peak_resident_bytes()
    load_before = os.getloadavg()
    try:
        results = [measure(args, threads) for threads in args.threads]
    except RuntimeError as error:
        sys.exit(f"llama_cpp_bench: {error}")
    load_after = os.getloadavg()
    print(json.dumps({
        "model": args.model,
        "promptTokens": args.prompt_tokens,
        "decodeTokens": args.decode_tokens,
        "results": results,
        "engine": "llama.cpp",
        "version": llama_cpp.__version__,
        "repetitions": args.repetitions,
        "decodeAfterPrompt": not args.decode_from_empty,
        "flashAttention": args.flash_attn,
        "pythonResidentBytes": python_resident,
        # Other processes' load skews the figures, the two-thread ones most: check these.
        "loadAverageBefore": [round(x, 2) for x in load_before],
        "loadAverageAfter": [round(x, 2) for x in load_after],
        "systemInfo": llama_cpp.llama_print_system_info().decode(errors="replace").strip(),
    }))


if __name__ == "__main__":
    main()
