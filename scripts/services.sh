#!/usr/bin/env bash
# The services the integration tests (and a local network) talk to, on 127.0.0.1:
#   a Nostr relay  PyPI nostr-relay 1.14 in .venv-services, port $RAKIS_NOSTR_PORT (17447)
#   an MQTT broker Debian's mosquitto, port $RAKIS_MQTT_PORT (18830)
# and installs the Python clients the API tests use (openai, langchain-openai, selenium, mcp; in .venv-clients), and
# the oracle's chain tools (.venv-chain: Vyper, the py-evm test chain, eth-account; see
# scripts/chain/) with the contract artifacts built from contracts/ into .contracts/. No chain
# is started here: each test starts a private chain server of its own, on a free port, with
#   "$RAKIS_TEST_CHAIN_PYTHON" "$RAKIS_TEST_CHAIN_SERVER_SCRIPT" --port 0 --chain-id 1337 --block-time 1
# which prints `listening on 127.0.0.1:PORT` once it answers.
# usage: scripts/services.sh start | stop | env
# `start` is idempotent (a service already answering is left alone) and prints the variables
# the tests read; `stop` stops what `start` started. State lives in .services/.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
state="$root/.services"
nostr_port="${RAKIS_NOSTR_PORT:-17447}"
mqtt_port="${RAKIS_MQTT_PORT:-18830}"
venv="$root/.venv-services"
# Client libraries the tests drive the node with (PyPI), apart from the relay's dependencies.
clients="$root/.venv-clients"

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() {  # wait_for NAME PORT PIDFILE LOG
    for _ in $(seq 1 300); do
        listening "$2" && return 0
        kill -0 "$(cat "$3")" 2>/dev/null || break
        sleep 0.1
    done
    echo "error: $1 did not start on 127.0.0.1:$2; its log ($4):" >&2
    tail -n 20 "$4" >&2 || true
    exit 1
}

start_nostr() {
    # Installed even when a relay already answers: tests start private relays with this program.
    if [ ! -x "$venv/bin/nostr-relay" ]; then
        echo "== nostr-relay: installing into .venv-services (PyPI)" >&2
        python3 -m venv "$venv"
        "$venv/bin/pip" install -q --disable-pip-version-check "nostr-relay==1.14" >&2
    fi
    listening "$nostr_port" && return 0
    mkdir -p "$state/nostr"
    # The relay takes its port from its config file only, and its database path is relative to
    # the working directory: a copy with this port, run from the state directory.
    sed "s/^  bind: .*/  bind: 127.0.0.1:$nostr_port/" scripts/services/nostr-relay.yaml > "$state/nostr/config.yaml"
    (cd "$state/nostr"; setsid nohup "$venv/bin/nostr-relay" -c config.yaml serve > relay.log 2>&1 & echo $! > relay.pid)
    wait_for nostr-relay "$nostr_port" "$state/nostr/relay.pid" "$state/nostr/relay.log"
}

install_clients() {
    [ -x "$clients/bin/python" ] && "$clients/bin/python" -c "import openai, selenium, langchain_openai, mcp" 2>/dev/null && return 0
    echo "== test clients: installing openai, langchain-openai, selenium and mcp into .venv-clients (PyPI)" >&2
    python3 -m venv "$clients"
    "$clients/bin/pip" install -q --disable-pip-version-check "openai==3.57.0" "langchain-openai==1.8.1" "selenium==4.51.0" "mcp==2.3.0" >&2
}

install_chain() {  # idempotent and quiet when up to date (both scripts check for themselves)
    scripts/chain/venv.sh
    scripts/contracts.sh >&2
}

start_mqtt() {
    listening "$mqtt_port" && return 0
    local mosquitto
    mosquitto="$(command -v mosquitto || echo /usr/sbin/mosquitto)"
    mkdir -p "$state/mqtt"
    printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\n' "$mqtt_port" > "$state/mqtt/mosquitto.conf"
    (cd "$state/mqtt"; setsid nohup "$mosquitto" -c mosquitto.conf > broker.log 2>&1 & echo $! > broker.pid)
    wait_for mosquitto "$mqtt_port" "$state/mqtt/broker.pid" "$state/mqtt/broker.log"
}

stop_one() {  # stop_one PIDFILE: the whole process group (the relay runs gunicorn workers)
    [ -f "$1" ] || return 0
    kill -- "-$(cat "$1")" 2>/dev/null || kill "$(cat "$1")" 2>/dev/null || true
    rm -f "$1"
}

print_env() {
    echo "export RAKIS_TEST_NOSTR=ws://127.0.0.1:$nostr_port"
    echo "export RAKIS_TEST_MQTT=127.0.0.1:$mqtt_port"
    # For tests that stop and restart a relay of their own.
    echo "export RAKIS_TEST_NOSTR_RELAY_BIN=$venv/bin/nostr-relay"
    # Python with the client libraries (openai, selenium) for the API and dashboard tests.
    echo "export RAKIS_TEST_PYTHON=$clients/bin/python"
    # The test chain server: run "$RAKIS_TEST_CHAIN_PYTHON" "$RAKIS_TEST_CHAIN_SERVER_SCRIPT" ARGS.
    echo "export RAKIS_TEST_CHAIN_PYTHON=$root/.venv-chain/bin/python"
    echo "export RAKIS_TEST_CHAIN_SERVER_SCRIPT=$root/scripts/chain/chain_server.py"
    # The contract artifacts: RakisOracle.json and StoryTeller.json, each {"abi", "bytecode"}.
    echo "export RAKIS_TEST_CONTRACTS=$root/.contracts"
}

case "${1:-}" in
    start) start_nostr; start_mqtt; install_clients; install_chain; print_env ;;
    stop) stop_one "$state/nostr/relay.pid"; stop_one "$state/mqtt/broker.pid" ;;
    env) print_env ;;
    *) echo "usage: $0 start | stop | env" >&2; exit 2 ;;
esac
