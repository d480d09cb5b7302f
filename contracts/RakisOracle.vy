#pragma version ==0.4.3
#pragma evm-version cancun
"""
@title RakisOracle
@notice `callLLM` for smart contracts: a consumer pays for a request, Rakis nodes answer it
        by consensus and one of them submits the output with the signatures of enough quorum
        members. The specification is docs/ORACLE.md. No owner: nothing here can be changed
        or paused after deployment.
"""

import IRakisOracle

implements: IRakisOracle

# Request states, as `stateOf` reports them (0 is an unknown id).
PENDING: constant(uint8) = 1
FULFILLED: constant(uint8) = 2
REFUNDED: constant(uint8) = 3

# Domain tag of the fulfilment digest: a signature for anything else never verifies here.
FULFILL_TAG: constant(bytes32) = keccak256("rakis-oracle/1 fulfill")

# secp256k1's group order n, halved: a signature (r, s) has the twin (r, n - s), so accepting
# only the lower s makes every signature unique (as EIP-2 does for transactions).
# n // 2 = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0
HALF_N: constant(uint256) = 57896044618658097711785492504343953926418782139537452191302581570759080747168

# Gas kept back, beyond `callbackGas`, for the CALL itself and for the rest of `fulfill`.
CALLBACK_OVERHEAD: constant(uint256) = 10000

struct Request:
    consumer: address
    callback: address
    payment: uint256
    deadline: uint64
    quorum: uint8
    threshold: uint8      # ceil(quorum * secPercentage / 10000), fixed when requested

minDeposit: public(immutable(uint256))
minFee: public(immutable(uint256))
callbackGas: public(immutable(uint256))
exitDelay: public(immutable(uint256))

# Registered and not deregistered: only these nodes' signatures count, only they submit.
isRegistered: public(HashMap[address, bool])
# Each node's Ed25519 node id, as registered.
nodeIdOf: public(HashMap[address, bytes32])
# The deposit a node locked when it registered (until withdrawn).
depositOf: public(HashMap[address, uint256])
# When a deregistered node's deposit unlocks (Unix seconds).
unlockTime: public(HashMap[address, uint256])
# Credited and not yet withdrawn: fees for signers and submitters, refunds a consumer refused.
earnings: public(HashMap[address, uint256])

requestCount: public(uint256)
stateOf: public(HashMap[uint256, uint8])
requests: HashMap[uint256, Request]


@deploy
def __init__(_minDeposit: uint256, _minFee: uint256, _callbackGas: uint256, _exitDelay: uint256):
    minDeposit = _minDeposit
    minFee = _minFee
    callbackGas = _callbackGas
    exitDelay = _exitDelay


@external
@payable
def register(nodeId: bytes32):
    assert not self.isRegistered[msg.sender], "already registered"
    # A node that left must take its old deposit back before it joins again.
    assert self.depositOf[msg.sender] == 0, "withdraw the old deposit first"
    assert msg.value >= minDeposit, "deposit below minimum"
    self.isRegistered[msg.sender] = True
    self.nodeIdOf[msg.sender] = nodeId
    self.depositOf[msg.sender] = msg.value
    log IRakisOracle.Registered(node=msg.sender, nodeId=nodeId, deposit=msg.value)


@external
def deregister():
    assert self.isRegistered[msg.sender], "not registered"
    # From now on its signatures no longer count; the deposit stays locked for `exitDelay`
    # so that a node cannot sign and leave in the same breath.
    self.isRegistered[msg.sender] = False
    self.unlockTime[msg.sender] = block.timestamp + exitDelay
    log IRakisOracle.Deregistered(node=msg.sender)


@external
def withdrawDeposit():
    amount: uint256 = self.depositOf[msg.sender]
    assert amount > 0, "no deposit"
    assert not self.isRegistered[msg.sender], "still registered"
    assert block.timestamp >= self.unlockTime[msg.sender], "exit delay not over"
    # Effects before the transfer: a re-entering caller finds nothing left.
    self.depositOf[msg.sender] = 0
    self.unlockTime[msg.sender] = 0
    raw_call(msg.sender, b"", value=amount)


@external
@payable
def request(
    prompt: String[4096],
    models: DynArray[String[64], 8],
    maxTokens: uint32,
    temperature: uint16,
    quorum: uint8,
    secDistance: uint16,
    secPercentage: uint16,
    deadline: uint64,
    callback: address,
) -> uint256:
    assert msg.value >= minFee, "fee below minimum"
    assert quorum >= 1 and quorum <= 32, "quorum out of range"
    assert convert(deadline, uint256) > block.timestamp, "deadline not in the future"
    assert secDistance <= 10000, "secDistance out of range"
    assert secPercentage >= 1 and secPercentage <= 10000, "secPercentage out of range"
    assert len(models) >= 1, "no model"
    assert maxTokens >= 1, "maxTokens is zero"

    requestId: uint256 = self.requestCount + 1
    self.requestCount = requestId
    # Computed once here so that `fulfill` reads one number instead of doing the arithmetic.
    threshold: uint256 = (convert(quorum, uint256) * convert(secPercentage, uint256) + 9999) // 10000
    self.requests[requestId] = Request(
        consumer=msg.sender,
        callback=callback,
        payment=msg.value,
        deadline=deadline,
        quorum=quorum,
        threshold=convert(threshold, uint8),
    )
    self.stateOf[requestId] = PENDING
    log IRakisOracle.Requested(
        requestId=requestId,
        consumer=msg.sender,
        prompt=prompt,
        models=models,
        maxTokens=maxTokens,
        temperature=temperature,
        quorum=quorum,
        secDistance=secDistance,
        secPercentage=secPercentage,
        deadline=deadline,
        callback=callback,
        payment=msg.value,
    )
    return requestId


@external
def fulfill(requestId: uint256, output: String[8192], certificate: IRakisOracle.Certificate):
    assert self.isRegistered[msg.sender], "submitter not registered"
    assert self.stateOf[requestId] == PENDING, "not pending"
    assert block.timestamp <= convert(self.requests[requestId].deadline, uint256), "past deadline"

    count: uint256 = len(certificate.signatures)
    assert count >= convert(self.requests[requestId].threshold, uint256), "too few signatures"
    # More signers than quorum members would only dilute the members' fees.
    assert count <= convert(self.requests[requestId].quorum, uint256), "too many signatures"

    outputHash: bytes32 = keccak256(output)
    digest: bytes32 = keccak256(
        abi_encode(FULFILL_TAG, chain.id, self, requestId, outputHash, certificate.commitmentSetHash)
    )
    # EIP-191 personal-message hash: what a wallet's or the node's `personal_sign` signs.
    signed: bytes32 = keccak256(concat(b"\x19Ethereum Signed Message:\n32", digest))

    payment: uint256 = self.requests[requestId].payment
    share: uint256 = payment // count
    previous: uint256 = 0
    for sig: IRakisOracle.Signature in certificate.signatures:
        # Only the canonical form of a signature: v in {27, 28} and s in the lower half.
        assert sig.v == 27 or sig.v == 28, "bad signature"
        assert convert(sig.s, uint256) <= HALF_N, "bad signature"
        signer: address = ecrecover(signed, sig.v, sig.r, sig.s)
        assert signer != empty(address), "bad signature"
        assert self.isRegistered[signer], "signer not registered"
        # Strictly ascending addresses: distinct signers, checked in one pass without a set.
        assert convert(signer, uint256) > previous, "signers not ascending"
        previous = convert(signer, uint256)
        self.earnings[signer] += share
    # What the equal split leaves over goes to the submitter.
    remainder: uint256 = payment - share * count
    if remainder > 0:
        self.earnings[msg.sender] += remainder

    # Effects before the callback: a consumer that calls back in finds the request fulfilled.
    self.stateOf[requestId] = FULFILLED

    # A submitter must not starve the callback to make it fail on purpose: the CALL passes on
    # at most 63/64 of what is left, so require enough for the full `callbackGas` to arrive.
    assert msg.gas >= callbackGas + callbackGas // 63 + CALLBACK_OVERHEAD, "not enough gas for the callback"
    # No return data is copied (max_outsize 0), and a failing callback leaves the fulfilment
    # standing: the consumer's bug cannot withhold the signers' fees.
    succeeded: bool = raw_call(
        self.requests[requestId].callback,
        abi_encode(requestId, output, method_id=method_id("rakisCallback(uint256,string)")),
        gas=callbackGas,
        revert_on_failure=False,
    )
    log IRakisOracle.Fulfilled(
        requestId=requestId,
        submitter=msg.sender,
        outputHash=outputHash,
        signers=count,
        callbackSucceeded=succeeded,
    )


@external
def refund(requestId: uint256):
    assert self.stateOf[requestId] == PENDING, "not pending"
    assert block.timestamp > convert(self.requests[requestId].deadline, uint256), "deadline not passed"
    self.stateOf[requestId] = REFUNDED
    consumer: address = self.requests[requestId].consumer
    amount: uint256 = self.requests[requestId].payment
    # Sent straight back; a consumer that refuses ether finds it credited to withdraw() instead,
    # so that no consumer can make its own refund impossible.
    if amount > 0:
        if not raw_call(consumer, b"", value=amount, revert_on_failure=False):
            self.earnings[consumer] += amount
    log IRakisOracle.Refunded(requestId=requestId, consumer=consumer, amount=amount)


@external
def withdraw():
    amount: uint256 = self.earnings[msg.sender]
    assert amount > 0, "nothing to withdraw"
    self.earnings[msg.sender] = 0
    raw_call(msg.sender, b"", value=amount)
