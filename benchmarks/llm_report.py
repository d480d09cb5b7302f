#!/usr/bin/env python3
"""Joins the two LLM benchmark results (Rakis, llama.cpp) into one table.

Usage: llm_report.py RAKIS.json LLAMA_CPP.json

Each file holds one JSON object as printed by `rakis bench llm --json` or llama_cpp_bench.py:
{"model": PATH, "promptTokens": N, "decodeTokens": N,
 "results": [{"threads": T, "prefillTokensPerSecond": X, "decodeTokensPerSecond": Y,
              "peakResidentBytes": B}, ...]}

Ratios are ours / llama.cpp: above 1 means Rakis is faster. The memory budget is the model
file's size plus 100 MB (1 MB = 10^6 bytes). llama.cpp's resident memory is that of the Python
process that ran it, so it includes the interpreter. Exits 1 if a file is malformed or the two
sides disagree on the work done.
"""

import json
import os
import sys

MB = 1_000_000
BUDGET_EXTRA_BYTES = 100 * MB


def load(path, side):
    try:
        with open(path) as f:
            data = json.load(f)
        results = {int(r["threads"]): r for r in data["results"]}
        if not results:
            raise ValueError("no results")
        return data, results
    except (OSError, ValueError, KeyError, TypeError) as error:
        sys.exit(f"llm_report: cannot read the {side} result {path}: {error}")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    ours, our_rows = load(sys.argv[1], "rakis")
    theirs, their_rows = load(sys.argv[2], "llama.cpp")

    for key in ("promptTokens", "decodeTokens"):
        if ours.get(key) != theirs.get(key):
            sys.exit(f"llm_report: {key} differs: rakis {ours.get(key)}, llama.cpp {theirs.get(key)}")
    threads = sorted(set(our_rows) & set(their_rows))
    if not threads:
        sys.exit(f"llm_report: no thread count in common: rakis {sorted(our_rows)}, "
                 f"llama.cpp {sorted(their_rows)}")

    model = theirs.get("model") or ours.get("model")
    model_bytes = os.path.getsize(model)
    budget = model_bytes + BUDGET_EXTRA_BYTES

    print(f"model: {model} ({model_bytes / MB:.1f} MB)")
    print(f"llama.cpp: llama-cpp-python {theirs.get('version', '?')}, "
          f"flash attention {theirs.get('flashAttention', '?')}, "
          f"median of {theirs.get('repetitions', '?')} runs after a warm-up")
    after = "after the prompt" if theirs.get("decodeAfterPrompt", True) else "on an empty context"
    print(f"prefill: {ours['promptTokens']} tokens in one batch on an empty context; "
          f"decode: {ours['decodeTokens']} greedy single tokens {after}; "
          f"tokens per second; ratio = rakis / llama.cpp (above 1: rakis is faster)")
    if "pythonResidentBytes" in theirs:
        print(f"RSS llama.cpp+python is the Python process's peak; Python and llama-cpp-python "
              f"alone took {theirs['pythonResidentBytes'] / MB:.1f} MB before the model was loaded")
    if "loadAverageBefore" in theirs:
        print(f"load average (1, 5, 15 min) around the llama.cpp run: {theirs['loadAverageBefore']} "
              f"-> {theirs['loadAverageAfter']} (it includes the benchmarks' own runs)")
    print()

    header = ("threads", "prefill rakis", "llama.cpp", "ratio",
              "decode rakis", "llama.cpp", "ratio",
              "RSS rakis MB", "budget MB", "RSS llama.cpp+python MB")
    rows = []
    for t in threads:
        a, b = our_rows[t], their_rows[t]
        rss = a["peakResidentBytes"]
        rows.append((
            str(t),
            f"{a['prefillTokensPerSecond']:.1f}", f"{b['prefillTokensPerSecond']:.1f}",
            f"{a['prefillTokensPerSecond'] / b['prefillTokensPerSecond']:.2f}",
            f"{a['decodeTokensPerSecond']:.1f}", f"{b['decodeTokensPerSecond']:.1f}",
            f"{a['decodeTokensPerSecond'] / b['decodeTokensPerSecond']:.2f}",
            f"{rss / MB:.1f}" + ("" if rss <= budget else " OVER"),
            f"{budget / MB:.1f}",
            f"{b['peakResidentBytes'] / MB:.1f}",
        ))
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    for line in (header, *rows):
        print("  ".join(cell.rjust(w) for cell, w in zip(line, widths)))
    missing = sorted(set(our_rows) ^ set(their_rows))
    if missing:
        print(f"\n(thread counts measured on one side only: {missing})")


if __name__ == "__main__":
    main()
