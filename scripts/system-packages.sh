#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need, if any is missing. Idempotent.
#   libsecp256k1-dev  BIP-340 Schnorr signatures for Nostr (linked by the CSecp256k1 module)
#   libsqlite3-dev    SQLite for the node store (GRDB)
#   mosquitto         the MQTT broker the integration tests talk to
# With --tests, also what only the tests need:
#   chromium, chromium-driver  the headless browser the dashboard test drives (through selenium)
set -euo pipefail
packages=(libsecp256k1-dev libsqlite3-dev mosquitto)
[ "${1:-}" = "--tests" ] && packages+=(chromium chromium-driver)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "== apt: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
$sudo apt-get update -q >/dev/null
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
