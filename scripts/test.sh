#!/usr/bin/env bash
# The project's test command: builds everything in release mode (the engines and the simulator
# are numeric code, far too slow unoptimized) and runs every test suite. Idempotent.
#
# Later stages add their set-up here: apt packages, a Python venv for reference tools, model
# files, and the relay, broker and chain the integration tests talk to.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v swift >/dev/null || { echo "error: swift is not installed (Swift 6.1 or later is required)" >&2; exit 1; }

# One optimized build of everything, tests included (-enable-testing for @testable imports),
# which the test run then reuses instead of building a second time.
echo "== build (release)"
swift build -c release -Xswiftc -enable-testing --build-tests

echo "== tests"
swift test -c release -Xswiftc -enable-testing --skip-build

echo "== command-line smoke test"
rakis=".build/release/rakis"
"$rakis" --version
"$rakis" simulate --nodes 50 --requests 200 --seed 1 --loss 0.3 --adversarial 0.2 | tail -n 1
"$rakis" demo --requests 1 | tail -n 1
