#pragma version ==0.4.3
#pragma evm-version cancun
"""
@title StoryTeller
@notice An example consumer of RakisOracle: `tell(prompt)` pays the oracle for a short story,
        and the oracle's callback stores it, to be read with `storyOf(requestId)`.
"""

import IRakisOracle

# The request's settings: a story of at most `maxTokens` tokens sampled at temperature 0.7, decided by a
# quorum of 3 whose outputs agree within distance 0.25, with at least 66% of the quorum
# (2 of 3) signing the result.
TEMPERATURE: constant(uint16) = 700
QUORUM: constant(uint8) = 3
SEC_DISTANCE: constant(uint16) = 2500
SEC_PERCENTAGE: constant(uint16) = 6600

event StoryRequested:
    requestId: indexed(uint256)
    teller: indexed(address)

event StoryTold:
    requestId: indexed(uint256)
    length: uint256

oracle: public(immutable(address))
model: public(String[64])
maxTokens: public(immutable(uint32))
# Seconds the oracle has to answer before the request can be refunded.
timeout: public(immutable(uint64))

lastRequestId: public(uint256)
storiesTold: public(uint256)
# Who asked for each story.
tellerOf: public(HashMap[uint256, address])
stories: HashMap[uint256, String[8192]]


@deploy
def __init__(_oracle: address, _model: String[64], _maxTokens: uint32, _timeout: uint64):
    oracle = _oracle
    self.model = _model
    maxTokens = _maxTokens
    timeout = _timeout


@external
@payable
def tell(prompt: String[4096]) -> uint256:
    """
    @notice Asks the oracle for a story, paying it everything sent along (at least its minFee).
    """
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
        0,  # no challenge window: a story is told the moment its committee signs it
        value=msg.value,
    )
    self.lastRequestId = requestId
    self.tellerOf[requestId] = msg.sender
    log StoryRequested(requestId=requestId, teller=msg.sender)
    return requestId


@external
def rakisCallback(requestId: uint256, output: String[8192]):
    # Only the oracle vouches for an output; anyone else could write any story here.
    assert msg.sender == oracle, "only the oracle"
    self.stories[requestId] = output
    self.storiesTold += 1
    log StoryTold(requestId=requestId, length=len(output))


@view
@external
def storyOf(requestId: uint256) -> String[8192]:
    return self.stories[requestId]


@external
@payable
def __default__():
    # The oracle sends the payment of a request that timed out back here.
    pass
