#!/usr/bin/env bash
# Builds rakis (release) and runs `rakis demo`: a small network serving a few requests, narrated.
# The build is scripts/build.sh's, the one scripts/test.sh shares, so either reuses the other's.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v swift >/dev/null || { echo "error: swift is not installed (Swift 6.1 or later is required)" >&2; exit 1; }
scripts/system-packages.sh
scripts/build.sh rakis
exec .build/release/rakis demo "$@"
