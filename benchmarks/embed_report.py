#!/usr/bin/env python3
"""Joins the two embedding benchmark results (Rakis, sentence-transformers) into one table.

Usage: embed_report.py RAKIS.json SENTENCE_TRANSFORMERS.json

Each file holds one JSON object as printed by `rakis bench embed --json` or
sentence_transformers_bench.py:
{"engine": NAME, "model": DIR, "sentences": N, "tokens": N, "sentencesSha256": HEX,
 "batchSize": B, "repetitions": R,
 "results": [{"threads": T, "sentencesPerSecond": X, "peakResidentBytes": B}, ...]}

Both sides must have embedded the same texts: the number of texts, the SHA-256 of the sentences
file and the token count (as the model's tokenizer truncates them, [CLS] and [SEP] included)
must agree, or the report refuses to compare them. Ratios are ours / sentence-transformers:
above 1 means Rakis is faster. The target is a ratio of 2.0 at every thread count; whether it is
met is printed for information only. sentence-transformers' resident memory is that of the Python
process that ran it, so it includes the interpreter and torch (1 MB = 10^6 bytes). When a side
reports otherCpuPercent for a thread count (the share of the CPUs other processes used during its
measured runs), a warning is printed above 10%: those figures are not worth comparing.
Exits 1 if a file is malformed or the two sides disagree on the work done, 0 otherwise (whether
or not the target is met).
"""

import json
import sys

MB = 1_000_000
TARGET_RATIO = 2.0
BUSY_PERCENT = 10  # warn when other processes took more of the CPUs during a side's runs


def load(path, side):
    try:
        with open(path) as f:
            data = json.load(f)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        results = {}
        for r in data["results"]:
            threads = int(r["threads"])
            rate, rss = float(r["sentencesPerSecond"]), int(r["peakResidentBytes"])
            if threads in results:
                raise ValueError(f"thread count {threads} twice")
            if not rate > 0:
                raise ValueError(f"sentencesPerSecond {rate} at {threads} threads")
            results[threads] = {"rate": rate, "rss": rss, "other": r.get("otherCpuPercent")}
        if not results:
            raise ValueError("no results")
        for key in ("sentences", "tokens", "sentencesSha256"):
            if key not in data:
                raise KeyError(key)
        return data, results
    except (OSError, ValueError, KeyError, TypeError) as error:
        sys.exit(f"embed_report: cannot read the {side} result {path}: {error}")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    ours, our_rows = load(sys.argv[1], "rakis")
    theirs, their_rows = load(sys.argv[2], "sentence-transformers")

    for key in ("sentences", "sentencesSha256", "tokens"):
        if ours[key] != theirs[key]:
            hint = (" (the two tokenizers disagree: both must truncate at 256 tokens and count "
                    "[CLS] and [SEP])" if key == "tokens" else "")
            sys.exit(f"embed_report: {key} differs: rakis {ours[key]}, "
                     f"sentence-transformers {theirs[key]}; the two did not embed the same "
                     f"work{hint}")
    threads = sorted(set(our_rows) & set(their_rows))
    if not threads:
        sys.exit(f"embed_report: no thread count in common: rakis {sorted(our_rows)}, "
                 f"sentence-transformers {sorted(their_rows)}")
    if ours.get("batchSize") != theirs.get("batchSize"):
        print(f"warning: batch sizes differ: rakis {ours.get('batchSize')}, "
              f"sentence-transformers {theirs.get('batchSize')}", file=sys.stderr)

    print(f"model: {theirs.get('model') or ours.get('model')}")
    print(f"work: {ours['sentences']} texts, {ours['tokens']} tokens "
          f"(sha256 {ours['sentencesSha256'][:16]}...), batch size {ours.get('batchSize', '?')}")
    print(f"rakis: SIMD kernels {'on' if ours.get('simdKernels') else 'off'}, "
          f"median of {ours.get('repetitions', '?')} runs after a warm-up")
    print(f"sentence-transformers {theirs.get('version', '?')}, torch {theirs.get('torchVersion', '?')}"
          + (f" ({theirs['cpuCapability']})" if "cpuCapability" in theirs else "")
          + f", median of {theirs.get('repetitions', '?')} runs after a warm-up")
    print("sentences per second; ratio = rakis / sentence-transformers (above 1: rakis is faster)")
    if "pythonResidentBytes" in theirs:
        print(f"RSS s-t+python is the Python process's peak; Python, torch and sentence-transformers "
              f"alone took {theirs['pythonResidentBytes'] / MB:.1f} MB before the model was loaded")
    if "loadAverageBefore" in theirs:
        print(f"load average (1, 5, 15 min) around the sentence-transformers run: "
              f"{theirs['loadAverageBefore']} -> {theirs['loadAverageAfter']} "
              f"(it includes the benchmarks' own runs)")
    print()

    header = ("threads", "rakis sent/s", "s-t sent/s", "ratio", f"target {TARGET_RATIO:.1f}",
              "RSS rakis MB", "RSS s-t+python MB")
    rows = []
    for t in threads:
        a, b = our_rows[t], their_rows[t]
        ratio = a["rate"] / b["rate"]
        rows.append((
            str(t),
            f"{a['rate']:.1f}", f"{b['rate']:.1f}", f"{ratio:.2f}",
            "pass" if ratio >= TARGET_RATIO else "FAIL",
            f"{a['rss'] / MB:.1f}", f"{b['rss'] / MB:.1f}",
        ))
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    for line in (header, *rows):
        print("  ".join(cell.rjust(w) for cell, w in zip(line, widths)))
    missing = sorted(set(our_rows) ^ set(their_rows))
    if missing:
        print(f"\n(thread counts measured on one side only: {missing})")
    for side, side_rows in (("rakis", our_rows), ("sentence-transformers", their_rows)):
        for t in threads:
            other = side_rows[t]["other"]
            if other is not None and other > BUSY_PERCENT:
                print(f"\nwarning: other processes used {other:.0f}% of the CPUs during the {side} "
                      f"{t}-thread runs; those figures are low (rerun on an idle machine)")
    failed = [r[0] for r in rows if r[4] == "FAIL"]
    print()
    if failed:
        print(f"target ratio {TARGET_RATIO:.1f} not met at {', '.join(failed)} thread(s) "
              f"(informational)")
    else:
        print(f"target ratio {TARGET_RATIO:.1f} met at every thread count")


if __name__ == "__main__":
    main()
