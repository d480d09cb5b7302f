#!/usr/bin/env bash
# Constrained (JSON-schema) decoding: Rakis against llama.cpp's grammar sampling, measured in
# the same run, on one model and one schema.
#
# For each side: after one warm-up answer, ANSWERS chat prompts are answered under the schema,
# then each again without it for as many tokens; the decode rate (tokens after the first over
# decode time, prefill left out) is reported with and without the schema. Rakis runs
# `rakis bench json --json`; llama.cpp runs benchmarks/llama_cpp_json_bench.py
# (llama-cpp-python's LlamaGrammar.from_json_schema, the same prompts, greedy). The table gives
# each side's constrained/free ratio and Rakis's constrained rate over llama.cpp's.
#
# Usage:
#   benchmarks/json.sh [MODEL [SCHEMA.json]]   # default: gemma3-270m and rakis bench json's schema
#
# Environment: RAKIS (the binary, default .build/release/rakis), THREADS (default 2), ANSWERS
# (default 3), TEMPERATURE (default 0). The llama.cpp venv is benchmarks/llm.sh's
# (`benchmarks/llm.sh --setup` creates it).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
py="$here/.venv/bin/python"
# shellcheck source=benchmarks/common.sh
source "$here/common.sh"

cd "$root"
rakis=${RAKIS:-.build/release/rakis}
threads=${THREADS:-2}
answers=${ANSWERS:-3}
temperature=${TEMPERATURE:-0}
model=${1:-gemma3-270m}
[[ -x "$rakis" ]] || { log "json.sh: no rakis binary at $rakis (swift build -c release)"; exit 2; }
[[ -x "$py" ]] || { log "json.sh: no llama.cpp venv: run benchmarks/llm.sh --setup"; exit 2; }
path=$("$rakis" models path "$model" 2>/dev/null || echo "$model")
[[ -f "$path" ]] || { log "json.sh: model not found: $model"; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
schema=${2:-$work/schema.json}
if [[ -z "${2:-}" ]]; then
    # rakis bench json's built-in schema, written out for llama.cpp.
    cat >"$schema" <<'JSON'
{"type":"object","additionalProperties":false,"required":["count","mood","ok","story"],
 "properties":{"count":{"type":"integer","minimum":0,"maximum":1000},
               "mood":{"type":"string","enum":["happy","sad","angry","calm"]},
               "ok":{"type":"boolean"},
               "story":{"type":"string","minLength":100,"maxLength":200}}}
JSON
fi

busy=$(busy_percent)
((busy > 10)) && log "json.sh: warning: the CPUs are ${busy}% busy before the benchmark; figures will be low and noisy"

log "json.sh: rakis bench json on $model, $threads threads"
"$rakis" bench json --model "$path" --schema "$schema" --threads "$threads" --answers "$answers" \
    --temperature "$temperature" --json >"$work/rakis.json"
log "json.sh: llama.cpp with its JSON-schema grammar"
"$py" "$here/llama_cpp_json_bench.py" --model "$path" --schema "$schema" --threads "$threads" \
    --answers "$answers" --temperature "$temperature" >"$work/llama.json"

"$py" - "$work/rakis.json" "$work/llama.json" <<'PY'
import json, sys
ours, theirs = (json.load(open(path)) for path in sys.argv[1:3])
print(f"model {ours['model']}, {ours['threads']} threads, temperature {ours['temperature']}, {ours['answers']} answers")
print("| engine | free tok/s | with the schema tok/s | with / free |")
print("|---|---|---|---|")
def ratio(a, b):
    return f"{a / b:.2f}" if b > 0 else "n/a (no decode time measured)"
for side in (ours, theirs):
    name = "rakis" if side["engine"] == "rakis" else f"llama.cpp {side['version']}"
    print(f"| {name} | {side['freeTokensPerSecond']:.1f} | {side['constrainedTokensPerSecond']:.1f} | "
          f"{ratio(side['constrainedTokensPerSecond'], side['freeTokensPerSecond'])} |")
print(f"rakis with the schema / llama.cpp with the schema: {ratio(ours['constrainedTokensPerSecond'], theirs['constrainedTokensPerSecond'])}x")
print("rakis sample:", ours["sample"])
print("llama.cpp sample:", theirs["sample"])
PY
