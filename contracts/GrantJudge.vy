#pragma version ==0.4.3
#pragma evm-version cancun
"""
@title GrantJudge
@notice An example consumer of RakisOracle's structured requests: a grant fund. Anyone funds it
        with ether (`fund()` or a plain transfer); an applicant calls `apply(proposal, amount,
        recipient)`, paying the oracle's fee, and the oracle's committee judges the proposal
        under a fixed JSON Schema. The callback receives the answer ABI-encoded and signed by
        the committee with the output, decodes it into typed values, records the decision
        (`decisionOf`) and, when it approves, pays `amount` to the recipient. docs/ORACLE.md,
        "Structured requests and typed answers", is the specification.
"""

import IRakisOracle

# The answer's schema: an object of four required flat properties, so the oracle's answer is
# abi.encode(bool approve, uint8 category, string reason, int256 score), the properties in the
# sorted order of their names, the category as its index in the `enum` list (research 0,
# education 1, infrastructure 2, other 3). Public, so that clients and tests read these bytes.
SCHEMA: public(constant(String[512])) = '{"type":"object","properties":{"approve":{"type":"boolean"},"category":{"type":"string","enum":["research","education","infrastructure","other"]},"reason":{"type":"string","maxLength":200},"score":{"type":"integer","minimum":0,"maximum":10}},"required":["approve","category","reason","score"],"additionalProperties":false}'

# JSON Schema's maxLength counts characters (code points), a String's bound counts UTF-8 bytes:
# 200 characters take at most 800 bytes.
MAX_REASON: constant(uint256) = 800
MAX_PROPOSAL: constant(uint256) = 3584

# The request's settings: greedy decoding (a judgment, not a story), a quorum of 3 whose outputs
# agree within distance 0.25, at least 66% of the quorum (2 of 3) signing the result.
TEMPERATURE: constant(uint16) = 0
QUORUM: constant(uint8) = 3
SEC_DISTANCE: constant(uint16) = 2500
SEC_PERCENTAGE: constant(uint16) = 6600

# The gas a recipient gets with its grant inside the callback: enough for a contract wallet to
# log the receipt, too little to spend the callback's own gas. A recipient that needs more (or
# refuses) is paid later by `pay`.
PAYOUT_GAS: constant(uint256) = 30000

struct Grant:
    applicant: address
    recipient: address
    amount: uint256           # wei, paid from the judge's balance if approved
    decided: bool             # the oracle called back with a decision
    approve: bool
    category: uint8           # the index in SCHEMA's enum
    score: int256             # 0 to 10 by the schema
    reason: String[MAX_REASON]
    paid: bool

event Funded:
    funder: indexed(address)
    amount: uint256

event GrantRequested:
    requestId: indexed(uint256)
    applicant: indexed(address)
    recipient: address
    amount: uint256

event GrantDecided:
    requestId: indexed(uint256)
    approve: bool
    category: uint8
    score: int256

event GrantPaid:
    requestId: indexed(uint256)
    recipient: indexed(address)
    amount: uint256

oracle: public(immutable(address))
model: public(String[64])
maxTokens: public(immutable(uint32))
# Seconds the oracle has to answer before the request can be refunded.
timeout: public(immutable(uint64))
# Seconds in which anyone may dispute an answer before it is paid out (0: none).
challengeWindow: public(immutable(uint64))

lastRequestId: public(uint256)
grantsDecided: public(uint256)
grants: public(HashMap[uint256, Grant])


@deploy
def __init__(_oracle: address, _model: String[64], _maxTokens: uint32, _timeout: uint64, _challengeWindow: uint64):
    oracle = _oracle
    self.model = _model
    maxTokens = _maxTokens
    timeout = _timeout
    challengeWindow = _challengeWindow


@external
@payable
def fund():
    """Adds to the grants' pot."""
    log Funded(funder=msg.sender, amount=msg.value)


@external
@payable
def __default__():
    # Plain transfers fund the pot too, and the oracle sends refunds (a request that timed out,
    # the price of seats nobody signed) here with 2,300 gas: nothing more is done with them.
    pass


@external
@payable
def apply(proposal: String[MAX_PROPOSAL], amount: uint256, recipient: address) -> uint256:
    """
    @notice Asks the oracle to judge a grant of `amount` wei to `recipient`, paying it everything
            sent along (at least its minFee). The amount is in the prompt, so the judgment
            covers it; it is paid only if the judge's balance holds it when the answer comes.
    """
    assert recipient != empty(address), "no recipient"
    prompt: String[4096] = concat(
        "You judge applications to a grant fund. Decide whether to approve the grant, the ",
        "category of the work, a score from 0 (worthless) to 10 (excellent) and a short reason.",
        "\nAmount requested (wei): ", uint2str(amount),
        "\nProposal:\n", proposal,
    )
    requestId: uint256 = extcall IRakisOracle(oracle).request(
        prompt,
        [self.model],
        maxTokens,
        TEMPERATURE,
        QUORUM,
        SEC_DISTANCE,
        SEC_PERCENTAGE,
        convert(block.timestamp, uint64) + timeout,
        self,
        challengeWindow,
        SCHEMA,
        value=msg.value,
    )
    self.lastRequestId = requestId
    self.grants[requestId] = Grant(applicant=msg.sender, recipient=recipient, amount=amount, decided=False,
                                   approve=False, category=0, score=0, reason="", paid=False)
    log GrantRequested(requestId=requestId, applicant=msg.sender, recipient=recipient, amount=amount)
    return requestId


@external
def rakisStructuredCallback(requestId: uint256, output: String[8192], answer: Bytes[16384]):
    # Only the oracle vouches for an answer (its committee signed it with the output); anyone
    # else could approve any grant here.
    assert msg.sender == oracle, "only the oracle"
    g: Grant = self.grants[requestId]
    assert g.applicant != empty(address), "not a grant request"
    assert not g.decided, "already decided"
    # The typed answer, in SCHEMA's sorted property order; no JSON is parsed on chain. An
    # answer that does not decode (say, a reason over MAX_REASON bytes) reverts the callback,
    # leaving the grant undecided: the oracle's fulfilment stands all the same.
    approve: bool = False
    category: uint8 = 0
    reason: String[MAX_REASON] = ""
    score: int256 = 0
    approve, category, reason, score = abi_decode(answer, (bool, uint8, String[MAX_REASON], int256))
    g.decided = True
    g.approve = approve
    g.category = category
    g.reason = reason
    g.score = score
    # Effects before the transfer: a re-entering recipient finds the grant decided (and paid).
    paying: bool = approve and g.amount <= self.balance
    g.paid = paying
    self.grants[requestId] = g
    self.grantsDecided += 1
    log GrantDecided(requestId=requestId, approve=approve, category=category, score=score)
    if not paying:
        return  # rejected, or approved beyond the pot: `pay` can settle it once funded
    if g.amount > 0:
        # Never revert the callback over the payout: a refusing recipient stays unpaid instead.
        if not raw_call(g.recipient, b"", value=g.amount, gas=PAYOUT_GAS, revert_on_failure=False):
            self.grants[requestId].paid = False
            return
    log GrantPaid(requestId=requestId, recipient=g.recipient, amount=g.amount)


@external
def pay(requestId: uint256):
    """Anyone: pays an approved grant the callback could not pay (the pot was short, or the
    recipient wanted more gas), with all the gas this transaction has."""
    g: Grant = self.grants[requestId]
    assert g.decided and g.approve, "not approved"
    assert not g.paid, "already paid"
    assert g.amount <= self.balance, "not enough funds"
    self.grants[requestId].paid = True
    raw_call(g.recipient, b"", value=g.amount)
    log GrantPaid(requestId=requestId, recipient=g.recipient, amount=g.amount)


@view
@external
def decisionOf(requestId: uint256) -> (bool, uint8, String[MAX_REASON], int256, bool):
    """The decision, as the answer's fields in their order (approve, category, reason, score),
    then whether it was decided at all (false: no answer yet, or it never came)."""
    g: Grant = self.grants[requestId]
    return g.approve, g.category, g.reason, g.score, g.decided
