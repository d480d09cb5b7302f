#!/usr/bin/env python3
"""Gas of the oracle, against a previous version of it, in one run on one chain.

  scripts/contracts.sh && .venv-chain/bin/python benchmarks/oracle_gas.py [--baseline COMMIT]

The baseline (default: the last commit before committees were drawn by lot, where any
`threshold` registered nodes could fulfil) is compiled from git into a temporary directory.
Both are deployed on the project's test chain with eight registered nodes of equal deposits,
and each is measured the same way: `request` through no consumer contract, `fulfill` with 3
and with 8 signatures (quorums 3 and 8, where every node holds one seat), a 200-byte output
and a callback address without code, every signer already holding earnings (the steady state).
For the current version also: a request with a challenge window, its `fulfill` (a proposal),
`dispute`, `resolve` and `finalize`, and a dispute decided by `vote`. Prints one table and `FIGURES oracle gas ...` lines.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "Tests", "Contracts"))

from test_oracle import (CALLBACK_GAS, CONSUMER, DEPLOYER, ETHER, KEYS, MIN_FEE, MODEL, STRANGER, Chain, Contract,  # noqa: E402
                         ascending, certificate, dispute_digest, signature)
from eth_account import Account  # noqa: E402
from eth_utils import keccak  # noqa: E402

BASELINE = "43b9be9"
UNIT = 10**15
NODES = [Account.from_key(keccak(f"gas node {i}".encode())) for i in range(8)]
VOTERS = [Account.from_key(keccak(f"gas voter {i}".encode())) for i in range(24)]
OUTPUT = ("x" * 199) + "."


def compile_baseline(commit):
    """The oracle as it was at `commit`, compiled into a temporary artifact directory."""
    work = tempfile.mkdtemp(prefix="rakis-oracle-baseline-")
    for name in ("RakisOracle.vy", "IRakisOracle.vyi"):
        source = subprocess.run(["git", "-C", ROOT, "show", f"{commit}:contracts/{name}"], check=True,
                                capture_output=True, text=True).stdout
        open(os.path.join(work, name), "w").write(source)
    out = subprocess.run([os.path.join(ROOT, ".venv-chain", "bin", "vyper"), "-p", work, "-f", "abi,bytecode",
                          os.path.join(work, "RakisOracle.vy")], check=True, capture_output=True, text=True).stdout
    abi, bytecode = out.split("\n")[:2]
    json.dump({"abi": json.loads(abi), "bytecode": bytecode.strip()}, open(os.path.join(work, "RakisOracle.json"), "w"))
    return work


class Deployment:
    def __init__(self, chain, artifacts):
        self.chain = chain
        self.oracle = Contract(chain, "RakisOracle", artifacts=artifacts).deploy(DEPLOYER, UNIT, MIN_FEE, CALLBACK_GAS, 10)
        self.windowed = any(i["name"] == "challengeWindow" for i in self.oracle.function("request")["inputs"])

    def register(self, accounts):
        for i, account in enumerate(accounts):
            self.oracle.send(account, "register", keccak(f"gas node {i}".encode()), value=UNIT)
        for _ in range(2):
            self.chain.rpc("evm_mine")  # registrations count in lots drawn two blocks later

    def request(self, quorum, window=0):
        deadline = int(self.chain.block()["timestamp"], 16) + 3600
        args = ["a prompt", [MODEL], 64, 700, quorum, 2500, 6600, deadline, STRANGER.address]
        if self.windowed:
            args.append(window)
        receipt = self.oracle.send(CONSUMER, "request", *args, value=MIN_FEE)
        return self.oracle.logs_in(receipt, "Requested")[0]["requestId"], int(receipt["gasUsed"], 16)

    def fulfil(self, quorum, count):
        """`count` signatures: any registered nodes for the baseline, the drawn committee now."""
        rid, _ = self.request(quorum)
        signers = NODES[:count]
        if self.windowed:
            signers = [a for a in NODES if self.oracle.call("seatsOf", rid, a.address) > 0]
            assert len(signers) == count, f"{len(signers)} committee members for a quorum of {quorum}"
        receipt = self.oracle.send(NODES[0], "fulfill", rid, OUTPUT, certificate(self.oracle.address, rid, OUTPUT, ascending(signers)))
        return rid, receipt


def measure(deployment):
    figures = {}
    deployment.register(NODES)
    for count in (3, 8):
        for _ in range(3):
            deployment.fulfil(count, count)  # the signers of the measured one then hold earnings
        _, receipt = deployment.fulfil(count, count)
        figures[f"fulfill, {count} signatures"] = int(receipt["gasUsed"], 16)
    figures["request"] = deployment.request(3)[1]
    return figures


def propose(deployment):
    """A request with a 600 s challenge window whose committee (of two or more members) signs the
    output: its id, the signers and seats of its `Proposed` log, and the fulfilment's receipt."""
    o = deployment.oracle
    for _ in range(20):
        rid, _ = deployment.request(3, 600)
        members = [a for a in ascending(NODES + VOTERS) if o.call("seatsOf", rid, a.address) > 0]
        if len(members) >= 2:
            break
    else:
        raise SystemExit("no request in 20 drew a committee of two or more members")
    receipt = o.send(members[0], "fulfill", rid, OUTPUT, certificate(o.address, rid, OUTPUT, members))
    event = o.logs_in(receipt, "Proposed")[0]
    return rid, list(event["signers"]), list(event["seats"]), receipt


def measure_dispute(deployment):
    """A proposal, disputed and upheld by a second committee of 7 seats drawn among 24 voters
    registered for it, then finalized."""
    figures = {}
    deployment.register(VOTERS)
    o = deployment.oracle
    rid, signers, seats, receipt = propose(deployment)
    figures["fulfill with a challenge window (proposal)"] = int(receipt["gasUsed"], 16)
    receipt = o.send(CONSUMER, "dispute", rid, signers, seats, value=UNIT)
    figures["dispute"] = int(receipt["gasUsed"], 16)
    digest = dispute_digest(o.address, rid, OUTPUT, True)
    voters = [a for a in ascending(NODES + VOTERS) if o.call("disputeSeatsOf", rid, a.address) > 0]
    receipt = o.send(CONSUMER, "resolve", rid, True, [signature(a, digest) for a in voters], signers, seats)
    figures[f"resolve ({len(voters)} votes)"] = int(receipt["gasUsed"], 16)
    receipt = o.send(CONSUMER, "finalize", rid, OUTPUT, signers, seats)
    figures["finalize"] = int(receipt["gasUsed"], 16)

    # The same again, decided by `vote` from the members' own addresses (rejected: slashing).
    rid, signers, seats, _ = propose(deployment)
    o.send(CONSUMER, "dispute", rid, signers, seats, value=UNIT)
    voters = [a for a in ascending(NODES + VOTERS) if o.call("disputeSeatsOf", rid, a.address) > 0]
    gas = []
    for voter in voters:
        receipt = o.send(voter, "vote", rid, False, signers, seats, gas=1_500_000)
        gas.append(int(receipt["gasUsed"], 16))
        if o.logs_in(receipt, "Resolved"):
            break
    figures["vote (not deciding)"] = gas[0]
    figures[f"vote (deciding, slashing {len(signers)} signers)"] = gas[-1]
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", default=BASELINE, help="the git commit to compare with")
    options = parser.parse_args()
    baseline_artifacts = compile_baseline(options.baseline)
    chain = Chain()
    try:
        for account in NODES + VOTERS:
            chain.transact(KEYS[9], account.address, b"", value=ETHER // 10)
        before = measure(Deployment(chain, baseline_artifacts))
        current = Deployment(chain, os.path.join(ROOT, ".contracts"))
        now = measure(current)
        disputes = measure_dispute(current)
    finally:
        chain.stop()
    print(f"{'':45} {'baseline ' + options.baseline:>18} {'now':>10} {'ratio':>7}")
    for name in now:
        print(f"{name:45} {before[name]:>18,} {now[name]:>10,} {now[name] / before[name]:>7.2f}")
    for name, gas in disputes.items():
        print(f"{name:45} {'':>18} {gas:>10,}")
    print("FIGURES oracle gas: " + "; ".join(f"{name} {before[name]} -> {now[name]}" for name in now)
          + "; " + "; ".join(f"{name} {gas}" for name, gas in disputes.items()))


if __name__ == "__main__":
    main()
