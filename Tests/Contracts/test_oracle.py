#!/usr/bin/env python3
"""Contract tests: RakisOracle and the StoryTeller and GrantJudge examples, deployed on the
project's own test chain (scripts/chain/chain_server.py, started here as a subprocess on a free
port).

eth-account and eth-abi are the reference for signing and ABI encoding, independent of the
Vyper compiler and of the Swift code: a certificate built here is what docs/ORACLE.md says a
node signs, and a structured request's typed answer is built from its answer rule. Every transaction is an EIP-1559 (type 2) transaction signed here and sent raw.

  .venv-chain/bin/python Tests/Contracts/test_oracle.py

Reads RAKIS_TEST_CONTRACTS (the artifacts; default .contracts, built by scripts/contracts.sh)
and RAKIS_TEST_CHAIN_PYTHON / RAKIS_TEST_CHAIN_SERVER_SCRIPT (default: this Python and the
script in the tree). Exits non-zero when a test fails.
"""

import json
import os
import subprocess
import sys
import time
import traceback
import urllib.request

from eth_abi import decode, encode
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_utils import keccak, to_checksum_address

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ARTIFACTS = os.environ.get("RAKIS_TEST_CONTRACTS") or os.path.join(ROOT, ".contracts")
SERVER_PYTHON = os.environ.get("RAKIS_TEST_CHAIN_PYTHON") or sys.executable
SERVER_SCRIPT = os.environ.get("RAKIS_TEST_CHAIN_SERVER_SCRIPT") or os.path.join(ROOT, "scripts", "chain", "chain_server.py")

CHAIN_ID = 1337
ETHER = 10**18
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
ZERO_ADDRESS = "0x" + "00" * 20

# The chain's prefunded accounts have the private keys 1, 2, ..., 10.
KEYS = [Account.from_key(i.to_bytes(32, "big")) for i in range(1, 11)]
DEPLOYER, CONSUMER = KEYS[0], KEYS[1]
NODES = KEYS[2:5]        # registered
OUTSIDER = KEYS[5]       # funded, never registered
STRANGER = Account.from_key(keccak(b"a key nobody registered"))  # no funds, never registered

MIN_DEPOSIT = ETHER
MIN_FEE = 10**15
CALLBACK_GAS = 2_000_000
EXIT_DELAY = 3600
STORY_TIMEOUT = 600
MODEL = "SmolLM2-135M-Instruct"


class Failure(Exception):
    pass


class RPCError(Exception):
    def __init__(self, error):
        super().__init__(error.get("message"))
        self.code = error.get("code")
        self.message = error.get("message", "")
        self.data = error.get("data")


# ---- the chain ------------------------------------------------------------------------------

class Chain:
    def __init__(self):
        self.process = subprocess.Popen(
            [SERVER_PYTHON, SERVER_SCRIPT, "--host", "127.0.0.1", "--port", "0",
             "--chain-id", str(CHAIN_ID), "--block-time", "0", "--log-level", "warning"],
            stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline().strip()  # the server prints its port when it answers
        if not line.startswith("listening on "):
            self.process.kill()
            raise Failure(f"the chain server did not start (it printed {line!r})")
        self.url = "http://" + line.split()[-1]
        self.next_id = 0

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def rpc(self, method, *params):
        self.next_id += 1
        body = json.dumps({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": list(params)})
        request = urllib.request.Request(self.url, body.encode(), {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            answer = json.loads(response.read())
        if "error" in answer:
            raise RPCError(answer["error"])
        return answer["result"]

    def block(self, tag="latest"):
        return self.rpc("eth_getBlockByNumber", tag, False)

    def balance(self, who):
        return int(self.rpc("eth_getBalance", who, "latest"), 16)

    def advance(self, seconds):
        self.rpc("evm_increaseTime", seconds)
        self.rpc("evm_mine")

    def transact(self, account, to, data, value=0, gas=None):
        """Signs an EIP-1559 transaction with eth-account, sends it raw and returns the receipt.
        Without `gas` the chain estimates it, so a call that would revert raises RPCError."""
        call = {"from": account.address, "data": "0x" + data.hex(), "value": hex(value)}
        if to is not None:
            call["to"] = to
        if gas is None:
            gas = int(self.rpc("eth_estimateGas", call), 16)
        base = int(self.block()["baseFeePerGas"], 16)
        priority = int(self.rpc("eth_maxPriorityFeePerGas"), 16)
        tx = {
            "type": 2, "chainId": CHAIN_ID,
            "nonce": int(self.rpc("eth_getTransactionCount", account.address, "pending"), 16),
            "gas": gas, "maxPriorityFeePerGas": priority, "maxFeePerGas": 2 * base + priority,
            "value": value, "data": data,
        }
        if to is not None:
            tx["to"] = to_checksum_address(to)
        signed = account.sign_transaction(tx)
        tx_hash = self.rpc("eth_sendRawTransaction", "0x" + signed.raw_transaction.hex())
        receipt = self.rpc("eth_getTransactionReceipt", tx_hash)
        check(receipt is not None, "no receipt right after sending (every transaction is mined at once)")
        return receipt


def abi_type(item):
    kind = item["type"]
    if kind.startswith("tuple"):
        return "(" + ",".join(abi_type(c) for c in item["components"]) + ")" + kind[len("tuple"):]
    return kind


class Contract:
    def __init__(self, chain, name, address=None, artifacts=ARTIFACTS):
        artifact = json.load(open(os.path.join(artifacts, name + ".json")))
        self.chain, self.abi, self.bytecode, self.address = chain, artifact["abi"], artifact["bytecode"], address
        self.events = {e["name"]: e for e in self.abi if e["type"] == "event"}

    def deploy(self, account, *args):
        constructor = next(e for e in self.abi if e["type"] == "constructor")
        data = bytes.fromhex(self.bytecode[2:]) + encode([abi_type(i) for i in constructor["inputs"]], list(args))
        receipt = self.chain.transact(account, None, data)
        check(receipt["status"] == "0x1", "deployment failed")
        self.address = receipt["contractAddress"]
        check(self.chain.rpc("eth_getCode", self.address, "latest") != "0x", "no code at the new address")
        return self

    def function(self, name, arity=None):
        """The ABI entry of `name`; of an overloaded one (Vyper's default arguments give an
        entry per arity) the one taking `arity` arguments, or the first (the shortest)."""
        return next(e for e in self.abi if e["type"] == "function" and e["name"] == name
                    and (arity is None or len(e["inputs"]) == arity))

    def calldata(self, name, *args):
        types = [abi_type(i) for i in self.function(name, len(args))["inputs"]]
        return keccak(text=f"{name}({','.join(types)})")[:4] + encode(types, list(args))

    def call(self, name, *args, sender=ZERO_ADDRESS):
        result = self.chain.rpc("eth_call", {"from": sender, "to": self.address,
                                             "data": "0x" + self.calldata(name, *args).hex()}, "latest")
        values = decode([abi_type(o) for o in self.function(name, len(args))["outputs"]], bytes.fromhex(result[2:]))
        return values[0] if len(values) == 1 else values

    def send(self, account, name, *args, value=0, gas=None):
        receipt = self.chain.transact(account, self.address, self.calldata(name, *args), value, gas)
        check(receipt["status"] == "0x1", f"{name} failed: {receipt}")
        return receipt

    def reverts(self, reason, account, name, *args, value=0):
        """The call reverts with `reason` (seen through eth_estimateGas), and a transaction
        sent anyway is mined with status 0 and changes nothing."""
        data = self.calldata(name, *args)
        try:
            self.chain.transact(account, self.address, data, value)
        except RPCError as error:
            check(error.code == 3 and error.message == f"execution reverted: {reason}",
                  f"{name}: expected the revert '{reason}', got {error.code} '{error.message}'")
            check(error.data and error.data.startswith("0x08c379a0"), f"{name}: no Error(string) revert data")
        else:
            raise Failure(f"{name}: expected the revert '{reason}', but it succeeded")
        receipt = self.chain.transact(account, self.address, data, value, gas=3_000_000)
        check(receipt["status"] == "0x0", f"{name}: a transaction sent anyway succeeded")

    def topic(self, event):
        types = ",".join(abi_type(i) for i in self.events[event]["inputs"])
        return "0x" + keccak(text=f"{event}({types})").hex()

    def decode_log(self, event, entry):
        inputs = self.events[event]["inputs"]
        check(entry["topics"][0] == self.topic(event), f"not a {event} log")
        indexed = [i for i in inputs if i["indexed"]]
        plain = [i for i in inputs if not i["indexed"]]
        out = {}
        for item, topic in zip(indexed, entry["topics"][1:]):
            out[item["name"]] = decode([abi_type(item)], bytes.fromhex(topic[2:]))[0]
        values = decode([abi_type(i) for i in plain], bytes.fromhex(entry["data"][2:]))
        out.update({i["name"]: v for i, v in zip(plain, values)})
        return out

    def logs_in(self, receipt, event):
        return [self.decode_log(event, e) for e in receipt["logs"]
                if e["address"] == self.address.lower() and e["topics"][0] == self.topic(event)]


def check(condition, message):
    if not condition:
        raise Failure(message)


def equal(actual, expected, what):
    check(actual == expected, f"{what}: expected {expected!r}, got {actual!r}")


# ---- certificates, as docs/ORACLE.md defines them -------------------------------------------

def result_hash(output, answer=None):
    """What the committee signs of a result: keccak256(output) for a free-text request (answer
    None); for a structured one keccak256(abi.encode(keccak256(output), keccak256(answer)))."""
    if answer is None:
        return keccak(output.encode("utf-8"))
    return keccak(encode(["bytes32", "bytes32"], [keccak(output.encode("utf-8")), keccak(answer)]))


def fulfilment_digest(oracle, request_id, output, commitment_set_hash, chain_id=CHAIN_ID, answer=None):
    return keccak(encode(
        ["bytes32", "uint256", "address", "uint256", "bytes32", "bytes32"],
        [keccak(b"rakis-oracle/1 fulfill"), chain_id, oracle, request_id,
         result_hash(output, answer), commitment_set_hash]))


def commitment_set_hash(seed):
    commitments = sorted(keccak(f"{seed}/{i}".encode()) for i in range(3))
    return keccak(b"".join(commitments))


def signature(account, digest):
    """(v, r, s) over the EIP-191 hash of the digest: what `personal_sign` gives."""
    signed = Account.sign_message(encode_defunct(primitive=digest), account.key)
    return (signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big"))


def ascending(accounts):
    return sorted(accounts, key=lambda a: int(a.address, 16))


def certificate(oracle, request_id, output, signers, seed="quorum", sign_output=None, chain_id=CHAIN_ID, answer=None):
    """Signatures by `signers` in the order given (the contract wants ascending addresses), over
    the free-text result, or with `answer` (bytes) over a structured request's result."""
    h = commitment_set_hash(seed)
    digest = fulfilment_digest(oracle, request_id, sign_output if sign_output is not None else output, h, chain_id, answer)
    return (h, [signature(a, digest) for a in signers])


# ---- the tests ------------------------------------------------------------------------------

class Scenario:
    """One chain and one deployment, which the tests below walk through in order."""

    def __init__(self, chain):
        self.chain = chain


def test_chain_server(s):
    chain = s.chain
    equal(chain.rpc("eth_chainId"), hex(CHAIN_ID), "eth_chainId")
    equal(chain.rpc("net_version"), str(CHAIN_ID), "net_version")
    equal(len(chain.rpc("eth_accounts")), 10, "prefunded accounts")
    for key in ("hash", "parentHash", "number", "timestamp", "baseFeePerGas"):
        check(key in chain.block(), f"a block has no {key}")
    try:
        chain.rpc("no_such_method")
        raise Failure("an unknown method was answered")
    except RPCError as error:
        equal(error.code, -32601, "the error code of an unknown method")
    # A raw transaction signed for another chain is refused (EIP-155 replay protection).
    tx = {"type": 2, "chainId": 1, "nonce": 0, "to": OUTSIDER.address, "value": 1, "gas": 21000,
          "maxFeePerGas": 10**10, "maxPriorityFeePerGas": 10**9}
    try:
        chain.rpc("eth_sendRawTransaction", "0x" + STRANGER.sign_transaction(tx).raw_transaction.hex())
        raise Failure("a transaction for chain 1 was accepted")
    except RPCError as error:
        check("chain id" in error.message, f"unexpected error {error.message}")
    # A reorganisation: blocks after a snapshot are replaced by others at the same heights.
    snapshot = chain.rpc("evm_snapshot")
    receipt = chain.transact(OUTSIDER, STRANGER.address, b"", value=12345)
    height, old_hash = receipt["blockNumber"], receipt["blockHash"]
    equal(chain.balance(STRANGER.address), 12345, "the stranger's balance after the transfer")
    equal(chain.rpc("evm_revert", snapshot), True, "evm_revert")
    equal(chain.rpc("eth_getTransactionReceipt", receipt["transactionHash"]), None,
          "the receipt of a transaction the reorganisation dropped")
    equal(chain.balance(STRANGER.address), 0, "the stranger's balance after the reorganisation")
    chain.rpc("evm_mine")
    new = chain.block(height)
    check(new is not None and new["hash"] != old_hash, "the new block at the same height has the old hash")
    equal(chain.rpc("evm_revert", snapshot), False, "a used-up snapshot")


def test_deploy(s):
    s.oracle = Contract(s.chain, "RakisOracle").deploy(DEPLOYER, MIN_DEPOSIT, MIN_FEE, CALLBACK_GAS, EXIT_DELAY)
    s.teller = Contract(s.chain, "StoryTeller").deploy(DEPLOYER, s.oracle.address, MODEL, 256, STORY_TIMEOUT)
    s.judge = Contract(s.chain, "GrantJudge").deploy(DEPLOYER, s.oracle.address, MODEL, 256, STORY_TIMEOUT, 0)
    equal(s.oracle.call("minFee"), MIN_FEE, "minFee")
    equal(s.oracle.call("callbackGas"), CALLBACK_GAS, "callbackGas")
    equal(s.teller.call("oracle").lower(), s.oracle.address, "StoryTeller.oracle")
    equal((s.judge.call("oracle").lower(), s.judge.call("model"), s.judge.call("challengeWindow")),
          (s.oracle.address, MODEL, 0), "GrantJudge's settings")


def test_register(s):
    s.oracle.reverts("deposit below minimum", NODES[0], "register", keccak(b"node 0"), value=MIN_DEPOSIT - 1)
    for i, node in enumerate(NODES):
        receipt = s.oracle.send(node, "register", keccak(f"node {i}".encode()), value=MIN_DEPOSIT)
        [event] = s.oracle.logs_in(receipt, "Registered")
        equal(event["node"].lower(), node.address.lower(), "Registered.node")
        equal(event["nodeId"], keccak(f"node {i}".encode()), "Registered.nodeId")
        equal(event["deposit"], MIN_DEPOSIT, "Registered.deposit")
        check(s.oracle.call("isRegistered", node.address), "isRegistered after register")
    s.oracle.reverts("already registered", NODES[0], "register", keccak(b"node 0"), value=MIN_DEPOSIT)
    check(not s.oracle.call("isRegistered", OUTSIDER.address), "an outsider is registered")


def tell(s, prompt, payment):
    receipt = s.teller.send(CONSUMER, "tell", prompt, value=payment)
    [event] = s.oracle.logs_in(receipt, "Requested")
    return event["requestId"], event


def test_request(s):
    s.payment = 10**16 + 1  # odd, so that a split between two signers leaves 1 wei over
    s.prompt = "Tell me a short story about a lighthouse keeper."
    s.reverts_before = None
    request_id, event = tell(s, s.prompt, s.payment)
    s.request_id = request_id
    equal(request_id, 1, "the first request id")
    equal(s.teller.call("lastRequestId"), 1, "StoryTeller.lastRequestId")
    equal(event["consumer"].lower(), s.teller.address, "Requested.consumer")
    equal(event["prompt"], s.prompt, "Requested.prompt")
    equal(list(event["models"]), [MODEL], "Requested.models")
    equal((event["quorum"], event["secDistance"], event["secPercentage"]), (3, 2500, 6600), "quorum settings")
    equal(event["callback"].lower(), s.teller.address, "Requested.callback")
    equal(event["payment"], s.payment, "Requested.payment")
    now = int(s.chain.block()["timestamp"], 16)
    equal(event["deadline"], now + STORY_TIMEOUT, "Requested.deadline")
    equal(s.oracle.call("stateOf", request_id), 1, "stateOf a new request")
    s.teller.reverts("fee below minimum", CONSUMER, "tell", "cheap", value=MIN_FEE - 1)
    # The log is found by eth_getLogs with an OR-list of topics and a null position.
    logs = s.chain.rpc("eth_getLogs", {"fromBlock": "0x0", "toBlock": "latest", "address": s.oracle.address,
                                       "topics": [[s.oracle.topic("Refunded"), s.oracle.topic("Requested")],
                                                  None, "0x" + encode(["address"], [s.teller.address]).hex()]})
    equal([s.oracle.decode_log("Requested", e)["requestId"] for e in logs], [1], "eth_getLogs")


def test_fulfil_refusals(s):
    o, rid, out = s.oracle, s.request_id, "Once upon a time, a keeper kept a light."
    submitter = NODES[2]
    two = ascending(NODES[:2])
    check(int(two[0].address, 16) < int(two[1].address, 16), "sorted")
    o.reverts("signer not registered", submitter, "fulfill", rid, out,
              certificate(o.address, rid, out, ascending([NODES[0], STRANGER])))
    # Three nodes of equal weight and a quorum of 3: each holds exactly one seat; the threshold is 2.
    for node in NODES:
        equal(o.call("seatsOf", rid, node.address), 1, "the seats of a node of a third of the weight")
    equal(o.call("thresholdOf", rid), 2, "the threshold in seats")
    o.reverts("too few seats", submitter, "fulfill", rid, out, certificate(o.address, rid, out, [NODES[0]]))
    o.reverts("signer not registered", submitter, "fulfill", rid, out,
              certificate(o.address, rid, out, ascending(NODES + [STRANGER])))
    # Signatures over another output recover other addresses, none of them registered.
    o.reverts("signer not registered", submitter, "fulfill", rid, out,
              certificate(o.address, rid, out, two, sign_output="Once upon a time, nothing happened."))
    # ... and so do signatures for another chain.
    o.reverts("signer not registered", submitter, "fulfill", rid, out,
              certificate(o.address, rid, out, two, chain_id=1))
    h, sigs = certificate(o.address, rid, out, two)
    o.reverts("signers not ascending", submitter, "fulfill", rid, out, (h, [sigs[0], sigs[0]]))
    o.reverts("signers not ascending", submitter, "fulfill", rid, out, (h, [sigs[1], sigs[0]]))
    # The twin of a valid signature (s -> n - s, v flipped) is refused, as is any other v.
    v, r, s_value = sigs[0]
    twin = (55 - v, r, (SECP256K1_N - int.from_bytes(s_value, "big")).to_bytes(32, "big"))
    o.reverts("bad signature", submitter, "fulfill", rid, out, (h, [twin, sigs[1]]))
    o.reverts("bad signature", submitter, "fulfill", rid, out, (h, [(29, r, s_value), sigs[1]]))
    o.reverts("submitter not registered", OUTSIDER, "fulfill", rid, out, (h, sigs))
    # Too little gas for the callback: the submitter cannot make it fail on purpose.
    call = {"from": submitter.address, "to": o.address, "gas": hex(CALLBACK_GAS + 60000),
            "data": "0x" + o.calldata("fulfill", rid, out, (h, sigs)).hex()}
    try:
        s.chain.rpc("eth_call", call, "latest")
        raise Failure("a fulfilment with too little gas for the callback succeeded")
    except RPCError as error:
        equal(error.message, "execution reverted: not enough gas for the callback", "the revert")
    equal(o.call("stateOf", rid), 1, "stateOf after the refusals")


def test_fulfil(s):
    o, rid = s.oracle, s.request_id
    story = "Once upon a time, a lighthouse keeper counted ships. " * 4
    signers = ascending(NODES[:2])
    submitter = NODES[2]
    before = {a.address: o.call("earnings", a.address) for a in NODES}
    teller_before = s.chain.balance(s.teller.address)
    receipt = o.send(submitter, "fulfill", rid, story, certificate(o.address, rid, story, signers))
    [event] = o.logs_in(receipt, "Fulfilled")
    equal(event["requestId"], rid, "Fulfilled.requestId")
    equal(event["submitter"].lower(), submitter.address.lower(), "Fulfilled.submitter")
    equal(event["outputHash"], keccak(story.encode()), "Fulfilled.outputHash")
    equal(event["signers"], 2, "Fulfilled.signers")
    equal(event["callbackSucceeded"], True, "Fulfilled.callbackSucceeded")
    [told] = s.teller.logs_in(receipt, "StoryTold")
    equal(told["length"], len(story), "StoryTold.length")
    equal(s.teller.call("storyOf", rid), story, "StoryTeller.storyOf")
    equal(s.teller.call("storiesTold"), 1, "StoryTeller.storiesTold")
    equal(o.call("stateOf", rid), 2, "stateOf a fulfilled request")
    # The payment buys three seats; two signed, so the third seat's price goes back to the consumer.
    share = s.payment // 3
    for a in signers:
        equal(o.call("earnings", a.address) - before[a.address], share, "a signer's share")
    unsigned = s.payment * 1 // 3
    equal(s.chain.balance(s.teller.address) - teller_before, unsigned, "the unsigned seat's price, returned")
    equal(o.call("earnings", submitter.address) - before[submitter.address], s.payment - 2 * share - unsigned,
          "the submitter's remainder")
    o.reverts("not pending", submitter, "fulfill", rid, story, certificate(o.address, rid, story, signers))
    # The callback accepts only the oracle.
    s.teller.reverts("only the oracle", OUTSIDER, "rakisCallback", rid, "a forged story")


def test_withdraw(s):
    o, node = s.oracle, NODES[0]
    amount = o.call("earnings", node.address)
    check(amount > 0, "no earnings to withdraw")
    before = s.chain.balance(node.address)
    receipt = o.send(node, "withdraw")
    cost = int(receipt["gasUsed"], 16) * int(receipt["effectiveGasPrice"], 16)
    equal(s.chain.balance(node.address), before + amount - cost, "the balance after withdraw")
    equal(o.call("earnings", node.address), 0, "earnings after withdraw")
    o.reverts("nothing to withdraw", node, "withdraw")


def test_gas_figures(s):
    """What a fulfilment costs, with 2 and with 3 signatures, in the steady state where every
    signer has earnings it has not withdrawn yet (a first credit to an empty balance costs
    about 17,000 gas more per signer, for the new storage slot)."""
    o = s.oracle
    deadline = int(s.chain.block()["timestamp"], 16) + 3600

    def fulfil(callback, output, count):
        receipt = o.send(CONSUMER, "request", "a prompt", [MODEL], 64, 700, 3, 2500, 6600, deadline,
                         callback, 0, value=MIN_FEE)
        [event] = o.logs_in(receipt, "Requested")
        rid = event["requestId"]
        receipt = o.send(NODES[2], "fulfill", rid, output, certificate(o.address, rid, output, ascending(NODES[:count])))
        [fulfilled] = o.logs_in(receipt, "Fulfilled")
        equal(fulfilled["signers"], count, "Fulfilled.signers")
        equal(fulfilled["callbackSucceeded"], True, "Fulfilled.callbackSucceeded")
        return int(receipt["gasUsed"], 16)

    # The oracle's own cost: a 200-byte output, and a callback address without code.
    output = ("x" * 199) + "."
    fulfil(STRANGER.address, output, 3)  # every node now has earnings
    gas = {count: fulfil(STRANGER.address, output, count) for count in (2, 3)}
    # With the StoryTeller's callback, which stores the story (about 22,000 gas per 32 bytes).
    story = "Once upon a time, a lighthouse keeper counted ships. " * 4
    told = {}
    for count in (2, 3):
        rid, _ = tell(s, s.prompt, MIN_FEE)
        receipt = o.send(NODES[2], "fulfill", rid, story, certificate(o.address, rid, story, ascending(NODES[:count])))
        told[count] = int(receipt["gasUsed"], 16)
    print(f"FIGURES oracle fulfil gas: {gas[2]} with 2 signatures, {gas[3]} with 3 "
          f"(+{gas[3] - gas[2]} per signature; 200-byte output, no callback code); with the "
          f"StoryTeller callback storing a {len(story)}-byte story: {told[2]} (2 signatures), {told[3]} (3)")


def test_failing_callback(s):
    """A callback that reverts leaves the fulfilment standing. The oracle itself is the callback
    here: it has no rakisCallback and no default function, so the call reverts."""
    o = s.oracle
    deadline = int(s.chain.block()["timestamp"], 16) + 3600
    receipt = o.send(CONSUMER, "request", "a prompt", [MODEL], 64, 700, 3, 2500, 6600, deadline, o.address, 0,
                     value=MIN_FEE)
    rid = o.logs_in(receipt, "Requested")[0]["requestId"]
    receipt = o.send(NODES[2], "fulfill", rid, "an answer", certificate(o.address, rid, "an answer", ascending(NODES[:2])))
    [event] = o.logs_in(receipt, "Fulfilled")
    equal(event["callbackSucceeded"], False, "Fulfilled.callbackSucceeded")
    equal(o.call("stateOf", rid), 2, "stateOf after a failed callback")


# ---- structured requests: a schema, a typed answer, the GrantJudge ---------------------------
#
# The answer rule of docs/ORACLE.md ("Structured requests and typed answers"), written again
# here from the text, with eth-abi as the encoder: a schema whose root is an object of required
# properties, each a boolean, an integer, a string with an enum or a free string, has the answer
# abi.encode(one value per property, in the sorted order of the names); any other, b"".

JUDGE_SCHEMA = ('{"type":"object","properties":{"approve":{"type":"boolean"},"category":{"type":"string",'
                '"enum":["research","education","infrastructure","other"]},"reason":{"type":"string","maxLength":200},'
                '"score":{"type":"integer","minimum":0,"maximum":10}},"required":["approve","category","reason","score"],'
                '"additionalProperties":false}')
GRANT_POT = 5 * ETHER
GRANT = ETHER // 2
RECIPIENT = Account.from_key(keccak(b"a grant's recipient"))
JUDGE_WINDOW = 300


def canonical_json(value):
    """RFC 8785 for what these tests send: ASCII property names (sorted by UTF-16 code units,
    which for ASCII is plain order), booleans, small integers and strings, no whitespace."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def flat_fields(schema_text):
    """[(name, ABI type)] in the answer's order if the schema is flat, else None."""
    schema = json.loads(schema_text)
    if not isinstance(schema, dict) or schema.get("type") != "object" or not isinstance(schema.get("properties"), dict):
        return None
    properties = schema["properties"]
    if set(schema.get("required", [])) != set(properties):
        return None
    fields = []
    for name in sorted(properties, key=lambda n: n.encode("utf-16-be")):
        p = properties[name]
        if p.get("type") == "boolean":
            fields.append((name, "bool"))
        elif p.get("type") == "integer":
            fields.append((name, "int256"))
        elif p.get("type") == "string" and "enum" in p:
            fields.append((name, "uint8"))
        elif p.get("type") == "string":
            fields.append((name, "string"))
        else:
            return None
    return fields


def typed_answer(schema_text, value):
    """The canonical JSON output of `value` and its typed answer under the schema."""
    fields = flat_fields(schema_text)
    if fields is None:
        return canonical_json(value), b""
    schema = json.loads(schema_text)
    values = [schema["properties"][n]["enum"].index(value[n]) if t == "uint8" else value[n] for n, t in fields]
    return canonical_json(value), encode([t for _, t in fields], values)


def decision(approve, category, reason, score):
    return typed_answer(JUDGE_SCHEMA, {"approve": approve, "category": category, "reason": reason, "score": score})


def apply_for(s, judge, proposal, amount, recipient):
    receipt = judge.send(CONSUMER, "apply", proposal, amount, recipient, value=MIN_FEE)
    s.last_receipt = receipt
    [event] = s.oracle.logs_in(receipt, "Requested")
    return event["requestId"], event


def test_structured_request(s):
    o, judge = s.oracle, s.judge
    equal(judge.call("SCHEMA"), JUDGE_SCHEMA, "GrantJudge.SCHEMA")
    equal(flat_fields(JUDGE_SCHEMA), [("approve", "bool"), ("category", "uint8"), ("reason", "string"),
                                      ("score", "int256")], "the schema's fields in the answer's order")
    # The pot: a plain transfer and fund() both add to it.
    s.chain.transact(DEPLOYER, judge.address, b"", value=GRANT_POT - ETHER)
    receipt = judge.send(DEPLOYER, "fund", value=ETHER)
    [funded] = judge.logs_in(receipt, "Funded")
    equal(funded["amount"], ETHER, "Funded.amount")
    equal(s.chain.balance(judge.address), GRANT_POT, "the judge's pot")
    proposal = "A public library of lighthouse logbooks, scanned and transcribed."
    rid, event = apply_for(s, judge, proposal, GRANT, RECIPIENT.address)
    equal(event["schema"], JUDGE_SCHEMA, "Requested.schema")
    check(proposal in event["prompt"] and str(GRANT) in event["prompt"], "the prompt holds the proposal and the amount")
    equal(event["temperature"], 0, "Requested.temperature")
    equal(event["callback"].lower(), judge.address, "Requested.callback")
    [asked] = judge.logs_in(s.last_receipt, "GrantRequested")
    equal((asked["requestId"], asked["applicant"].lower(), asked["recipient"].lower(), asked["amount"]),
          (rid, CONSUMER.address.lower(), RECIPIENT.address.lower(), GRANT), "GrantRequested")
    grant = judge.call("grants", rid)
    equal((grant[0].lower(), grant[1].lower(), grant[2], grant[3]), (CONSUMER.address.lower(), RECIPIENT.address.lower(), GRANT, False),
          "the grant before its decision")
    equal(judge.call("decisionOf", rid), (False, 0, "", 0, False), "decisionOf before the answer")
    s.grant_id = rid
    # Through the oracle: the 10-argument entry is free text (schema ""); the 11-argument one with
    # "" is too.
    deadline = int(s.chain.block()["timestamp"], 16) + 3600
    args = ["a prompt", [MODEL], 64, 700, 3, 2500, 6600, deadline, STRANGER.address, 0]
    for extra in ([], [""]):
        receipt = o.send(CONSUMER, "request", *args, *extra, value=MIN_FEE)
        [event] = o.logs_in(receipt, "Requested")
        equal(event["schema"], "", "Requested.schema of a free-text request")
        rid = event["requestId"]
        out = "Free text."
        o.reverts("answer for a free-text request", NODES[2], "fulfill", rid, out,
                  certificate(o.address, rid, out, ascending(NODES[:2])), b"\x01")
        # An empty answer on the 4-argument entry is the free-text fulfilment.
        receipt = o.send(NODES[2], "fulfill", rid, out, certificate(o.address, rid, out, ascending(NODES[:2])), *([b""] if extra else []))
        equal(o.logs_in(receipt, "Fulfilled")[0]["outputHash"], keccak(out.encode()), "Fulfilled.outputHash of free text")


def test_structured_fulfil_approves_and_pays(s):
    o, judge, rid = s.oracle, s.judge, s.grant_id
    signers, submitter = ascending(NODES[:2]), NODES[2]
    reason = "Useful, cheap and well scoped; the archive exists already."
    output, answer = decision(True, "education", reason, 8)
    equal(output, '{"approve":true,"category":"education","reason":"' + reason + '","score":8}', "the canonical output")
    # The answer alone differs from what the committee signed: the signatures recover other keys.
    _, forged = decision(True, "education", reason, 10)
    o.reverts("signer not registered", submitter, "fulfill", rid, output,
              certificate(o.address, rid, output, signers, answer=answer), forged)
    _, rejected = decision(False, "education", reason, 8)
    o.reverts("signer not registered", submitter, "fulfill", rid, output,
              certificate(o.address, rid, output, signers, answer=rejected), answer)
    # Signatures over the free-text form, or the answer left out, do not fulfil a structured request.
    o.reverts("signer not registered", submitter, "fulfill", rid, output, certificate(o.address, rid, output, signers))
    o.reverts("signer not registered", submitter, "fulfill", rid, output, certificate(o.address, rid, output, signers, answer=answer))
    # The callback's gas is checked once its calldata (with the answer) is encoded.
    call = {"from": submitter.address, "to": o.address, "gas": hex(CALLBACK_GAS + 60000),
            "data": "0x" + o.calldata("fulfill", rid, output, certificate(o.address, rid, output, signers, answer=answer), answer).hex()}
    try:
        s.chain.rpc("eth_call", call, "latest")
        raise Failure("a structured fulfilment with too little gas for the callback succeeded")
    except RPCError as error:
        equal(error.message, "execution reverted: not enough gas for the callback", "the revert")
    before = s.chain.balance(RECIPIENT.address)
    receipt = o.send(submitter, "fulfill", rid, output, certificate(o.address, rid, output, signers, answer=answer), answer)
    [fulfilled] = o.logs_in(receipt, "Fulfilled")
    equal(fulfilled["outputHash"], result_hash(output, answer), "Fulfilled.outputHash: the result hash")
    equal(fulfilled["callbackSucceeded"], True, "Fulfilled.callbackSucceeded")
    [decided] = judge.logs_in(receipt, "GrantDecided")
    equal((decided["approve"], decided["category"], decided["score"]), (True, 1, 8), "GrantDecided")
    equal(judge.call("decisionOf", rid), (True, 1, reason, 8, True), "decisionOf")
    equal(len(judge.logs_in(receipt, "GrantPaid")), 1, "GrantPaid events")
    equal(s.chain.balance(RECIPIENT.address) - before, GRANT, "the recipient's grant")
    equal(s.chain.balance(judge.address), GRANT_POT - GRANT + MIN_FEE // 3, "the pot (with the unsigned seat's price back)")
    check(judge.call("grants", rid)[8], "the grant is paid")
    equal(judge.call("grantsDecided"), 1, "grantsDecided")
    judge.reverts("already paid", OUTSIDER, "pay", rid)
    # Only the oracle calls back.
    judge.reverts("only the oracle", OUTSIDER, "rakisStructuredCallback", rid, output, answer)
    s.structured_gas, s.structured_reason = int(receipt["gasUsed"], 16), len(reason)


def test_structured_fulfil_rejects_without_paying(s):
    o, judge = s.oracle, s.judge
    rid, _ = apply_for(s, judge, "A gold-plated lighthouse.", GRANT, RECIPIENT.address)
    output, answer = decision(False, "other", "Nothing in it serves the public.", 1)
    before = s.chain.balance(RECIPIENT.address)
    receipt = o.send(NODES[2], "fulfill", rid, output, certificate(o.address, rid, output, ascending(NODES[:2]), answer=answer), answer)
    equal(o.logs_in(receipt, "Fulfilled")[0]["callbackSucceeded"], True, "Fulfilled.callbackSucceeded")
    equal(judge.call("decisionOf", rid), (False, 3, "Nothing in it serves the public.", 1, True), "decisionOf a rejection")
    equal(judge.logs_in(receipt, "GrantPaid"), [], "GrantPaid events of a rejection")
    equal(s.chain.balance(RECIPIENT.address), before, "the recipient's balance after a rejection")
    judge.reverts("not approved", OUTSIDER, "pay", rid)


def test_structured_approval_the_pot_cannot_pay(s):
    """An approval beyond the pot, or to a recipient that refuses ether, is recorded unpaid and
    the callback succeeds; `pay` settles the first once the pot holds the amount."""
    o, judge = s.oracle, s.judge
    big = s.chain.balance(judge.address) + ETHER
    rid, _ = apply_for(s, judge, "A second lighthouse.", big, RECIPIENT.address)
    output, answer = decision(True, "infrastructure", "Worth it, if the money is there.", 7)
    receipt = o.send(NODES[2], "fulfill", rid, output, certificate(o.address, rid, output, ascending(NODES[:2]), answer=answer), answer)
    equal(o.logs_in(receipt, "Fulfilled")[0]["callbackSucceeded"], True, "the callback of an approval beyond the pot")
    equal(judge.call("decisionOf", rid)[4], True, "decided")
    check(not judge.call("grants", rid)[8], "an approval beyond the pot is paid")
    judge.reverts("not enough funds", OUTSIDER, "pay", rid)
    judge.send(DEPLOYER, "fund", value=2 * ETHER)
    before = s.chain.balance(RECIPIENT.address)
    judge.send(OUTSIDER, "pay", rid)
    equal(s.chain.balance(RECIPIENT.address) - before, big, "the grant paid by pay()")
    # The oracle has no default function: as a recipient it refuses the grant.
    rid, _ = apply_for(s, judge, "A grant to a contract that refuses ether.", 1, o.address)
    output, answer = decision(True, "research", "Fine.", 5)
    receipt = o.send(NODES[2], "fulfill", rid, output, certificate(o.address, rid, output, ascending(NODES[:2]), answer=answer), answer)
    equal(o.logs_in(receipt, "Fulfilled")[0]["callbackSucceeded"], True, "the callback when the recipient refuses")
    equal(judge.call("decisionOf", rid), (True, 0, "Fine.", 5, True), "decisionOf when the recipient refuses")
    check(not judge.call("grants", rid)[8], "a refused grant is paid")


def test_structured_request_without_a_flat_schema(s):
    """A schema the answer rule does not cover: the answer is b"", which the committee signs in
    the structured form; the 3-argument fulfil (no answer bytes) then works."""
    o = s.oracle
    schema = '{"type":"array","items":{"type":"string"}}'
    deadline = int(s.chain.block()["timestamp"], 16) + 3600
    receipt = o.send(CONSUMER, "request", "List three lighthouses.", [MODEL], 64, 0, 3, 2500, 6600, deadline,
                     STRANGER.address, 0, schema, value=MIN_FEE)
    [event] = o.logs_in(receipt, "Requested")
    equal(event["schema"], schema, "Requested.schema")
    rid = event["requestId"]
    output, answer = typed_answer(schema, ["Eddystone", "Fastnet", "Pharos"])
    equal(answer, b"", "the answer of a schema that is not flat")
    signers = ascending(NODES[:2])
    o.reverts("signer not registered", NODES[2], "fulfill", rid, output, certificate(o.address, rid, output, signers))
    receipt = o.send(NODES[2], "fulfill", rid, output, certificate(o.address, rid, output, signers, answer=b""))
    [fulfilled] = o.logs_in(receipt, "Fulfilled")
    equal(fulfilled["outputHash"], keccak(keccak(output.encode()) + keccak(b"")), "Fulfilled.outputHash with an empty answer")
    equal(o.call("stateOf", rid), 2, "stateOf")


def test_structured_proposal_is_finalized_with_its_answer(s):
    o = s.oracle
    judge = Contract(s.chain, "GrantJudge").deploy(DEPLOYER, o.address, MODEL, 256, STORY_TIMEOUT, JUDGE_WINDOW)
    equal(judge.call("challengeWindow"), JUDGE_WINDOW, "GrantJudge.challengeWindow")
    judge.send(DEPLOYER, "fund", value=ETHER)
    rid, event = apply_for(s, judge, "Paint the lighthouse.", GRANT, RECIPIENT.address)
    equal(event["challengeWindow"], JUDGE_WINDOW, "Requested.challengeWindow")
    output, answer = decision(True, "infrastructure", "Cheap upkeep.", 6)
    signers = ascending(NODES[:2])
    receipt = o.send(NODES[2], "fulfill", rid, output, certificate(o.address, rid, output, signers, answer=answer), answer)
    [proposed] = o.logs_in(receipt, "Proposed")
    equal(proposed["outputHash"], result_hash(output, answer), "Proposed.outputHash: the result hash")
    addresses, seats = list(proposed["signers"]), list(proposed["seats"])
    equal(judge.call("decisionOf", rid)[4], False, "decided inside the window")
    o.reverts("challenge window not over", OUTSIDER, "finalize", rid, output, addresses, seats, answer)
    s.chain.advance(JUDGE_WINDOW + 1)
    _, other = decision(False, "infrastructure", "Cheap upkeep.", 6)
    o.reverts("not the proposed output", OUTSIDER, "finalize", rid, output, addresses, seats, other)
    o.reverts("not the proposed output", OUTSIDER, "finalize", rid, output, addresses, seats)
    before = s.chain.balance(RECIPIENT.address)
    receipt = o.send(OUTSIDER, "finalize", rid, output, addresses, seats, answer)
    [fulfilled] = o.logs_in(receipt, "Fulfilled")
    equal((fulfilled["outputHash"], fulfilled["callbackSucceeded"]), (result_hash(output, answer), True), "Fulfilled")
    equal(judge.call("decisionOf", rid), (True, 2, "Cheap upkeep.", 6, True), "decisionOf after finalize")
    equal(s.chain.balance(RECIPIENT.address) - before, GRANT, "the grant paid at finalize")


def test_structured_gas_figures(s):
    """A structured fulfilment's gas, steady state (every signer already credited): the oracle's
    own cost with a callback address without code, and through the GrantJudge's callback."""
    o = s.oracle
    output, answer = decision(True, "research", "x" * 120, 9)
    deadline = int(s.chain.block()["timestamp"], 16) + 3600
    gas = {}
    for count in (2, 3):
        receipt = o.send(CONSUMER, "request", "a prompt", [MODEL], 64, 0, 3, 2500, 6600, deadline,
                         STRANGER.address, 0, JUDGE_SCHEMA, value=MIN_FEE)
        rid = o.logs_in(receipt, "Requested")[0]["requestId"]
        receipt = o.send(NODES[2], "fulfill", rid, output,
                         certificate(o.address, rid, output, ascending(NODES[:count]), answer=answer), answer)
        gas[count] = int(receipt["gasUsed"], 16)
    print(f"FIGURES oracle structured fulfil gas: {gas[2]} with 2 signatures, {gas[3]} with 3 "
          f"({len(output)}-byte output and {len(answer)}-byte answer, no callback code); through the GrantJudge's "
          f"callback decoding the answer, storing the decision with a {s.structured_reason}-byte reason and paying "
          f"the grant to a new account: {s.structured_gas} (2 signatures)")


def test_deadline_and_refund(s):
    o = s.oracle
    rid, event = tell(s, "A story that comes too late.", 3 * MIN_FEE)
    o.reverts("deadline not passed", OUTSIDER, "refund", rid)
    s.chain.advance(STORY_TIMEOUT + 1)
    check(int(s.chain.block()["timestamp"], 16) > event["deadline"], "the chain's clock did not move")
    late = "Too late."
    o.reverts("past deadline", NODES[2], "fulfill", rid, late, certificate(o.address, rid, late, ascending(NODES[:2])))
    before = s.chain.balance(s.teller.address)
    receipt = o.send(OUTSIDER, "refund", rid)  # anyone may trigger it
    [refunded] = o.logs_in(receipt, "Refunded")
    equal((refunded["requestId"], refunded["consumer"].lower(), refunded["amount"]),
          (rid, s.teller.address, 3 * MIN_FEE), "Refunded")
    equal(s.chain.balance(s.teller.address) - before, 3 * MIN_FEE, "the consumer's refund")
    equal(o.call("stateOf", rid), 3, "stateOf a refunded request")
    o.reverts("not pending", OUTSIDER, "refund", rid)


def test_deregister(s):
    o, node = s.oracle, NODES[0]
    receipt = o.send(node, "deregister")
    equal(len(o.logs_in(receipt, "Deregistered")), 1, "Deregistered events")
    check(not o.call("isRegistered", node.address), "isRegistered after deregister")
    o.reverts("not registered", node, "deregister")
    o.reverts("exit delay not over", node, "withdrawDeposit")
    o.reverts("withdraw the old deposit first", node, "register", keccak(b"node 0"), value=MIN_DEPOSIT)
    # Its signatures no longer count.
    rid, _ = tell(s, "One more story.", MIN_FEE)
    out = "The end."
    o.reverts("signer not registered", NODES[2], "fulfill", rid, out,
              certificate(o.address, rid, out, ascending([NODES[0], NODES[1]])))
    s.chain.advance(EXIT_DELAY + 1)
    before = s.chain.balance(node.address)
    receipt = o.send(node, "withdrawDeposit")
    cost = int(receipt["gasUsed"], 16) * int(receipt["effectiveGasPrice"], 16)
    equal(s.chain.balance(node.address), before + MIN_DEPOSIT - cost, "the balance after withdrawDeposit")
    o.reverts("no deposit", node, "withdrawDeposit")
    o.reverts("still registered", NODES[1], "withdrawDeposit")


# ---- stake: committees drawn by lot, disputes, slashing -------------------------------------
#
# A second deployment with a small deposit unit, so that weights of several units are cheap:
# fresh accounts funded from the prefunded ones register stakes of different sizes.

UNIT = 10**15
SHORT_EXIT = 10
WINDOW = 600
FULFILL_TAG = keccak(b"rakis-oracle/1 fulfill")
DISPUTE_TAG = keccak(b"rakis-oracle/1 dispute")
STAKES = [3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1]
STAKERS = [Account.from_key(keccak(f"staker {i}".encode())) for i in range(len(STAKES))]


def lot_seats(seed, offset, weight, total, quorum):
    """The contract's lot, written again from docs/ORACLE.md: points spaced total / quorum
    apart along the line of registrations, the first at draw / 2**64 of a spacing (the draw the
    seed's top 64 bits); a node holds the points in [offset, offset + weight)."""
    draw = int.from_bytes(seed, "big") >> 192

    def below(position):
        scaled, shift = position * quorum * 2**64, draw * total
        return 0 if scaled <= shift else -(-(scaled - shift) // (total * 2**64))

    return below(offset + weight) - below(offset)


def lot_seed(tag, prevrandao, oracle, request_id):
    return keccak(encode(["bytes32", "uint256", "address", "uint256"], [tag, prevrandao, oracle, request_id]))


def stake_request(s, window=0, payment=MIN_FEE):
    deadline = int(s.chain.block()["timestamp"], 16) + 3600
    receipt = s.stake.send(CONSUMER, "request", "a prompt", [MODEL], 64, 700, 3, 2500, 6600, deadline,
                           STRANGER.address, window, value=payment)
    [event] = s.stake.logs_in(receipt, "Requested")
    equal(event["challengeWindow"], window, "Requested.challengeWindow")
    return event["requestId"], receipt


def committee(s, rid):
    """The stakers with seats on request `rid`, ascending, with their seats."""
    members = [(a, s.stake.call("seatsOf", rid, a.address)) for a in ascending(STAKERS)]
    return [(a, seats) for a, seats in members if seats > 0]


def test_stake_register(s):
    s.stake = Contract(s.chain, "RakisOracle").deploy(DEPLOYER, UNIT, MIN_FEE, CALLBACK_GAS, SHORT_EXIT)
    for i, (account, stake) in enumerate(zip(STAKERS, STAKES)):
        s.chain.transact(KEYS[6 + i % 4], account.address, b"", value=stake * UNIT + ETHER // 10)
        s.stake.send(account, "register", keccak(f"staker {i}".encode()), value=stake * UNIT + UNIT // 2)
        equal(s.stake.call("weightOf", account.address), stake, "a deposit's weight (whole units only)")
    equal(s.stake.call("totalWeight"), sum(STAKES), "totalWeight")


def test_stake_seats_follow_the_lot(s):
    """The seats the contract reports are the lot of docs/ORACLE.md, recomputed here from the
    block's randomness; a node registered after the request holds none."""
    o = s.stake
    total = o.call("totalWeight")
    rid, receipt = stake_request(s)
    # py-evm runs a block's transactions with prevrandao 0 (the mix hash is set when the block
    # is sealed), so the seed here is the request's alone; on a live chain it is the beacon's.
    seed = lot_seed(FULFILL_TAG, 0, o.address, rid)
    equal(o.call("seedOf", rid), seed, "the committee's seed")
    seats, offset = 0, 0
    for account, stake in zip(STAKERS, STAKES):
        expected = lot_seats(seed, offset, stake, total, 3)
        equal(o.call("lineOffsetOf", account.address), offset, "a registration's place on the line")
        equal(o.call("seatsOf", rid, account.address), expected, f"the seats of a stake of {stake}")
        seats, offset = seats + expected, offset + stake
    equal(seats, 3, "the seats drawn for a quorum of 3 when every registration counts")
    late = Account.from_key(keccak(b"a latecomer"))
    s.chain.transact(KEYS[9], late.address, b"", value=100 * UNIT + ETHER // 10)
    o.send(late, "register", keccak(b"latecomer"), value=100 * UNIT)
    equal(o.call("seatsOf", rid, late.address), 0, "the seats of a node registered after the request")
    o.send(late, "deregister")
    equal(o.call("totalWeight"), sum(STAKES), "totalWeight after the latecomer left")


def test_stake_only_the_committee_fulfils(s):
    """Registered nodes off the committee cannot fulfil, with any output; members whose seats
    fall short of the threshold cannot either; the committee can, and is paid by seats."""
    o = s.stake
    for _ in range(40):
        rid, _ = stake_request(s, payment=10**16 + 7)
        members = committee(s, rid)
        outsiders = [a for a in ascending(STAKERS) if all(a != m for m, _ in members)]
        if sum(seats for _, seats in members) >= 2 and len(outsiders) >= 2 and any(seats == 1 for _, seats in members):
            break
    else:
        raise Failure("no request in 40 had a committee of 2 or more seats and 2 outsiders")
    out = "An answer nobody computed."
    submitter = outsiders[0]
    o.reverts("signer not on the committee", submitter, "fulfill", rid, out,
              certificate(o.address, rid, out, ascending(outsiders[:2])))
    o.reverts("signer not on the committee", submitter, "fulfill", rid, out,
              certificate(o.address, rid, out, ascending([members[0][0], outsiders[0]])))
    single = next(a for a, seats in members if seats == 1)
    o.reverts("too few seats", submitter, "fulfill", rid, out, certificate(o.address, rid, out, [single]))
    # The whole committee: paid by seats, at a third of the payment each (a quorum of 3); what
    # unsigned seats would have cost goes back to the consumer.
    story = "The committee's answer."
    before = {a.address: o.call("earnings", a.address) for a in STAKERS}
    consumer_before = s.chain.balance(CONSUMER.address)
    receipt = o.send(submitter, "fulfill", rid, story, certificate(o.address, rid, story, [a for a, _ in members]))
    equal(o.logs_in(receipt, "Fulfilled")[0]["signers"], len(members), "Fulfilled.signers")
    paid_seats = max(3, sum(seats for _, seats in members))
    payment = 10**16 + 7
    for a, seats in members:
        equal(o.call("earnings", a.address) - before[a.address], payment * seats // paid_seats, "a member's share by seats")
    signed = sum(seats for _, seats in members)
    given = sum(payment * seats // paid_seats for _, seats in members)
    unsigned = payment * (paid_seats - signed) // paid_seats
    equal(s.chain.balance(CONSUMER.address) - consumer_before, unsigned, "the unsigned seats' price, returned")
    equal(o.call("earnings", submitter.address) - before[submitter.address], payment - given - unsigned, "the submitter's remainder")


def proposal(s, output):
    """A request with a challenge window whose committee (whatever it is) signs `output`."""
    o = s.stake
    for _ in range(40):
        rid, _ = stake_request(s, window=WINDOW, payment=10**16)
        members = committee(s, rid)
        if sum(seats for _, seats in members) >= 2:
            break
    else:
        raise Failure("no request in 40 drew a committee of 2 or more seats")
    signers = [a for a, _ in members]
    receipt = o.send(signers[0], "fulfill", rid, output, certificate(o.address, rid, output, signers))
    [event] = o.logs_in(receipt, "Proposed")
    equal([a.lower() for a in event["signers"]], [a.address.lower() for a in signers], "Proposed.signers")
    equal(list(event["seats"]), [seats for _, seats in members], "Proposed.seats")
    equal(o.call("stateOf", rid), 4, "stateOf a proposal")
    return rid, [a.address for a in signers], list(event["seats"]), signers


def dispute_digest(oracle, request_id, output, upheld):
    return keccak(encode(["bytes32", "uint256", "address", "uint256", "bytes32", "bool"],
                         [DISPUTE_TAG, CHAIN_ID, oracle, request_id, keccak(output.encode()), upheld]))


def verdict(s, rid, output, upheld):
    """The votes of every staker on the dispute's committee who did not sign the proposal."""
    o = s.stake
    digest = dispute_digest(o.address, rid, output, upheld)
    voters = [(a, o.call("disputeSeatsOf", rid, a.address)) for a in ascending(STAKERS)]
    voters = [(a, seats) for a, seats in voters if seats > 0]
    return [signature(a, digest) for a, _ in voters], sum(seats for _, seats in voters)


def test_stake_a_dispute_against_a_wrong_fulfilment_slashes(s):
    o = s.stake
    wrong = "A wrong answer the committee colluded on."
    for _ in range(10):
        rid, addresses, seats, signers = proposal(s, wrong)
        o.reverts("challenge window not over", OUTSIDER, "finalize", rid, wrong, addresses, seats)
        o.reverts("bond below minimum", OUTSIDER, "dispute", rid, addresses, seats, value=UNIT - 1)
        o.send(OUTSIDER, "dispute", rid, addresses, seats, value=UNIT)
        equal(o.call("stateOf", rid), 5, "stateOf a disputed proposal")
        votes, held = verdict(s, rid, wrong, False)
        if held >= o.call("disputeThresholdOf", rid):
            break
        # The second committee is too thin to decide: the dispute expires, the consumer is refunded.
        o.reverts("dispute deadline not passed", OUTSIDER, "expireDispute", rid, addresses, seats)
        s.chain.advance(WINDOW + 1)
        o.send(OUTSIDER, "expireDispute", rid, addresses, seats)
        equal(o.call("stateOf", rid), 3, "stateOf after an expired dispute")
    else:
        raise Failure("no dispute in 10 drew a second committee that could decide")
    # A deposit under dispute stays, even after its exit delay.
    leaver = signers[0]
    o.send(leaver, "deregister")
    s.chain.advance(SHORT_EXIT + 1)
    o.reverts("deposit under dispute", leaver, "withdrawDeposit")
    o.reverts("voter signed the proposal", OUTSIDER, "resolve", rid, False,
              [signature(signers[0], dispute_digest(o.address, rid, wrong, False))], addresses, seats)
    deposits = [o.call("depositOf", a) for a in addresses]
    before, burned = o.call("earnings", OUTSIDER.address), o.call("burned")
    receipt = o.send(OUTSIDER, "resolve", rid, False, votes, addresses, seats)
    [resolved] = o.logs_in(receipt, "Resolved")
    equal(resolved["upheld"], False, "Resolved.upheld")
    equal(len(o.logs_in(receipt, "Slashed")), len(addresses), "Slashed events")
    for a in addresses:
        equal(o.call("depositOf", a), 0, "a slashed signer's deposit")
        check(not o.call("isRegistered", a), "a slashed signer is still registered")
    rewards = sum(d // 2 for d in deposits)
    equal(o.call("earnings", OUTSIDER.address) - before, rewards + UNIT, "the disputer's reward and bond")
    equal(o.call("burned") - burned, sum(deposits) - rewards, "the burned part")
    equal(o.call("stateOf", rid), 1, "stateOf a request whose proposal was rejected")
    equal(o.call("totalWeight"), sum(w for a, w in zip(STAKERS, STAKES) if o.call("isRegistered", a.address)),
          "totalWeight after slashing")


def test_stake_members_vote_from_their_own_addresses(s):
    """A dispute decided by `vote`: each member of the second committee sends its own vote; the
    one that gives a side a majority of the committee's seats decides it (here: rejected)."""
    o = s.stake
    wrong = "Another wrong answer."
    for _ in range(10):
        rid, addresses, seats, signers = proposal(s, wrong)
        o.send(OUTSIDER, "dispute", rid, addresses, seats, value=UNIT)
        voters = [(a, o.call("disputeSeatsOf", rid, a.address)) for a in ascending(STAKERS)]
        voters = [(a, n) for a, n in voters if n > 0 and o.call("isRegistered", a.address)]
        if sum(n for _, n in voters) >= o.call("disputeThresholdOf", rid):
            break
        s.chain.advance(WINDOW + 1)
        o.send(OUTSIDER, "expireDispute", rid, addresses, seats)
    else:
        raise Failure("no dispute in 10 drew a second committee that could decide")
    o.reverts("voter signed the proposal", signers[0], "vote", rid, False, addresses, seats)
    o.reverts("voter not on the committee", OUTSIDER, "vote", rid, False, addresses, seats)
    threshold, tally = o.call("disputeThresholdOf", rid), 0
    for account, held in voters:
        receipt = o.send(account, "vote", rid, False, addresses, seats)
        [voted] = o.logs_in(receipt, "Voted")
        equal((voted["upheld"], voted["seats"]), (False, held), "Voted")
        tally += held
        if tally >= threshold:
            equal(len(o.logs_in(receipt, "Resolved")), 1, "the deciding vote resolves the dispute")
            break
        o.reverts("already voted", account, "vote", rid, False, addresses, seats)
        equal(o.call("stateOf", rid), 5, "stateOf before a majority voted")
    equal(o.call("stateOf", rid), 1, "stateOf a request whose proposal was voted down")
    for a in addresses:
        equal(o.call("depositOf", a), 0, "a slashed signer's deposit")


def test_stake_a_dispute_against_a_right_fulfilment_loses_its_bond(s):
    o = s.stake
    right = "The right answer."
    for _ in range(10):
        rid, addresses, seats, _ = proposal(s, right)
        o.send(OUTSIDER, "dispute", rid, addresses, seats, value=UNIT)
        votes, held = verdict(s, rid, right, True)
        if held >= o.call("disputeThresholdOf", rid):
            break
        s.chain.advance(WINDOW + 1)
        o.send(OUTSIDER, "expireDispute", rid, addresses, seats)
    else:
        raise Failure("no dispute in 10 drew a second committee that could decide")
    before = {a: o.call("earnings", a) for a in addresses}
    o.reverts("too few votes", OUTSIDER, "resolve", rid, True, votes[:1], addresses, seats) \
        if len(votes) > 1 and o.call("disputeThresholdOf", rid) > 1 else None
    o.send(OUTSIDER, "resolve", rid, True, votes, addresses, seats)
    total = sum(seats)
    for a, held in zip(addresses, seats):
        check(o.call("earnings", a) - before[a] >= UNIT * held // total, "a signer's part of the lost bond")
    equal(o.call("stateOf", rid), 4, "stateOf an upheld proposal")
    o.reverts("challenge window over", OUTSIDER, "dispute", rid, addresses, seats, value=UNIT)
    o.reverts("not the proposed output", OUTSIDER, "finalize", rid, "another answer", addresses, seats)
    o.send(OUTSIDER, "finalize", rid, right, addresses, seats)
    equal(o.call("stateOf", rid), 2, "stateOf a finalized proposal")


def test_stake_an_unchallenged_proposal_is_finalized_after_its_window(s):
    o = s.stake
    rid, addresses, seats, _ = proposal(s, "Nobody objects.")
    o.reverts("not the proposal's signers", OUTSIDER, "dispute", rid, addresses, [0] * len(seats), value=UNIT)
    s.chain.advance(WINDOW + 1)
    o.reverts("challenge window over", OUTSIDER, "dispute", rid, addresses, seats, value=UNIT)
    o.reverts("not the proposal's signers", OUTSIDER, "finalize", rid, "Nobody objects.", addresses, [0] * len(seats))
    o.reverts("answer for a free-text request", OUTSIDER, "finalize", rid, "Nobody objects.", addresses, seats, b"\x01")
    receipt = o.send(OUTSIDER, "finalize", rid, "Nobody objects.", addresses, seats)
    equal(o.logs_in(receipt, "Fulfilled")[0]["signers"], len(addresses), "Fulfilled.signers")


def test_stake_conflicting_signatures_slash(s):
    o = s.stake
    cheat = next(a for a in STAKERS if o.call("isRegistered", a.address))
    rid, _ = stake_request(s)
    h = commitment_set_hash("quorum")
    one = (keccak(b"one answer"), h, signature(cheat, fulfilment_digest(o.address, rid, "one answer", h)))
    two = (keccak(b"another answer"), h, signature(cheat, fulfilment_digest(o.address, rid, "another answer", h)))
    o.reverts("the same output", OUTSIDER, "slashEquivocation", rid, one, one)
    other = next(a for a in STAKERS if a != cheat)
    three = (keccak(b"another answer"), h, signature(other, fulfilment_digest(o.address, rid, "another answer", h)))
    o.reverts("different signers", OUTSIDER, "slashEquivocation", rid, one, three)
    deposit, before = o.call("depositOf", cheat.address), o.call("earnings", OUTSIDER.address)
    receipt = o.send(OUTSIDER, "slashEquivocation", rid, one, two)
    [slashed] = o.logs_in(receipt, "Slashed")
    equal((slashed["node"].lower(), slashed["amount"]), (cheat.address.lower(), deposit), "Slashed")
    equal(o.call("depositOf", cheat.address), 0, "the equivocator's deposit")
    equal(o.call("earnings", OUTSIDER.address) - before, deposit // 2, "the reporter's reward")
    o.reverts("nothing to slash", OUTSIDER, "slashEquivocation", rid, one, two)


def test_stake_two_answers_to_one_output_slash(s):
    """For a structured request the signed hash is the result's: one output with two different
    answers is two results, and a key that signs both is slashed like any equivocation."""
    o = s.stake
    cheat = next(a for a in STAKERS if o.call("isRegistered", a.address))
    deadline = int(s.chain.block()["timestamp"], 16) + 3600
    receipt = o.send(CONSUMER, "request", "Judge this.", [MODEL], 64, 0, 3, 2500, 6600, deadline,
                     STRANGER.address, 0, JUDGE_SCHEMA, value=MIN_FEE)
    rid = o.logs_in(receipt, "Requested")[0]["requestId"]
    output, answer = decision(True, "research", "Good.", 9)
    _, other = decision(False, "research", "Good.", 9)
    h = commitment_set_hash("quorum")
    one = (result_hash(output, answer), h, signature(cheat, fulfilment_digest(o.address, rid, output, h, answer=answer)))
    two = (result_hash(output, other), h, signature(cheat, fulfilment_digest(o.address, rid, output, h, answer=other)))
    o.reverts("the same output", OUTSIDER, "slashEquivocation", rid, one, one)
    deposit, before = o.call("depositOf", cheat.address), o.call("earnings", OUTSIDER.address)
    receipt = o.send(OUTSIDER, "slashEquivocation", rid, one, two)
    [slashed] = o.logs_in(receipt, "Slashed")
    equal((slashed["node"].lower(), slashed["amount"]), (cheat.address.lower(), deposit), "Slashed")
    equal(o.call("earnings", OUTSIDER.address) - before, deposit // 2, "the reporter's reward")
    check(not o.call("isRegistered", cheat.address), "the equivocator is still registered")


def test_splitting_buys_nothing(s):
    """One operator's stake of 20 units among others of 84 (104 in all), registered as one
    identity and as 20 spread over the line of registrations: over 1,000 simulated requests
    drawn by the contract's lot (checked against `seatsOf` above), its expected seats and payment
    agree within 2%. The requests' draws are spread evenly over [0, 1) (stratified, so that
    1,000 of them estimate the expectation to about 0.1% rather than 3%); every committee
    member signs, and a fulfilment pays a fixed price per seat, as the contract does."""
    import random
    rng = random.Random(16)
    others = [5, 8, 3, 12, 7, 20, 9, 4, 6, 10]
    requests, payment, quorum, threshold = 1000, 10**18, 3, 2

    def line(operator):
        """(weight, is the operator's) in registration order: the operator's identities at
        random places among the others."""
        entries = [(w, False) for w in others]
        for w in operator:
            entries.insert(rng.randrange(len(entries) + 1), (w, True))
        return entries

    def run(entries):
        total = sum(w for w, _ in entries)
        seats_won = paid = 0
        shift = rng.random()
        for i in range(requests):
            draw = int((i + shift) / requests * 2**64)
            seed = draw.to_bytes(8, "big") + bytes(24)
            offset, seats = 0, []
            for w, mine in entries:
                seats.append((lot_seats(seed, offset, w, total, quorum), mine))
                offset += w
            held = sum(n for n, _ in seats)
            if held < threshold:
                continue
            seats_won += sum(n for n, mine in seats if mine)
            paid += sum(payment * n // max(quorum, held) for n, mine in seats if mine)
        return seats_won / requests, paid / requests

    one = run(line([20]))
    twenty = run(line([1] * 20))
    seat_ratio, pay_ratio = twenty[0] / one[0], twenty[1] / one[1]
    print(f"FIGURES oracle splitting: 20 units of 104 as one identity: {one[0]:.4f} seats and {one[1] / payment:.4f} "
          f"of the payment per request; as 20 identities: {twenty[0]:.4f} seats, {twenty[1] / payment:.4f} "
          f"(ratios {seat_ratio:.4f} and {pay_ratio:.4f}; {requests} requests; a fair share is {20 * quorum / 104:.4f} seats)")
    check(abs(seat_ratio - 1) <= 0.02 and abs(pay_ratio - 1) <= 0.02,
          f"splitting changes the expected seats or payment by more than 2% ({seat_ratio:.4f}, {pay_ratio:.4f})")

def test_solidity_interface(s):
    """contracts/IRakisOracle.sol and contracts/IGrantJudge.sol, written by hand, declare every
    function and event of the compiled oracle and GrantJudge with the same canonical signature
    (hence the same selectors and topics), and the consumer interfaces are what the examples
    implement and what the oracle calls."""
    import re
    source = ""
    for name in ("IRakisOracle.sol", "IGrantJudge.sol"):
        source += re.sub(r"//[^\n]*", "", open(os.path.join(ROOT, "contracts", name)).read()) + "\n"
    structs = {name: body for name, body in re.findall(r"struct (\w+) \{([^}]*)\}", source)}
    # Each interface's body (they close with a "}" at the start of a line) and its parents.
    interfaces = {name: (parents, body) for name, parents, body in
                  re.findall(r"^interface (\w+)(?: is ([\w, ]+))? \{(.*?)^\}", source, re.M | re.S)}
    equal(sorted(interfaces), ["IGrantJudge", "IRakisConsumer", "IRakisOracle", "IRakisStructuredConsumer"],
          "the Solidity interfaces")

    def canonical(kind):
        kind = kind.strip()
        array = kind.endswith("[]")
        base = kind[:-2] if array else kind
        if base in structs:
            fields = [f.split()[0] for f in structs[base].split(";") if f.strip()]
            base = "(" + ",".join(canonical(f) for f in fields) + ")"
        return base + ("[]" if array else "")

    def signature(name, params):
        kinds = [p.split()[0] for p in params.split(",") if p.strip()]
        return f"{name}({','.join(canonical(k) for k in kinds)})"

    def declared(interface):
        parents, body = interfaces[interface]
        out = {signature(n, p) for n, p in re.findall(r"(?:function|event) (\w+)\(([^)]*)\)", body)}
        for parent in filter(None, (p.strip() for p in (parents or "").split(","))):
            out |= declared(parent)
        return out

    def compiled(contract):
        return {f"{e['name']}({','.join(abi_type(i) for i in e['inputs'])})" for e in contract.abi
                if e["type"] in ("function", "event")}

    for interface, contract in (("IRakisOracle", s.oracle), ("IGrantJudge", s.judge)):
        equal(sorted(compiled(contract) - declared(interface)), [], f"compiled but not declared in {interface}")
        equal(sorted(declared(interface) - compiled(contract)), [], f"declared in {interface} but not compiled")
    equal(declared("IRakisConsumer"), {"rakisCallback(uint256,string)"}, "IRakisConsumer")
    check(declared("IRakisConsumer") <= compiled(s.teller), "the StoryTeller implements IRakisConsumer")
    equal(declared("IRakisStructuredConsumer"), {"rakisStructuredCallback(uint256,string,bytes)"}, "IRakisStructuredConsumer")
    # The selectors the oracle calls back with are in its code.
    code = s.chain.rpc("eth_getCode", s.oracle.address, "latest")
    for callback in declared("IRakisConsumer") | declared("IRakisStructuredConsumer"):
        check(keccak(text=callback)[:4].hex() in code, f"the oracle does not call {callback}")


TESTS = [test_chain_server, test_deploy, test_solidity_interface, test_register, test_request, test_fulfil_refusals, test_fulfil,
         test_withdraw, test_gas_figures, test_failing_callback,
         test_structured_request, test_structured_fulfil_approves_and_pays, test_structured_fulfil_rejects_without_paying,
         test_structured_approval_the_pot_cannot_pay, test_structured_request_without_a_flat_schema,
         test_structured_proposal_is_finalized_with_its_answer, test_structured_gas_figures,
         test_deadline_and_refund, test_deregister,
         test_stake_register, test_stake_seats_follow_the_lot, test_stake_only_the_committee_fulfils,
         test_stake_a_dispute_against_a_wrong_fulfilment_slashes, test_stake_members_vote_from_their_own_addresses,
         test_stake_a_dispute_against_a_right_fulfilment_loses_its_bond,
         test_stake_an_unchallenged_proposal_is_finalized_after_its_window, test_stake_conflicting_signatures_slash,
         test_stake_two_answers_to_one_output_slash,
         test_splitting_buys_nothing]


def main():
    if not os.path.isdir(ARTIFACTS):
        subprocess.run([os.path.join(ROOT, "scripts", "contracts.sh")], check=True)
    chain = Chain()
    passed = failed = 0
    started = time.monotonic()
    try:
        scenario = Scenario(chain)
        for test in TESTS:
            try:
                test(scenario)
                passed += 1
                print(f"ok: {test.__name__}", flush=True)
            except Exception as error:
                failed += 1
                print(f"FAIL: {test.__name__}: {error}", flush=True)
                if not isinstance(error, Failure):
                    traceback.print_exc()
                break  # the tests build on each other: the rest would fail for the same reason
    finally:
        chain.stop()
    skipped = len(TESTS) - passed - failed
    print(f"contract tests took {time.monotonic() - started:.1f} s")
    print(f"contracts: {passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
    sys.exit(1 if failed or skipped else 0)


if __name__ == "__main__":
    main()
