#!/usr/bin/env python3
"""A local Ethereum JSON-RPC server for tests: an in-memory py-evm chain (through eth-tester)
behind HTTP POST JSON-RPC 2.0.

  chain_server.py --host 127.0.0.1 --port 0 --chain-id 1337 --block-time 1

Every transaction is mined at once in a block of its own. With --block-time N > 0 an empty
block is also mined every N seconds, so that confirmation depths advance on their own; 0 mines
only on transactions and evm_mine. Ten accounts hold 1,000,000 ether each and are unlocked for
eth_sendTransaction; their private keys are 1, 2, ..., 10 (32-byte big-endian), which tests may
use to sign raw transactions.

Test controls: evm_mine [timestamp], evm_snapshot -> id, evm_revert id (a reorganisation: the
blocks after the snapshot are dropped, and new blocks at the same heights get other hashes; the
snapshot and every later one are used up), evm_increaseTime seconds -> total offset (the
wall-clock offset of later blocks; the next block is also at least that many seconds after the
latest), evm_setNextBlockTimestamp timestamp.

Prints `listening on HOST:PORT` (the bound port, also for --port 0) once it answers.
"""

import argparse
import http.server
import json
import logging
import signal
import sys
import threading
import time

from eth_bloom import BloomFilter
from eth_tester import EthereumTester, PyEVMBackend
from eth_tester.exceptions import (
    BlockNotFound,
    SnapshotNotFound,
    TransactionFailed,
    TransactionNotFound,
    ValidationError,
)
from eth_utils import ValidationError as EVMValidationError
from eth.vm.spoof import SpoofTransaction
from eth_utils import to_checksum_address

log = logging.getLogger("chain")

PRIORITY_FEE = 10**9  # what eth_maxPriorityFeePerGas suggests: 1 gwei
ZERO_ADDRESS = "0x" + "00" * 20


class RPCError(Exception):
    def __init__(self, code, message, data=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data


def invalid_params(message):
    return RPCError(-32602, message)


# ---- JSON-RPC values <-> eth-tester values -------------------------------------------------

def quantity(value):
    """A JSON-RPC quantity (hex string, or a plain number from lenient clients) as an int."""
    if isinstance(value, bool):
        raise invalid_params(f"expected a quantity, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.startswith(("0x", "0X")) and len(value) > 2:
        try:
            return int(value, 16)
        except ValueError:
            pass
    raise invalid_params(f"expected a hex quantity, got {value!r}")


def data_hex(value, length=None):
    if not isinstance(value, str) or not value.startswith(("0x", "0X")):
        raise invalid_params(f"expected hex data, got {value!r}")
    try:
        raw = bytes.fromhex(value[2:])
    except ValueError:
        raise invalid_params(f"expected hex data, got {value!r}") from None
    if length is not None and len(raw) != length:
        raise invalid_params(f"expected {length} bytes, got {value!r}")
    return "0x" + raw.hex()


def address(value):
    return to_checksum_address(data_hex(value, 20))


def camel(key):
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def to_json(value, key=None):
    """eth-tester's output (snake_case keys, ints, bytes) as JSON-RPC (camelCase, hex)."""
    if isinstance(value, dict):
        return {camel(k): to_json(v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        if key == "logs_bloom":
            return "0x" + value.to_bytes(256, "big").hex()
        return hex(value)
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    if isinstance(value, str) and value.startswith("0x"):
        return value.lower()
    return value


def transaction_json(tx):
    out = to_json({k: v for k, v in tx.items() if k != "data"})
    out["input"] = to_json(tx.get("data", "0x"))
    return out


def log_json(entry):
    out = to_json({k: v for k, v in entry.items() if k != "type"})
    out["removed"] = False
    return out


# ---- the chain ------------------------------------------------------------------------------

class Chain:
    """The tester and everything around it. Every method runs under `lock`: eth-tester and
    py-evm are not thread-safe, and the interval miner runs in a thread of its own."""

    def __init__(self, chain_id):
        self.lock = threading.RLock()
        self.backend = PyEVMBackend()
        # The tester's chain class carries the id (the CHAINID opcode and transaction signing
        # read it); set on the class so that a chain rebuilt by a revert to genesis keeps it.
        type(self.backend.chain).chain_id = chain_id
        self.chain_id = chain_id
        self.tester = EthereumTester(backend=self.backend)
        self.time_offset = 0          # evm_increaseTime, added to the wall clock
        self.next_timestamp = None    # evm_setNextBlockTimestamp / evm_mine's argument
        self.time_floor = 0           # the least timestamp of the next block (evm_increaseTime)
        self.snapshots = {}           # our id -> eth-tester's snapshot id
        self.snapshot_counter = 0
        self.accounts = self.tester.get_accounts()
        # The genesis block took the wall clock as it was; the first block follows from now.
        self.prepare_pending()

    # -- blocks and time

    def prepare_pending(self):
        """Stamps the block being built with the time it will be mined at: transactions see
        that as block.timestamp. Strictly after its parent, as consensus requires."""
        chain = self.backend.chain
        parent = chain.get_canonical_head()
        if self.next_timestamp is not None:
            stamp = self.next_timestamp
        else:
            stamp = int(time.time()) + self.time_offset
        stamp = max(stamp, self.time_floor, parent.timestamp + 1)
        if chain.header.timestamp != stamp:
            chain.set_header_timestamp(stamp)

    def mined(self):
        self.next_timestamp = None

    def mine(self, count=1):
        for _ in range(count):
            self.prepare_pending()
            self.tester.mine_blocks(1)
            self.mined()

    def block_number(self, tag):
        """A block tag as eth-tester takes it: a number, or latest/earliest/pending."""
        if tag is None:
            return "latest"
        if tag in ("latest", "earliest", "pending"):
            return tag
        if tag in ("safe", "finalized"):
            return "latest"
        if isinstance(tag, dict):
            if "blockNumber" in tag:
                return quantity(tag["blockNumber"])
            if "blockHash" in tag:
                return self.tester.get_block_by_hash(data_hex(tag["blockHash"], 32))["number"]
            raise invalid_params(f"bad block parameter {tag!r}")
        number = quantity(tag)
        if number > self.head_number():
            raise RPCError(-32000, "header not found")
        return number

    def head_number(self):
        return self.tester.get_block_by_number("latest")["number"]

    def resolved_number(self, tag):
        number = self.block_number(tag)
        if isinstance(number, int):
            return number
        if number == "earliest":
            return 0
        return self.head_number()

    # -- transactions

    def tx_params(self, obj, default_from=True):
        """A JSON-RPC transaction object as eth-tester's inbound dict."""
        if not isinstance(obj, dict):
            raise invalid_params("expected a transaction object")
        tx = {}
        sender = obj.get("from")
        if sender is not None:
            tx["from"] = address(sender)
        elif default_from:
            tx["from"] = ZERO_ADDRESS
        if obj.get("to") is not None:
            tx["to"] = address(obj["to"])
        data = obj.get("input", obj.get("data"))
        if data is not None:
            tx["data"] = data_hex(data)
        for src, dst in (("gas", "gas"), ("value", "value"), ("nonce", "nonce"),
                         ("gasPrice", "gas_price"), ("maxFeePerGas", "max_fee_per_gas"),
                         ("maxPriorityFeePerGas", "max_priority_fee_per_gas")):
            if obj.get(src) is not None:
                tx[dst] = quantity(obj[src])
        if obj.get("accessList") is not None:
            tx["access_list"] = tuple(
                {"address": address(item["address"]),
                 "storage_keys": tuple(data_hex(k, 32) for k in item.get("storageKeys", []))}
                for item in obj["accessList"]
            )
        return tx

    def run(self, tx, tag, gas):
        """Runs `tx` with `gas` against the state after block `tag` and throws the result away.
        Like geth's eth_call, the sender need not afford the gas: the throwaway state lends it
        the gas money (not the value it sends)."""
        backend = self.backend
        number = self.block_number(tag)
        if number == "pending":
            number = "latest"
        block = backend.chain.get_canonical_block_by_number(
            self.head_number() if number == "latest" else 0 if number == "earliest" else number)
        tx = dict(tx, gas=gas)
        if not any(k in tx for k in ("gas_price", "max_fee_per_gas", "max_priority_fee_per_gas")):
            # No price given: the block's base fee and no tip, so any gas price is accepted.
            tx.update(max_fee_per_gas=block.header.base_fee_per_gas, max_priority_fee_per_gas=0)
        raw = self.tester.normalizer.normalize_inbound_transaction(tx)
        unsigned = backend._get_normalized_and_unsigned_evm_transaction(raw, number)
        state = backend.chain.get_vm(at_header=block.header).state
        snapshot = state.snapshot()
        try:
            sender = raw["from"]
            fee = getattr(unsigned, "max_fee_per_gas", None) or unsigned.gas_price
            state.delta_balance(sender, gas * fee)
            return state.apply_transaction(SpoofTransaction(unsigned, from_=sender))
        finally:
            state.revert(snapshot)

    def execute(self, tx, tag):
        """A call; a failure is an RPCError with the revert reason and data, as geth reports it
        (code 3)."""
        computation = self.run(tx, tag, tx.get("gas") or self.gas_cap())
        if computation.is_error:
            raise_failure(computation)
        return computation

    def estimate(self, tx, tag):
        """The least gas with which `tx` succeeds (a binary search, as geth does)."""
        cap = tx.get("gas") or self.gas_cap()
        computation = self.run(tx, tag, cap)
        if computation.is_error:
            raise_failure(computation)
        low, high = 21000 - 1, cap  # low fails (or is below the intrinsic cost), high succeeds
        while high - low > 1:
            middle = (low + high) // 2
            try:
                ok = not self.run(tx, tag, middle).is_error
            except Exception:  # below the intrinsic gas: py-evm refuses the transaction
                ok = False
            if ok:
                high = middle
            else:
                low = middle
        return high

    def gas_cap(self):
        return self.backend.chain.header.gas_limit

    def fill_fees(self, tx):
        if not any(k in tx for k in ("gas_price", "max_fee_per_gas", "max_priority_fee_per_gas")):
            tx["max_priority_fee_per_gas"] = PRIORITY_FEE
        if "max_priority_fee_per_gas" in tx and "max_fee_per_gas" not in tx:
            tx["max_fee_per_gas"] = 2 * self.base_fee() + tx["max_priority_fee_per_gas"]

    def base_fee(self):
        """The base fee of the block being built."""
        return self.backend.chain.header.base_fee_per_gas


def raise_failure(computation):
    error = computation.error
    if type(error).__name__ == "Revert":
        data = bytes(computation.output)
        reason = revert_reason(data)
        message = "execution reverted" + (f": {reason}" if reason else "")
        raise RPCError(3, message, "0x" + data.hex())
    raise RPCError(-32000, str(error) or type(error).__name__)


def revert_reason(data):
    """The message of a revert with Error(string), as assert messages produce."""
    if data[:4] != bytes.fromhex("08c379a0") or len(data) < 68:
        return None
    try:
        length = int.from_bytes(data[36:68], "big")
        return data[68:68 + length].decode("utf-8", "replace")
    except Exception:
        return None


# ---- methods --------------------------------------------------------------------------------

class Methods:
    def __init__(self, chain):
        self.chain = chain
        self.tester = chain.tester

    def dispatch(self, method, params):
        handler = getattr(self, "rpc_" + method, None) if isinstance(method, str) else None
        if handler is None:
            raise RPCError(-32601, f"the method {method} does not exist/is not available")
        if params is None:
            params = []
        if isinstance(params, dict):
            params = [params]
        if not isinstance(params, list):
            raise invalid_params("params must be an array")
        with self.chain.lock:
            try:
                return handler(*params)
            except TypeError as error:
                if "positional argument" in str(error):
                    raise invalid_params(f"wrong number of parameters for {method}") from None
                raise

    # -- node info

    def rpc_web3_clientVersion(self):
        return "rakis-test-chain/1 (py-evm via eth-tester)"

    def rpc_net_version(self):
        return str(self.chain.chain_id)

    def rpc_net_listening(self):
        return True

    def rpc_eth_chainId(self):
        return hex(self.chain.chain_id)

    def rpc_eth_syncing(self):
        return False

    def rpc_eth_accounts(self):
        return [a.lower() for a in self.chain.accounts]

    def rpc_eth_coinbase(self):
        return ZERO_ADDRESS

    # -- blocks

    def rpc_eth_blockNumber(self):
        return hex(self.chain.head_number())

    def _block(self, getter, key, full):
        try:
            block = getter(key, bool(full))
        except BlockNotFound:
            return None
        out = to_json({k: v for k, v in block.items() if k != "transactions"})
        if full:
            out["transactions"] = [transaction_json(tx) for tx in block["transactions"]]
        else:
            out["transactions"] = to_json(block["transactions"])
        return out

    def rpc_eth_getBlockByNumber(self, tag, full=False):
        try:
            number = self.chain.block_number(tag)
        except RPCError:
            return None
        return self._block(self.tester.get_block_by_number, number, full)

    def rpc_eth_getBlockByHash(self, block_hash, full=False):
        return self._block(self.tester.get_block_by_hash, data_hex(block_hash, 32), full)

    def rpc_eth_getBlockTransactionCountByNumber(self, tag):
        block = self.rpc_eth_getBlockByNumber(tag)
        return None if block is None else hex(len(block["transactions"]))

    # -- accounts and state

    def rpc_eth_getBalance(self, who, tag="latest"):
        return hex(self.tester.get_balance(address(who), self.chain.block_number(tag)))

    def rpc_eth_getTransactionCount(self, who, tag="latest"):
        return hex(self.tester.get_nonce(address(who), self.chain.block_number(tag)))

    def rpc_eth_getCode(self, who, tag="latest"):
        return to_json(self.tester.get_code(address(who), self.chain.block_number(tag)))

    def rpc_eth_getStorageAt(self, who, slot, tag="latest"):
        value = self.tester.get_storage_at(address(who), hex(quantity(slot)), self.chain.block_number(tag))
        return to_json(value)

    # -- fees

    def rpc_eth_gasPrice(self):
        return hex(self.chain.base_fee() + PRIORITY_FEE)

    def rpc_eth_maxPriorityFeePerGas(self):
        return hex(PRIORITY_FEE)

    def rpc_eth_feeHistory(self, count, newest="latest", percentiles=None):
        history = self.tester.get_fee_history(
            quantity(count), self.chain.block_number(newest), list(percentiles or []))
        return to_json(history)

    # -- calls and transactions

    def rpc_eth_call(self, obj, tag="latest", *_overrides):
        tx = self.chain.tx_params(obj)
        return to_json(bytes(self.chain.execute(tx, tag).output))

    def rpc_eth_estimateGas(self, obj, tag="latest", *_overrides):
        return hex(self.chain.estimate(self.chain.tx_params(obj), tag))

    def rpc_eth_sendRawTransaction(self, raw):
        raw = data_hex(raw)
        decoded = self.chain.backend.chain.get_transaction_builder().decode(bytes.fromhex(raw[2:]))
        chain_id = getattr(decoded, "chain_id", None)
        # Legacy transactions before EIP-155 carry no chain id; everything else must match.
        if chain_id is not None and chain_id != self.chain.chain_id:
            raise RPCError(-32000, f"invalid chain id {chain_id} (this chain is {self.chain.chain_id})")
        self.chain.prepare_pending()
        tx_hash = self.tester.send_raw_transaction(raw)
        self.chain.mined()
        return tx_hash.lower()

    def rpc_eth_sendTransaction(self, obj):
        tx = self.chain.tx_params(obj, default_from=False)
        if "from" not in tx:
            raise invalid_params("from is required")
        if tx["from"] not in self.chain.accounts:
            raise RPCError(-32000, f"unknown account {tx['from']}")
        self.chain.fill_fees(tx)
        if "gas" not in tx:
            tx["gas"] = self.chain.estimate(tx, "latest")
        self.chain.prepare_pending()
        tx_hash = self.tester.send_transaction(tx)
        self.chain.mined()
        return tx_hash.lower()

    def rpc_eth_getTransactionByHash(self, tx_hash):
        try:
            return transaction_json(self.tester.get_transaction_by_hash(data_hex(tx_hash, 32)))
        except TransactionNotFound:
            return None

    def rpc_eth_getTransactionReceipt(self, tx_hash):
        try:
            receipt = self.tester.get_transaction_receipt(data_hex(tx_hash, 32))
        except TransactionNotFound:
            return None
        if receipt.get("block_number") is None:
            return None
        bloom = BloomFilter()
        for entry in receipt["logs"]:
            bloom.add(bytes.fromhex(entry["address"][2:]))
            for topic in entry["topics"]:
                bloom.add(bytes.fromhex(topic[2:]))
        out = to_json({k: v for k, v in receipt.items() if k not in ("logs", "state_root")})
        out["logs"] = [log_json(entry) for entry in receipt["logs"]]
        out["logsBloom"] = "0x" + int(bloom).to_bytes(256, "big").hex()
        return out

    # -- logs

    def rpc_eth_getLogs(self, criteria):
        if not isinstance(criteria, dict):
            raise invalid_params("expected a filter object")
        if criteria.get("blockHash") is not None:
            block = self.tester.get_block_by_hash(data_hex(criteria["blockHash"], 32))
            first = last = block["number"]
        else:
            first = self.chain.resolved_number(criteria.get("fromBlock", "latest"))
            last = self.chain.resolved_number(criteria.get("toBlock", "latest"))
        wanted = criteria.get("address")
        if isinstance(wanted, str):
            wanted = [wanted]
        addresses = None if not wanted else {data_hex(a, 20) for a in wanted}
        topics = []
        for position in criteria.get("topics") or []:
            if position is None:
                topics.append(None)
            elif isinstance(position, str):
                topics.append({data_hex(position, 32)})
            elif isinstance(position, list):
                # A list is an OR; a null inside it matches anything.
                topics.append(None if None in position else {data_hex(t, 32) for t in position})
            else:
                raise invalid_params(f"bad topic {position!r}")
        found = []
        for number in range(first, last + 1):
            block = self.tester.get_block_by_number(number)
            for tx_hash in block["transactions"]:
                for entry in self.tester.get_transaction_receipt(tx_hash)["logs"]:
                    if addresses is not None and entry["address"].lower() not in addresses:
                        continue
                    entry_topics = [t.lower() for t in entry["topics"]]
                    if len(topics) > len(entry_topics):
                        continue
                    if all(want is None or entry_topics[i] in want for i, want in enumerate(topics)):
                        found.append(log_json(entry))
        return found

    # -- test controls

    def rpc_evm_mine(self, when=None):
        if isinstance(when, dict):
            when = when.get("timestamp")
        if when is not None:
            self.chain.next_timestamp = quantity(when)
        self.chain.mine()
        return "0x0"

    def rpc_evm_increaseTime(self, seconds):
        seconds = quantity(seconds)
        self.chain.time_offset += seconds
        # Blocks mined one per transaction, each a second after its parent, can run ahead of
        # the wall clock: the next block is also at least `seconds` after the latest one.
        latest = self.tester.get_block_by_number("latest")["timestamp"]
        self.chain.time_floor = max(self.chain.time_floor, latest + seconds)
        return self.chain.time_offset

    def rpc_evm_setNextBlockTimestamp(self, when):
        self.chain.next_timestamp = quantity(when)
        return True

    def rpc_evm_snapshot(self):
        self.chain.snapshot_counter += 1
        self.chain.snapshots[self.chain.snapshot_counter] = self.tester.take_snapshot()
        return hex(self.chain.snapshot_counter)

    def rpc_evm_revert(self, snapshot_id):
        wanted = quantity(snapshot_id)
        if wanted not in self.chain.snapshots:
            return False
        try:
            self.tester.revert_to_snapshot(self.chain.snapshots[wanted])
        except SnapshotNotFound:
            return False
        for later in [k for k in self.chain.snapshots if k >= wanted]:
            del self.chain.snapshots[later]
        self.chain.prepare_pending()
        return True


# ---- HTTP -----------------------------------------------------------------------------------

def error_object(code, message, data=None):
    error = {"code": code, "message": message}
    if data is not None:
        error["data"] = data
    return error


def handle_one(methods, request):
    if not isinstance(request, dict) or request.get("jsonrpc") != "2.0" or "method" not in request:
        return {"jsonrpc": "2.0", "id": None, "error": error_object(-32600, "invalid request")}
    request_id = request.get("id")
    try:
        result = methods.dispatch(request["method"], request.get("params"))
        response = {"jsonrpc": "2.0", "id": request_id, "result": result}
    except RPCError as error:
        response = {"jsonrpc": "2.0", "id": request_id,
                    "error": error_object(error.code, error.message, error.data)}
    except (ValidationError, EVMValidationError, TransactionFailed, SnapshotNotFound, BlockNotFound,
            TransactionNotFound, ValueError) as error:
        response = {"jsonrpc": "2.0", "id": request_id,
                    "error": error_object(-32000, str(error) or type(error).__name__)}
    except Exception as error:  # a bug or an input nothing above expected: report, keep serving
        log.exception("internal error in %s", request.get("method"))
        response = {"jsonrpc": "2.0", "id": request_id,
                    "error": error_object(-32603, f"internal error: {type(error).__name__}: {error}")}
    return response if "id" in request else None


def make_handler(methods):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            try:
                request = json.loads(body)
            except (ValueError, UnicodeDecodeError):
                return self.reply({"jsonrpc": "2.0", "id": None,
                                   "error": error_object(-32700, "parse error")})
            if isinstance(request, list):
                if not request:
                    return self.reply({"jsonrpc": "2.0", "id": None,
                                       "error": error_object(-32600, "empty batch")})
                responses = [r for r in (handle_one(methods, item) for item in request) if r is not None]
                return self.reply(responses if responses else None)
            return self.reply(handle_one(methods, request))

        def do_GET(self):
            self.send_response(405)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def reply(self, payload):
            if payload is None:  # notifications only: nothing to answer
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, fmt, *args):
            log.debug("%s %s", self.address_string(), fmt % args)

    return Handler


def interval_miner(chain, seconds, stop):
    while not stop.wait(seconds):
        with chain.lock:
            try:
                chain.mine()
            except Exception:
                log.exception("interval mining failed")


def main():
    parser = argparse.ArgumentParser(description="A local Ethereum JSON-RPC server for tests.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8545, help="0 picks a free port")
    parser.add_argument("--chain-id", type=int, default=1337)
    parser.add_argument("--block-time", type=float, default=1.0,
                        help="seconds between empty blocks; 0 mines only on transactions")
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    args = parser.parse_args()
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(name)s %(levelname)s %(message)s")

    chain = Chain(args.chain_id)
    methods = Methods(chain)
    server = http.server.ThreadingHTTPServer((args.host, args.port), make_handler(methods))
    server.daemon_threads = True
    stop = threading.Event()
    if args.block_time > 0:
        threading.Thread(target=interval_miner, args=(chain, args.block_time, stop), daemon=True).start()

    def terminate(*_):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, terminate)
    host, port = server.server_address[:2]
    print(f"listening on {host}:{port}", flush=True)
    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        stop.set()
        server.server_close()


if __name__ == "__main__":
    main()
