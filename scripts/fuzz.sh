#!/usr/bin/env bash
# Coverage-guided fuzzing of the decoders (libFuzzer, with the address sanitizer): builds the
# targets of Fuzz/Package.swift into .build-fuzz and runs each for a while on its corpus.
#
# usage: scripts/fuzz.sh [TARGET...] [--seconds N]     (default: every target, 60 s each)
#
# The seeds are in Fuzz/Corpus/TARGET (small, in git); what a run discovers goes to
# .build-fuzz/corpus/TARGET, and a crash, leak or hang over 1 s to .build-fuzz/crashes/TARGET/
# (replay one with .build-fuzz/release/TARGET FILE). Prints one line per target: executions,
# edges covered, corpus size, and the verdict; exits 1 if any target found something.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60
targets=()
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) seconds="$2"; shift 2 ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        *) targets+=("$1"); shift ;;
    esac
done
all=(FuzzEnvelope FuzzCanonicalJSON FuzzOutputSchema FuzzCertificate FuzzMeshFrames FuzzMQTT FuzzNostr FuzzRLP FuzzABI)
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")

echo "== fuzz build (release, -sanitize=fuzzer,address, linked with lld): ${targets[*]}" >&2
# lld, because gold fails on the sanitizers' debug information (an internal error in its DWARF
# reader); -enable-testing for the targets that reach internal decoders (@testable import).
for target in "${targets[@]}"; do
    swift build --package-path Fuzz -c release --scratch-path .build-fuzz \
        -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing -Xswiftc -use-ld=lld --product "$target" >&2
done

failed=0
printf '%-20s %12s %8s %8s  %s\n' target executions edges corpus verdict
for target in "${targets[@]}"; do
    corpus=".build-fuzz/corpus/$target"
    crashes=".build-fuzz/crashes/$target"
    log=".build-fuzz/logs/$target.log"
    mkdir -p "$corpus" "$crashes" "$(dirname "$log")"
    status=0
    ".build-fuzz/release/$target" "$corpus" "Fuzz/Corpus/$target" -max_total_time="$seconds" -timeout=1 \
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$crashes/" >"$log" 2>&1 || status=$?
    executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 || true)
    edges=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$done_line")
    units=$(sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p' <<<"$done_line")
    if [ "$status" -eq 0 ]; then verdict="ok"; else verdict="FOUND (exit $status): $log, $crashes"; failed=1; fi
    printf '%-20s %12s %8s %8s  %s\n' "$target" "${executions:-?}" "${edges:-?}" "${units:-?}" "$verdict"
done
exit "$failed"
