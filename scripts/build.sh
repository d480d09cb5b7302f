#!/usr/bin/env bash
# The one release build both of the README's commands use, so whichever runs second reuses the
# first one's modules instead of compiling them again (about 17 minutes on 2 cores):
#   scripts/build.sh rakis   the command-line tool (scripts/demo.sh)
#   scripts/build.sh tests   everything and the test bundle on top (scripts/test.sh)
# SwiftPM recompiles a module whenever its flags differ, so the tool is built with the tests'
# -enable-testing (which @testable imports need) too. Optimized, because the engines and the
# simulator are numeric code, far too slow unoptimized. Idempotent: an up-to-date build only
# checks its inputs.
# usage: scripts/build.sh rakis|tests [swift build option...]   (e.g. --scratch-path DIR)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v swift >/dev/null || { echo "error: swift is not installed (Swift 6.1 or later is required)" >&2; exit 1; }

flags=(-c release -Xswiftc -enable-testing)
case "${1:-}" in
    rakis) what=(--product rakis) ;;
    tests) what=(--build-tests) ;;
    *) echo "usage: $0 rakis|tests [swift build option...]" >&2; exit 2 ;;
esac
shift
echo "== build (release, -enable-testing): ${what[*]}" >&2
swift build "${flags[@]}" "${what[@]}" "$@"
