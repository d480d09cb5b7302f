#!/usr/bin/env bash
# Installs .venv-chain, the Python environment of the oracle's contracts and their tests, from
# scripts/chain/requirements.txt (every version pinned; PyPI). Idempotent and quiet when up to
# date: a stamp in the venv holds the hash of the requirements it was installed from, so a
# changed pin reinstalls.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv="$PWD/.venv-chain"
requirements=scripts/chain/requirements.txt
want="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [ -x "$venv/bin/python" ] && [ "$(cat "$venv/.requirements.sha256" 2>/dev/null)" = "$want" ]; then
    exit 0
fi
echo "== chain tools: installing vyper, eth-tester (py-evm), eth-account, eth-abi into .venv-chain (PyPI)" >&2
python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check -r "$requirements" >&2
echo "$want" > "$venv/.requirements.sha256"
