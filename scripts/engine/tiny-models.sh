#!/usr/bin/env bash
# Makes the tiny random-weight models the engine tests run every tensor format on
# (scripts/engine/make_tiny_models.py) and every architecture and pre-tokenizer on
# (scripts/engine/make_tiny_architectures.py) in "$1" (default $RAKIS_HOME/tiny-models), with the
# `gguf` package in .venv-engine. Idempotent: nothing is done when the models were made by these
# very script versions. Prints the directory.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:-${RAKIS_HOME:-$HOME/.cache/rakis}/tiny-models}"
venv=.venv-engine
# Pinned, numpy too: the models' bytes must be the ones the committed llama.cpp logits were
# made from (TensorFormatModelTests checks their SHA-256).
if ! [ -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import importlib.metadata as m; assert m.version('gguf') == '0.19.0' and m.version('numpy') == '2.4.6'" 2>/dev/null; then
    echo "== engine test tools: installing gguf and numpy into $venv (PyPI)" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check "gguf==0.19.0" "numpy==2.4.6" >&2
fi
stamp="$(sha256sum scripts/engine/make_tiny_models.py scripts/engine/make_tiny_architectures.py | cut -c1-16 | paste -sd+)"
if [ "$(cat "$out/.made-by" 2>/dev/null)" != "$stamp" ]; then
    "$venv/bin/python" scripts/engine/make_tiny_models.py "$out" >&2
    "$venv/bin/python" scripts/engine/make_tiny_architectures.py "$out" >&2
    echo "$stamp" > "$out/.made-by"
fi
echo "$out"
