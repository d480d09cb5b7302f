#pragma version ==0.4.3
#pragma evm-version cancun
"""
@title RakisOracle
@notice `callLLM` for smart contracts: a consumer pays for a request, Rakis nodes answer it
        by consensus and one of them submits the output with the signatures of enough of the
        request's committee. Stake is weight: a committee is drawn by lot from the deposits
        registered before the request, and only its members' signatures count, by seats. The
        specification is docs/ORACLE.md. No owner: nothing here can be changed or paused after
        deployment.
"""

import IRakisOracle

implements: IRakisOracle

# Request states, as `stateOf` reports them (0 is an unknown id).
PENDING: constant(uint8) = 1
FULFILLED: constant(uint8) = 2
REFUNDED: constant(uint8) = 3
PROPOSED: constant(uint8) = 4    # fulfilled, inside its challenge window: not paid, not called back yet
DISPUTED: constant(uint8) = 5    # a proposal someone disputed, until the second committee answers

# Domain tags of what nodes sign: a signature for anything else never verifies here.
FULFILL_TAG: constant(bytes32) = keccak256("rakis-oracle/1 fulfill")
DISPUTE_TAG: constant(bytes32) = keccak256("rakis-oracle/1 dispute")

# secp256k1's group order n, halved: a signature (r, s) has the twin (r, n - s), so accepting
# only the lower s makes every signature unique (as EIP-2 does for transactions).
# n // 2 = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0
HALF_N: constant(uint256) = 57896044618658097711785492504343953926418782139537452191302581570759080747168

# Gas kept back, beyond `callbackGas`, for the CALL itself and for the rest of the transaction.
CALLBACK_OVERHEAD: constant(uint256) = 10000

# A deposit weighs one per `minDeposit`, up to this (the network's `Membership.maxWeight`).
MAX_WEIGHT: constant(uint256) = 2**40
# The lot's fixed point: a draw is a 64-bit fraction of one seat.
ONE_SEAT: constant(uint256) = 2**64
# Registrations count in a lot drawn at least this many blocks after them.
LOT_DELAY: constant(uint256) = 2
MAX_SIGNERS: constant(uint256) = 32
MAX_VOTERS: constant(uint256) = 64
# A structured request's schema and its typed answer (docs/ORACLE.md, "Structured requests").
MAX_SCHEMA: constant(uint256) = 4096
MAX_ANSWER: constant(uint256) = 16384
MAX_OUTPUT: constant(uint256) = 8192
# The callbacks' calldata at most: selector, request id, then the output (and the answer), each
# an offset, a length and its bytes.
CALLBACK: constant(uint256) = 4 + 32 + 32 + 32 + MAX_OUTPUT
STRUCTURED_CALLBACK: constant(uint256) = 4 + 32 + 2 * 32 + 32 + MAX_OUTPUT + 32 + MAX_ANSWER

struct Registration:
    registered: bool          # only registered nodes sit on committees, only they submit
    blockNumber: uint256      # < 2**64
    offset: uint256           # < 2**96
    weight: uint256           # <= MAX_WEIGHT < 2**64

struct Request:
    consumer: address
    callback: address
    payment: uint256
    deadline: uint64
    quorum: uint8
    threshold: uint8          # seats: ceil(quorum * secPercentage / 10000), fixed when requested
    challengeWindow: uint64   # seconds; 0 pays and calls back at fulfilment
    seed: bytes32             # the committee's lot, fixed when requested
    totalWeight: uint256      # registered weight when requested, < 2**128
    blockNumber: uint256      # only nodes registered before this block sit on its committee, < 2**64
    structured: bool          # asked with a schema: the result hash covers a typed answer too

struct Proposal:
    outputHash: bytes32       # the result hash (`_resultHash`): keccak256(output) for free text
    submitter: address
    signersHash: bytes32      # keccak256(abi_encode(signers, seats)): the list is in the Proposed log
    totalSeats: uint256
    challengeEnds: uint256    # Unix seconds
    cleared: bool             # a dispute upheld it: no further dispute, finalize at once

struct Dispute:
    disputer: address
    bond: uint256
    seed: bytes32
    totalWeight: uint256
    blockNumber: uint256
    deadline: uint256
    upheldSeats: uint256      # seats of the members who voted (`vote`), per side
    rejectedSeats: uint256

minDeposit: public(immutable(uint256))
minFee: public(immutable(uint256))
callbackGas: public(immutable(uint256))
exitDelay: public(immutable(uint256))

# Each node's Ed25519 node id, as registered.
nodeIdOf: public(HashMap[address, bytes32])
# The deposit a node locked when it registered (until withdrawn or slashed).
depositOf: public(HashMap[address, uint256])
# What the lot reads of a node, packed into one word so that a signer costs one storage read:
# registered (and not deregistered), the block it registered in, its stretch of the lot's
# line (every registration ever made holds [offset, offset + weight) of it, in the order of
# registration; `lineLength` is where the next one starts), and its deposit's weight.
registrations: HashMap[address, uint256]
lineLength: public(uint256)
# The weight of all registered nodes.
totalWeight: public(uint256)
# When a deregistered node's deposit unlocks (Unix seconds).
unlockTime: public(HashMap[address, uint256])
# Open disputes over proposals a node signed: its deposit cannot be withdrawn meanwhile.
disputesAgainst: public(HashMap[address, uint256])
# Credited and not yet withdrawn: fees for signers and submitters, refunds a consumer refused,
# bonds returned, rewards for reporting misbehaviour.
earnings: public(HashMap[address, uint256])
# Slashed and not rewarded: locked here for good.
burned: public(uint256)

requestCount: public(uint256)
stateOf: public(HashMap[uint256, uint8])
# Each request in five words (see `_storeRequest`): fields that fit share a word.
requests: HashMap[uint256, uint256[5]]
proposals: HashMap[uint256, Proposal]
disputes: HashMap[uint256, Dispute]
# The signers of a disputed proposal: they do not sit on the committee that judges it.
signedProposal: HashMap[uint256, HashMap[address, bool]]
# Members of a dispute's committee who voted with `vote`, by dispute: keccak256(requestId,
# the request's dispute count), since a rejected proposal's request can be disputed again.
voted: HashMap[bytes32, HashMap[address, bool]]
disputeCount: HashMap[uint256, uint256]


@deploy
def __init__(_minDeposit: uint256, _minFee: uint256, _callbackGas: uint256, _exitDelay: uint256):
    assert _minDeposit > 0, "minDeposit is zero"
    minDeposit = _minDeposit
    minFee = _minFee
    callbackGas = _callbackGas
    exitDelay = _exitDelay


# ---- registration ---------------------------------------------------------------------------

@external
@payable
def register(nodeId: bytes32):
    assert not self._registration(msg.sender).registered, "already registered"
    # A node that left must take its old deposit back before it joins again.
    assert self.depositOf[msg.sender] == 0, "withdraw the old deposit first"
    assert msg.value >= minDeposit, "deposit below minimum"
    weight: uint256 = min(msg.value // minDeposit, MAX_WEIGHT)
    self.nodeIdOf[msg.sender] = nodeId
    self.depositOf[msg.sender] = msg.value
    self.registrations[msg.sender] = self._pack(Registration(
        registered=True, blockNumber=block.number, offset=self.lineLength, weight=weight))
    self.lineLength += weight
    self.totalWeight += weight
    log IRakisOracle.Registered(node=msg.sender, nodeId=nodeId, deposit=msg.value)


@external
def deregister():
    assert self._registration(msg.sender).registered, "not registered"
    # From now on it sits on no committee; the deposit stays locked for `exitDelay` so that a
    # node cannot sign and leave before its misbehaviour can be shown.
    self._unregister(msg.sender)
    self.unlockTime[msg.sender] = block.timestamp + exitDelay
    log IRakisOracle.Deregistered(node=msg.sender)


@external
def withdrawDeposit():
    amount: uint256 = self.depositOf[msg.sender]
    assert amount > 0, "no deposit"
    assert not self._registration(msg.sender).registered, "still registered"
    assert block.timestamp >= self.unlockTime[msg.sender], "exit delay not over"
    assert self.disputesAgainst[msg.sender] == 0, "deposit under dispute"
    # Effects before the transfer: a re-entering caller finds nothing left.
    self.depositOf[msg.sender] = 0
    self.unlockTime[msg.sender] = 0
    raw_call(msg.sender, b"", value=amount)


# ---- requests -------------------------------------------------------------------------------

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
    challengeWindow: uint64,
    schema: String[MAX_SCHEMA] = "",
) -> uint256:
    """A non-empty `schema` (a JSON Schema, which the nodes parse and the contract does not) makes
    the request structured: the output is the canonical JSON of an answer the schema accepts,
    the fulfilment carries its ABI encoding too, and the consumer is called back with both
    (`rakisStructuredCallback`). Without it (the 10-argument entry) the request is free text."""
    assert msg.value >= minFee, "fee below minimum"
    assert quorum >= 1 and quorum <= 32, "quorum out of range"
    assert convert(deadline, uint256) > block.timestamp, "deadline not in the future"
    assert secDistance <= 10000, "secDistance out of range"
    assert secPercentage >= 1 and secPercentage <= 10000, "secPercentage out of range"
    assert len(models) >= 1, "no model"
    assert maxTokens >= 1, "maxTokens is zero"
    assert challengeWindow <= 30 * 86400, "challengeWindow out of range"

    requestId: uint256 = self.requestCount + 1
    self.requestCount = requestId
    # Computed once here so that `fulfill` reads one number instead of doing the arithmetic.
    threshold: uint256 = (convert(quorum, uint256) * convert(secPercentage, uint256) + 9999) // 10000
    self._storeRequest(requestId, Request(
        consumer=msg.sender,
        callback=callback,
        payment=msg.value,
        deadline=deadline,
        quorum=quorum,
        threshold=convert(threshold, uint8),
        challengeWindow=challengeWindow,
        # The requester cannot choose the block's randomness after the fact; the committee is
        # drawn among the nodes registered in earlier blocks, which could not know it.
        seed=keccak256(abi_encode(FULFILL_TAG, block.prevrandao, self, requestId)),
        totalWeight=self.totalWeight,
        blockNumber=block.number,
        structured=len(schema) > 0,
    ))
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
        challengeWindow=challengeWindow,
        schema=schema,
    )
    return requestId


@view
@external
def seatsOf(requestId: uint256, node: address) -> uint256:
    """The seats `node` holds on the committee of `requestId` (0: not a member)."""
    r: Request = self._request(requestId)
    return self._seats(r.seed, r.totalWeight, r.blockNumber, convert(r.quorum, uint256), node)


@view
@external
def isRegistered(node: address) -> bool:
    """Registered and not deregistered (nor slashed)."""
    return self._registration(node).registered


@view
@external
def weightOf(node: address) -> uint256:
    return self._registration(node).weight


@view
@external
def registeredBlock(node: address) -> uint256:
    return self._registration(node).blockNumber


@view
@external
def lineOffsetOf(node: address) -> uint256:
    return self._registration(node).offset


@view
@external
def seedOf(requestId: uint256) -> bytes32:
    """The lot's seed of the request's committee."""
    return self._request(requestId).seed


@view
@external
def thresholdOf(requestId: uint256) -> uint256:
    """The seats a fulfilment's signers must hold together."""
    return convert(self._request(requestId).threshold, uint256)


@external
def fulfill(requestId: uint256, output: String[8192], certificate: IRakisOracle.Certificate,
            answer: Bytes[MAX_ANSWER] = b""):
    """`answer`: for a structured request, the ABI encoding of the output's typed answer (empty
    where the schema has none), signed by the committee with the output; for free text, none."""
    assert self._registration(msg.sender).registered, "submitter not registered"
    assert self.stateOf[requestId] == PENDING, "not pending"
    r: Request = self._request(requestId)
    assert block.timestamp <= convert(r.deadline, uint256), "past deadline"

    # The committee signs the result hash, so the answer cannot differ from what it signed.
    outputHash: bytes32 = self._resultHash(r.structured, keccak256(output), keccak256(answer))
    signed: bytes32 = self._signedHash(keccak256(
        abi_encode(FULFILL_TAG, chain.id, self, requestId, outputHash, certificate.commitmentSetHash)
    ))
    signers: DynArray[address, MAX_SIGNERS] = []
    seats: DynArray[uint256, MAX_SIGNERS] = []
    total: uint256 = 0
    previous: uint256 = 0
    for sig: IRakisOracle.Signature in certificate.signatures:
        signer: address = self._recover(signed, sig)
        assert self._registration(signer).registered, "signer not registered"
        # Strictly ascending addresses: distinct signers, checked in one pass without a set.
        assert convert(signer, uint256) > previous, "signers not ascending"
        previous = convert(signer, uint256)
        # O(1) per signer: one storage read and a few multiplications say how many seats it drew.
        held: uint256 = self._seats(r.seed, r.totalWeight, r.blockNumber, convert(r.quorum, uint256), signer)
        assert held > 0, "signer not on the committee"
        signers.append(signer)
        seats.append(held)
        total += held
    # Weight, not the number of signers, decides: the seats together reach the threshold.
    assert total >= convert(r.threshold, uint256), "too few seats"

    if r.challengeWindow == 0:
        self._settle(requestId, msg.sender, signers, seats, total)
        # The callback is made here, and again in `finalize`, rather than in `_settle`: an
        # internal function's frame lies below its caller's, so output and answer copied into
        # one would move all of this function's memory up by 24 kB and make every fulfilment pay
        # for that memory. Here the buffers lie on top and only their used bytes are paid for.
        # No return data is copied (max_outsize 0), and a failing callback leaves the fulfilment
        # standing: the consumer's bug cannot withhold the signers' fees. A structured request's
        # consumer gets the typed answer too, under its own selector, so that a free-text
        # consumer is never handed an answer it does not expect.
        succeeded: bool = False
        if r.structured:
            call: Bytes[STRUCTURED_CALLBACK] = abi_encode(
                requestId, output, answer, method_id=method_id("rakisStructuredCallback(uint256,string,bytes)"))
            self._callbackGasLeft()
            succeeded = raw_call(r.callback, call, gas=callbackGas, revert_on_failure=False)
        else:
            call: Bytes[CALLBACK] = abi_encode(requestId, output, method_id=method_id("rakisCallback(uint256,string)"))
            self._callbackGasLeft()
            succeeded = raw_call(r.callback, call, gas=callbackGas, revert_on_failure=False)
        log IRakisOracle.Fulfilled(requestId=requestId, submitter=msg.sender, outputHash=outputHash,
                                   signers=len(signers), callbackSucceeded=succeeded)
        return
    ends: uint256 = block.timestamp + convert(r.challengeWindow, uint256)
    self.proposals[requestId] = Proposal(
        outputHash=outputHash,
        submitter=msg.sender,
        signersHash=keccak256(abi_encode(signers, seats)),
        totalSeats=total,
        challengeEnds=ends,
        cleared=False,
    )
    self.stateOf[requestId] = PROPOSED
    log IRakisOracle.Proposed(requestId=requestId, submitter=msg.sender, outputHash=outputHash,
                              signers=signers, seats=seats, challengeEnds=ends)


@external
def finalize(requestId: uint256, output: String[8192], signers: DynArray[address, MAX_SIGNERS],
             seats: DynArray[uint256, MAX_SIGNERS], answer: Bytes[MAX_ANSWER] = b""):
    """Anyone, once a proposal's challenge window is over (or a dispute upheld it): pays the
    signers and calls the consumer back, with the output (and, for a structured request, the
    answer) the committee signed and the signers of the `Proposed` log."""
    assert self.stateOf[requestId] == PROPOSED, "not proposed"
    p: Proposal = self.proposals[requestId]
    assert p.cleared or block.timestamp > p.challengeEnds, "challenge window not over"
    r: Request = self._request(requestId)
    outputHash: bytes32 = self._resultHash(r.structured, keccak256(output), keccak256(answer))
    assert outputHash == p.outputHash, "not the proposed output"
    self._checkSigners(requestId, signers, seats)
    self._settle(requestId, p.submitter, signers, seats, p.totalSeats)
    # The callback as in `fulfill` (which says why it is not in `_settle`).
    succeeded: bool = False
    if r.structured:
        call: Bytes[STRUCTURED_CALLBACK] = abi_encode(
            requestId, output, answer, method_id=method_id("rakisStructuredCallback(uint256,string,bytes)"))
        self._callbackGasLeft()
        succeeded = raw_call(r.callback, call, gas=callbackGas, revert_on_failure=False)
    else:
        call: Bytes[CALLBACK] = abi_encode(requestId, output, method_id=method_id("rakisCallback(uint256,string)"))
        self._callbackGasLeft()
        succeeded = raw_call(r.callback, call, gas=callbackGas, revert_on_failure=False)
    log IRakisOracle.Fulfilled(requestId=requestId, submitter=p.submitter, outputHash=outputHash,
                               signers=len(signers), callbackSucceeded=succeeded)


@external
def refund(requestId: uint256):
    assert self.stateOf[requestId] == PENDING, "not pending"
    assert block.timestamp > convert(self._request(requestId).deadline, uint256), "deadline not passed"
    self._refund(requestId)


@external
def withdraw():
    amount: uint256 = self.earnings[msg.sender]
    assert amount > 0, "nothing to withdraw"
    self.earnings[msg.sender] = 0
    raw_call(msg.sender, b"", value=amount)


# ---- disputes -------------------------------------------------------------------------------

@view
@external
def disputeSeatsOf(requestId: uint256, node: address) -> uint256:
    """The seats `node` holds on the committee that judges a dispute over `requestId`."""
    d: Dispute = self.disputes[requestId]
    if d.disputer == empty(address) or self.signedProposal[requestId][node]:
        return 0
    return self._disputeSeats(requestId, d, node)


@view
@external
def disputeThresholdOf(requestId: uint256) -> uint256:
    """The seats a verdict's voters must hold together: a majority of the second committee."""
    return self._disputeThreshold(requestId)


@external
@payable
def dispute(requestId: uint256, signers: DynArray[address, MAX_SIGNERS], seats: DynArray[uint256, MAX_SIGNERS]):
    """Anyone, inside the challenge window, with a bond of at least `minDeposit`: a second,
    larger committee, drawn now, judges the proposed output."""
    assert self.stateOf[requestId] == PROPOSED, "not proposed"
    p: Proposal = self.proposals[requestId]
    assert not p.cleared and block.timestamp <= p.challengeEnds, "challenge window over"
    assert msg.value >= minDeposit, "bond below minimum"
    self._checkSigners(requestId, signers, seats)
    for signer: address in signers:
        self.disputesAgainst[signer] += 1
        self.signedProposal[requestId][signer] = True
    deadline: uint256 = block.timestamp + convert(self._request(requestId).challengeWindow, uint256)
    self.disputes[requestId] = Dispute(
        disputer=msg.sender,
        bond=msg.value,
        seed=keccak256(abi_encode(DISPUTE_TAG, block.prevrandao, self, requestId)),
        totalWeight=self.totalWeight,
        blockNumber=block.number,
        deadline=deadline,
        upheldSeats=0,
        rejectedSeats=0,
    )
    self.disputeCount[requestId] += 1
    self.stateOf[requestId] = DISPUTED
    log IRakisOracle.Disputed(requestId=requestId, disputer=msg.sender, bond=msg.value, deadline=deadline)


@external
def resolve(requestId: uint256, upheld: bool, votes: DynArray[IRakisOracle.Signature, MAX_VOTERS],
            signers: DynArray[address, MAX_SIGNERS], seats: DynArray[uint256, MAX_SIGNERS]):
    """Anyone, with the second committee's signed verdict on the proposed output. Upheld: the
    bond goes to the proposal's signers and the proposal may be finalized at once. Rejected: the
    signers' deposits are slashed, half to the disputer, the bond goes back, and the request is
    pending again."""
    assert self.stateOf[requestId] == DISPUTED, "not disputed"
    p: Proposal = self.proposals[requestId]
    d: Dispute = self.disputes[requestId]
    assert block.timestamp <= d.deadline, "dispute deadline passed"
    self._checkSigners(requestId, signers, seats)
    signed: bytes32 = self._signedHash(keccak256(
        abi_encode(DISPUTE_TAG, chain.id, self, requestId, p.outputHash, upheld)
    ))
    total: uint256 = 0
    previous: uint256 = 0
    for sig: IRakisOracle.Signature in votes:
        voter: address = self._recover(signed, sig)
        assert convert(voter, uint256) > previous, "voters not ascending"
        previous = convert(voter, uint256)
        total += self._voterSeats(requestId, d, voter)
    assert total >= self._disputeThreshold(requestId), "too few votes"
    self._decide(requestId, upheld, total, signers, seats)


@external
def vote(requestId: uint256, upheld: bool, signers: DynArray[address, MAX_SIGNERS], seats: DynArray[uint256, MAX_SIGNERS]):
    """A member of a dispute's committee, from its own address: its seats count for `upheld`;
    the vote that gives one side a majority of the committee's seats decides, as `resolve`
    does. No signatures to gather: each member pays for its own vote."""
    assert self.stateOf[requestId] == DISPUTED, "not disputed"
    d: Dispute = self.disputes[requestId]
    assert block.timestamp <= d.deadline, "dispute deadline passed"
    self._checkSigners(requestId, signers, seats)
    held: uint256 = self._voterSeats(requestId, d, msg.sender)
    ballot: bytes32 = keccak256(abi_encode(requestId, self.disputeCount[requestId]))
    assert not self.voted[ballot][msg.sender], "already voted"
    self.voted[ballot][msg.sender] = True
    tally: uint256 = held
    if upheld:
        tally += self.disputes[requestId].upheldSeats
        self.disputes[requestId].upheldSeats = tally
    else:
        tally += self.disputes[requestId].rejectedSeats
        self.disputes[requestId].rejectedSeats = tally
    log IRakisOracle.Voted(requestId=requestId, voter=msg.sender, upheld=upheld, seats=held)
    if tally >= self._disputeThreshold(requestId):
        self._decide(requestId, upheld, tally, signers, seats)


@internal
def _decide(requestId: uint256, upheld: bool, total: uint256, signers: DynArray[address, MAX_SIGNERS],
            seats: DynArray[uint256, MAX_SIGNERS]):
    p: Proposal = self.proposals[requestId]
    d: Dispute = self.disputes[requestId]
    self._release(requestId, signers)
    if upheld:
        # The disputer was wrong: its bond goes to the signers it accused, by seats.
        given: uint256 = self._creditBySeats(d.bond, p.totalSeats, signers, seats)
        self.earnings[p.submitter] += d.bond - given
        self.proposals[requestId].cleared = True
        self.stateOf[requestId] = PROPOSED
    else:
        # The signers were wrong: their deposits go, half of each to the disputer.
        for signer: address in signers:
            self._slash(signer, d.disputer)
        self.earnings[d.disputer] += d.bond
        self.proposals[requestId] = empty(Proposal)
        self.stateOf[requestId] = PENDING
    self.disputes[requestId] = empty(Dispute)
    log IRakisOracle.Resolved(requestId=requestId, upheld=upheld, seats=total)


@external
def expireDispute(requestId: uint256, signers: DynArray[address, MAX_SIGNERS], seats: DynArray[uint256, MAX_SIGNERS]):
    """Anyone, when the second committee did not answer in time: nothing is known to be right,
    so the consumer is refunded, the bond returned and the signers unpaid."""
    assert self.stateOf[requestId] == DISPUTED, "not disputed"
    d: Dispute = self.disputes[requestId]
    assert block.timestamp > d.deadline, "dispute deadline not passed"
    self._checkSigners(requestId, signers, seats)
    self._release(requestId, signers)
    self.earnings[d.disputer] += d.bond
    self.disputes[requestId] = empty(Dispute)
    self.proposals[requestId] = empty(Proposal)
    self._refund(requestId)


@external
def slashEquivocation(requestId: uint256, first: IRakisOracle.Attestation, second: IRakisOracle.Attestation):
    """Anyone, with two signatures by one key for one request over two different outputs: the
    key's deposit is slashed without a vote, half to the caller. The hashes compared are result
    hashes, so for a structured request one output with two different answers is two outputs."""
    assert first.outputHash != second.outputHash, "the same output"
    a: address = self._recover(self._signedHash(keccak256(
        abi_encode(FULFILL_TAG, chain.id, self, requestId, first.outputHash, first.commitmentSetHash)
    )), first.signature)
    b: address = self._recover(self._signedHash(keccak256(
        abi_encode(FULFILL_TAG, chain.id, self, requestId, second.outputHash, second.commitmentSetHash)
    )), second.signature)
    assert a == b, "different signers"
    assert self.depositOf[a] > 0, "nothing to slash"
    self._slash(a, msg.sender)


# ---- internals ------------------------------------------------------------------------------

@view
@internal
def _seats(seed: bytes32, weightThen: uint256, blockThen: uint256, quorum: uint256, node: address) -> uint256:
    """The lot, systematic sampling: seats are points spaced W / quorum apart along the line
    of registrations (W the registered weight when the lot was drawn), the first at a random
    fraction of a spacing, a 64-bit draw from the seed. A node holds the points in its stretch:
    w * quorum / W in expectation, rounded down or up, so splitting a deposit buys nothing;
    the seats of all registered nodes add up to the quorum (fewer where nodes have left). Only
    registrations at least `LOT_DELAY` blocks older than the draw count: a newer one could have
    been placed knowing the seed."""
    n: Registration = self._registration(node)
    if not n.registered or n.blockNumber + LOT_DELAY > blockThen or weightThen == 0:
        return 0
    draw: uint256 = convert(seed, uint256) >> 192
    return self._pointsBelow(n.offset + n.weight, draw, quorum, weightThen) - self._pointsBelow(n.offset, draw, quorum, weightThen)


@pure
@internal
def _pointsBelow(position: uint256, draw: uint256, quorum: uint256, weight: uint256) -> uint256:
    # The points k = 0, 1, ... sit at (k + draw / 2**64) * weight / quorum; those below
    # `position` number ceil(position * quorum / weight - draw / 2**64), at least 0.
    scaled: uint256 = position * quorum * ONE_SEAT
    offset: uint256 = draw * weight
    if scaled <= offset:
        return 0
    unit: uint256 = weight * ONE_SEAT
    return (scaled - offset + unit - 1) // unit


@internal
def _storeRequest(requestId: uint256, r: Request):
    assert r.totalWeight < 2**128 and r.blockNumber < 2**64, "request out of range"
    flag: uint256 = 0
    if r.structured:
        flag = 1
    self.requests[requestId] = [
        convert(r.consumer, uint256) | (convert(r.deadline, uint256) << 160) | (convert(r.quorum, uint256) << 224)
            | (convert(r.threshold, uint256) << 232) | (flag << 240),
        convert(r.callback, uint256) | (convert(r.challengeWindow, uint256) << 160),
        r.payment,
        convert(r.seed, uint256),
        r.totalWeight | (r.blockNumber << 128),
    ]


@view
@internal
def _request(requestId: uint256) -> Request:
    w: uint256[5] = self.requests[requestId]
    return Request(
        consumer=convert(convert(w[0] & (2**160 - 1), uint160), address),
        callback=convert(convert(w[1] & (2**160 - 1), uint160), address),
        payment=w[2],
        deadline=convert((w[0] >> 160) & (2**64 - 1), uint64),
        quorum=convert((w[0] >> 224) & 255, uint8),
        threshold=convert((w[0] >> 232) & 255, uint8),
        challengeWindow=convert((w[1] >> 160) & (2**64 - 1), uint64),
        seed=convert(w[3], bytes32),
        totalWeight=w[4] & (2**128 - 1),
        blockNumber=w[4] >> 128,
        structured=((w[0] >> 240) & 1) == 1,
    )


@view
@internal
def _registration(node: address) -> Registration:
    word: uint256 = self.registrations[node]
    return Registration(
        registered=(word >> 255) == 1,
        blockNumber=(word >> 160) & (2**64 - 1),
        offset=(word >> 64) & (2**96 - 1),
        weight=word & (2**64 - 1),
    )


@pure
@internal
def _pack(n: Registration) -> uint256:
    assert n.blockNumber < 2**64 and n.offset < 2**96 and n.weight < 2**64, "registration out of range"
    flag: uint256 = 0
    if n.registered:
        flag = 1
    return (flag << 255) | (n.blockNumber << 160) | (n.offset << 64) | n.weight


@view
@internal
def _checkSigners(requestId: uint256, signers: DynArray[address, MAX_SIGNERS], seats: DynArray[uint256, MAX_SIGNERS]):
    # The proposal keeps only the hash of its signers and seats; callers pass the list of its log.
    assert keccak256(abi_encode(signers, seats)) == self.proposals[requestId].signersHash, "not the proposal's signers"


@internal
def _creditBySeats(amount: uint256, seatsPaid: uint256, signers: DynArray[address, MAX_SIGNERS],
                   seats: DynArray[uint256, MAX_SIGNERS]) -> uint256:
    # Each signer is credited amount * its seats / seatsPaid; returns what was credited in all.
    given: uint256 = 0
    for i: uint256 in range(len(signers), bound=MAX_SIGNERS):
        share: uint256 = amount * seats[i] // seatsPaid
        self.earnings[signers[i]] += share
        given += share
    return given


@view
@internal
def _disputeSeats(requestId: uint256, d: Dispute, node: address) -> uint256:
    return self._seats(d.seed, d.totalWeight, d.blockNumber, self._disputeQuorum(requestId), node)


@view
@internal
def _voterSeats(requestId: uint256, d: Dispute, voter: address) -> uint256:
    # A vote counts only from the second committee, which the proposal's signers do not sit on.
    assert not self.signedProposal[requestId][voter], "voter signed the proposal"
    held: uint256 = self._disputeSeats(requestId, d, voter)
    assert held > 0, "voter not on the committee"
    return held


@view
@internal
def _disputeThreshold(requestId: uint256) -> uint256:
    return self._disputeQuorum(requestId) // 2 + 1


@view
@internal
def _disputeQuorum(requestId: uint256) -> uint256:
    return 2 * convert(self._request(requestId).quorum, uint256) + 1


@pure
@internal
def _resultHash(structured: bool, outputHash: bytes32, answerHash: bytes32) -> bytes32:
    # What the committee signs in place of the bare output, from keccak256(output) and
    # keccak256(answer): free text keeps keccak256(output), so nothing changes for it; a
    # structured result binds the typed answer to its output. (The hashes, not the bytes, are
    # passed: see `fulfill` on memory.)
    if not structured:
        assert answerHash == keccak256(b""), "answer for a free-text request"
        return outputHash
    return keccak256(abi_encode(outputHash, answerHash))


@pure
@internal
def _signedHash(digest: bytes32) -> bytes32:
    # EIP-191 personal-message hash: what a wallet's or the node's `personal_sign` signs.
    return keccak256(concat(b"\x19Ethereum Signed Message:\n32", digest))


@pure
@internal
def _recover(signed: bytes32, sig: IRakisOracle.Signature) -> address:
    # Only the canonical form of a signature: v in {27, 28} and s in the lower half.
    assert sig.v == 27 or sig.v == 28, "bad signature"
    assert convert(sig.s, uint256) <= HALF_N, "bad signature"
    signer: address = ecrecover(signed, sig.v, sig.r, sig.s)
    assert signer != empty(address), "bad signature"
    return signer


@internal
def _settle(requestId: uint256, submitter: address, signers: DynArray[address, MAX_SIGNERS],
            seats: DynArray[uint256, MAX_SIGNERS], total: uint256):
    # Effects before any call: a consumer that calls back in finds the request fulfilled. The
    # caller calls the consumer back next (`_callbackGasLeft` first).
    self.stateOf[requestId] = FULFILLED
    # A fixed price per seat: the payment buys `quorum` seats (more only if more signed). A
    # signer's pay is linear in its seats, whose expectation is linear in its weight, so
    # splitting a deposit changes neither. What seats nobody signed for would have cost goes
    # back to the consumer, so a submitter gains nothing by leaving signers out; the divisions'
    # remainder, a few wei, goes to the submitter.
    r: Request = self._request(requestId)
    seatsPaid: uint256 = max(convert(r.quorum, uint256), total)
    given: uint256 = self._creditBySeats(r.payment, seatsPaid, signers, seats)
    unsigned: uint256 = r.payment * (seatsPaid - total) // seatsPaid
    if unsigned > 0:
        # With the plain transfer's gas only: a consumer cannot spend the fulfilment's gas here.
        if not raw_call(r.consumer, b"", value=unsigned, gas=2300, revert_on_failure=False):
            self.earnings[r.consumer] += unsigned
    if r.payment > given + unsigned:
        self.earnings[submitter] += r.payment - given - unsigned


@view
@internal
def _callbackGasLeft():
    # A submitter must not starve the callback to make it fail on purpose: the CALL passes on
    # at most 63/64 of what is left, so require enough for the full `callbackGas` to arrive.
    # Checked once the callback's calldata is encoded, whose memory a long answer makes costly.
    assert msg.gas >= callbackGas + callbackGas // 63 + CALLBACK_OVERHEAD, "not enough gas for the callback"


@internal
def _refund(requestId: uint256):
    self.stateOf[requestId] = REFUNDED
    consumer: address = self._request(requestId).consumer
    amount: uint256 = self._request(requestId).payment
    # Sent straight back; a consumer that refuses ether finds it credited to withdraw() instead,
    # so that no consumer can make its own refund impossible.
    if amount > 0:
        if not raw_call(consumer, b"", value=amount, revert_on_failure=False):
            self.earnings[consumer] += amount
    log IRakisOracle.Refunded(requestId=requestId, consumer=consumer, amount=amount)


@internal
def _release(requestId: uint256, signers: DynArray[address, MAX_SIGNERS]):
    for signer: address in signers:
        self.disputesAgainst[signer] -= 1
        self.signedProposal[requestId][signer] = False


@internal
def _unregister(node: address):
    n: Registration = self._registration(node)
    n.registered = False
    self.registrations[node] = self._pack(n)
    self.totalWeight -= n.weight


@internal
def _slash(node: address, reporter: address):
    amount: uint256 = self.depositOf[node]
    if amount == 0:
        return
    if self._registration(node).registered:
        self._unregister(node)
    self.depositOf[node] = 0
    reward: uint256 = amount // 2
    self.earnings[reporter] += reward
    self.burned += amount - reward
    log IRakisOracle.Slashed(node=node, reporter=reporter, amount=amount)
