#!/usr/bin/env bash
# LLM engine benchmark: Rakis against llama.cpp, measured in the same run.
#
# What it measures, for each thread count (1 and 2), on one GGUF model:
#   - prefill: tokens per second to evaluate a 128-token prompt in one batch on an empty context
#     (like llama-bench's pp128);
#   - decode: tokens per second for 64 single-token evaluations that continue after that prompt
#     (positions 128..191; like llama-bench's tg64, except that llama-bench decodes from an
#     empty context);
#   - the peak resident memory of the process that ran it.
# Both sides use the same prompt, token i = (1000 + 7919 * i) mod n_vocab, and decode greedily
# (argmax) from it. Each side reports the median of several repetitions after one warm-up and
# prints one JSON object (`rakis bench llm --json`, benchmarks/llama_cpp_bench.py);
# benchmarks/llm_report.py joins them into a table of ratios.
# llama.cpp runs through llama-cpp-python's bindings to its C API, CPU backend, flash attention
# at llama.cpp's default (auto, which is on for the CPU backend).
#
# Usage:
#   benchmarks/llm.sh [MODEL.gguf]      # default model: `rakis models path smollm2-135m-instruct`
#   benchmarks/llm.sh --setup           # only create the venv and install llama-cpp-python
#
# Environment:
#   RAKIS         the rakis binary (default .build/release/rakis; build it with
#                 `swift build -c release` first)
#   THREADS       thread counts, comma-separated (default 1,2)
#   REPETITIONS   measured repetitions per thread count, after one warm-up (default 5)
#   CMAKE_ARGS    passed to llama.cpp's CMake build (default -DGGML_NATIVE=ON)
#
# The first run creates benchmarks/.venv and compiles llama.cpp from source through
# llama-cpp-python (5-15 minutes on 2 cores); later runs reuse it. Exits non-zero if either
# engine fails.
set -euo pipefail

LLAMA_CPP_PYTHON_VERSION=0.3.36
PROMPT_TOKENS=128
DECODE_TOKENS=64
THREADS=${THREADS:-1,2}
REPETITIONS=${REPETITIONS:-5}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
venv="$here/.venv"
py="$venv/bin/python"

# shellcheck source=benchmarks/common.sh
source "$here/common.sh"

# Creates the venv and installs the pinned llama-cpp-python, unless it is already there.
setup_llama_cpp() {
    if [[ ! -x "$py" ]]; then
        log "llm.sh: creating $venv"
        python3 -m venv "$venv"
        "$py" -m pip install --quiet --upgrade pip
    fi
    local installed
    installed=$("$py" -c 'import llama_cpp; print(llama_cpp.__version__)' 2>/dev/null || true)
    if [[ "$installed" == "$LLAMA_CPP_PYTHON_VERSION" ]]; then
        return 0
    fi
    # llama-cpp-python builds llama.cpp with CMake; take CMake and Ninja from PyPI when the
    # machine has none (the venv's bin is put first on PATH for the build).
    export PATH="$venv/bin:$PATH"
    if ! command -v cmake >/dev/null; then
        "$py" -m pip install --quiet cmake ninja
    fi
    log "llm.sh: building llama-cpp-python $LLAMA_CPP_PYTHON_VERSION (compiles llama.cpp; several minutes)"
    local start=$SECONDS
    # --no-cache-dir: always compile for this CPU rather than reuse a wheel built elsewhere.
    CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=ON}" \
    CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}" \
        "$py" -m pip install --no-cache-dir "llama-cpp-python==$LLAMA_CPP_PYTHON_VERSION"
    log "llm.sh: llama-cpp-python installed in $((SECONDS - start)) s"
}

if [[ "${1:-}" == "--setup" ]]; then
    setup_llama_cpp
    exit 0
fi

cd "$root"
rakis=${RAKIS:-.build/release/rakis}
if [[ ! -x "$rakis" ]] && ! command -v "$rakis" >/dev/null; then
    log "llm.sh: no rakis binary at $rakis (run 'swift build -c release' or set RAKIS)"
    exit 2
fi
model=${1:-$("$rakis" models path smollm2-135m-instruct)}
if [[ ! -f "$model" ]]; then
    log "llm.sh: model not found: $model"
    exit 2
fi

setup_llama_cpp

busy=$(busy_percent)
if ((busy > 10)); then
    log "llm.sh: warning: the CPUs are ${busy}% busy before the benchmark; figures will be low and noisy"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

log "llm.sh: rakis bench llm, threads $THREADS, $REPETITIONS repetitions"
if ! "$rakis" bench llm --model "$model" --threads "$THREADS" --prompt-tokens "$PROMPT_TOKENS" \
        --decode-tokens "$DECODE_TOKENS" --repetitions "$REPETITIONS" --json >"$work/rakis.json"; then
    log "llm.sh: rakis bench llm failed"
    exit 1
fi

log "llm.sh: llama.cpp, threads $THREADS, $REPETITIONS repetitions"
if ! "$py" "$here/llama_cpp_bench.py" --model "$model" --threads "$THREADS" \
        --prompt-tokens "$PROMPT_TOKENS" --decode-tokens "$DECODE_TOKENS" \
        --repetitions "$REPETITIONS" >"$work/llama.json"; then
    log "llm.sh: llama_cpp_bench.py failed"
    exit 1
fi

"$py" "$here/llm_report.py" "$work/rakis.json" "$work/llama.json"
