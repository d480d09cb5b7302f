#!/usr/bin/env bash
# Builds the oracle's contract artifacts with the pinned Vyper (.venv-chain, installed by
# scripts/chain/venv.sh): for each contracts/NAME.vy, .contracts/NAME.json holding
# {"abi": [...], "bytecode": "0x..."}, the bytecode being the initcode a deployment sends
# (constructor arguments ABI-encoded after it). Idempotent and quiet: an artifact is rebuilt
# only when a source in contracts/ (or the installed toolchain) is newer than it.
# usage: scripts/contracts.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/chain/venv.sh
out=.contracts
mkdir -p "$out"
for source in contracts/*.vy; do
    name="$(basename "$source" .vy)"
    artifact="$out/$name.json"
    if [ -f "$artifact" ] && [ -z "$(find contracts .venv-chain/.requirements.sha256 -newer "$artifact" \( -name '*.vy' -o -name '*.vyi' -o -name '.requirements.sha256' \))" ]; then
        continue
    fi
    # Two lines: the ABI as JSON, then the initcode as hex.
    .venv-chain/bin/vyper -p contracts -f abi,bytecode "$source" > "$out/$name.out"
    .venv-chain/bin/python - "$out/$name.out" "$artifact.tmp" <<'PY'
import json, sys
abi, bytecode = open(sys.argv[1]).read().split("\n")[:2]
assert bytecode.startswith("0x") and len(bytecode) > 2, "vyper printed no bytecode"
json.dump({"abi": json.loads(abi), "bytecode": bytecode.strip()}, open(sys.argv[2], "w"), indent=1)
PY
    mv "$artifact.tmp" "$artifact"
    rm -f "$out/$name.out"
done
