// SPDX-License-Identifier: MIT
pragma solidity ^0.8.19;

/// @title The Rakis oracle, as seen from Solidity
/// @notice The ABI of contracts/RakisOracle.vy (specified in docs/ORACLE.md), for Solidity
///         consumers. Written by hand to match the Vyper contract's ABI: the same function
///         signatures, structs (tuples) and events, hence the same selectors and topics.
interface IRakisOracle {
    /// One node's signature over the fulfilment digest (EIP-191 personal-message hash).
    struct Signature {
        uint8 v; // 27 or 28
        bytes32 r;
        bytes32 s; // in the lower half of the curve order
    }

    struct Certificate {
        bytes32 commitmentSetHash;
        Signature[] signatures; // at most 32, signers in ascending address order
    }

    /// One signed fulfilment digest, as evidence of equivocation.
    struct Attestation {
        bytes32 outputHash; // the result hash: keccak256(output), or with the answer if structured
        bytes32 commitmentSetHash;
        Signature signature;
    }

    event Registered(address indexed node, bytes32 nodeId, uint256 deposit);
    event Deregistered(address indexed node);
    event Requested(
        uint256 indexed requestId,
        address indexed consumer,
        string prompt,
        string[] models,
        uint32 maxTokens,
        uint16 temperature,
        uint8 quorum,
        uint16 secDistance,
        uint16 secPercentage,
        uint64 deadline,
        address callback,
        uint256 payment,
        uint64 challengeWindow,
        string schema // "" for a free-text request
    );
    event Proposed(
        uint256 indexed requestId,
        address indexed submitter,
        bytes32 outputHash,
        address[] signers,
        uint256[] seats,
        uint256 challengeEnds
    );
    event Disputed(uint256 indexed requestId, address indexed disputer, uint256 bond, uint256 deadline);
    event Voted(uint256 indexed requestId, address indexed voter, bool upheld, uint256 seats);
    event Resolved(uint256 indexed requestId, bool upheld, uint256 seats);
    event Slashed(address indexed node, address indexed reporter, uint256 amount);
    event Fulfilled(
        uint256 indexed requestId,
        address indexed submitter,
        bytes32 outputHash,
        uint256 signers,
        bool callbackSucceeded
    );
    event Refunded(uint256 indexed requestId, address indexed consumer, uint256 amount);

    /// Nodes: lock a deposit of at least minDeposit() next to the node's Ed25519 id.
    function register(bytes32 nodeId) external payable;

    function deregister() external;

    function withdrawDeposit() external;

    /// Consumers: pay at least minFee(). The prompt holds at most 4096 bytes, each model name at
    /// most 64 and there are 1 to 8 of them; temperature in thousandths, secDistance and
    /// secPercentage in basis points, deadline in Unix seconds, challengeWindow in seconds (0:
    /// the callback comes with the fulfilment; otherwise after a window in which anyone may
    /// dispute it). Returns the request id (1, 2, ...).
    function request(
        string calldata prompt,
        string[] calldata models,
        uint32 maxTokens,
        uint16 temperature,
        uint8 quorum,
        uint16 secDistance,
        uint16 secPercentage,
        uint64 deadline,
        address callback,
        uint64 challengeWindow
    ) external payable returns (uint256 requestId);

    /// The same with a JSON Schema (at most 4096 bytes; "" is the call above): a non-empty one
    /// makes the request structured. The output is then the RFC 8785 canonical JSON of an
    /// answer the schema accepts, and the callback is IRakisStructuredConsumer's, with the
    /// answer ABI-encoded (docs/ORACLE.md, "Structured requests and typed answers").
    function request(
        string calldata prompt,
        string[] calldata models,
        uint32 maxTokens,
        uint16 temperature,
        uint8 quorum,
        uint16 secDistance,
        uint16 secPercentage,
        uint64 deadline,
        address callback,
        uint64 challengeWindow,
        string calldata schema
    ) external payable returns (uint256 requestId);

    /// Nodes: the output (at most 8192 bytes) and the certificate of a pending free-text
    /// request, signed by members of its committee holding thresholdOf(requestId) seats together.
    function fulfill(uint256 requestId, string calldata output, Certificate calldata certificate) external;

    /// The same for a structured request, with its typed answer (at most 16384 bytes; empty
    /// where the schema has none), which the certificate's signatures cover with the output.
    function fulfill(uint256 requestId, string calldata output, Certificate calldata certificate, bytes calldata answer) external;

    /// Anyone, after a proposal's challenge window, with the output and signers of its Proposed event.
    function finalize(uint256 requestId, string calldata output, address[] calldata signers, uint256[] calldata seats) external;

    /// The same for a structured request's proposal, with the answer its committee signed.
    function finalize(
        uint256 requestId,
        string calldata output,
        address[] calldata signers,
        uint256[] calldata seats,
        bytes calldata answer
    ) external;

    /// Anyone, inside the challenge window, with a bond of at least minDeposit().
    function dispute(uint256 requestId, address[] calldata signers, uint256[] calldata seats) external payable;

    /// Anyone, with the second committee's verdict: votes over the dispute digest, ascending voters.
    function resolve(
        uint256 requestId,
        bool upheld,
        Signature[] calldata votes,
        address[] calldata signers,
        uint256[] calldata seats
    ) external;

    /// A member of the dispute's committee, from its own address; the vote that gives one side a
    /// majority of the committee's seats decides.
    function vote(uint256 requestId, bool upheld, address[] calldata signers, uint256[] calldata seats) external;

    function expireDispute(uint256 requestId, address[] calldata signers, uint256[] calldata seats) external;

    /// Anyone, with two signatures by one key for one request over different outputs.
    function slashEquivocation(uint256 requestId, Attestation calldata first, Attestation calldata second) external;

    function refund(uint256 requestId) external;

    function withdraw() external;

    /// 0 unknown, 1 pending, 2 fulfilled, 3 refunded, 4 proposed, 5 disputed.
    function stateOf(uint256 requestId) external view returns (uint8);

    function isRegistered(address node) external view returns (bool);

    /// The seats a node drew on a request's committee (0: not a member).
    function seatsOf(uint256 requestId, address node) external view returns (uint256);

    function seedOf(uint256 requestId) external view returns (bytes32);

    function thresholdOf(uint256 requestId) external view returns (uint256);

    function disputeSeatsOf(uint256 requestId, address node) external view returns (uint256);

    function disputeThresholdOf(uint256 requestId) external view returns (uint256);

    function earnings(address node) external view returns (uint256);

    // Also public in RakisOracle.vy.
    function minDeposit() external view returns (uint256);

    function minFee() external view returns (uint256);

    function callbackGas() external view returns (uint256);

    function exitDelay() external view returns (uint256);

    function requestCount() external view returns (uint256);

    function nodeIdOf(address node) external view returns (bytes32);

    function depositOf(address node) external view returns (uint256);

    function unlockTime(address node) external view returns (uint256);

    function weightOf(address node) external view returns (uint256);

    function registeredBlock(address node) external view returns (uint256);

    function lineOffsetOf(address node) external view returns (uint256);

    function lineLength() external view returns (uint256);

    function totalWeight() external view returns (uint256);

    function disputesAgainst(address node) external view returns (uint256);

    function burned() external view returns (uint256);
}

/// @notice What a consumer implements to receive its answer. The oracle calls it with at most
///         callbackGas() gas; if it reverts, the request stays fulfilled all the same.
interface IRakisConsumer {
    function rakisCallback(uint256 requestId, string calldata output) external;
}

/// @notice What the consumer of a structured request (one made with a schema) implements. The
///         oracle calls it, with the same gas rules as rakisCallback, with the output (the
///         canonical JSON) and the typed answer the committee signed with it: for a schema of
///         flat required properties (boolean, integer, string with enum, free string),
///         abi.encode of one value per property in the sorted order of the names (bool,
///         int256, uint8 index into the enum, string); for any other schema, empty bytes.
///         A consumer of the GrantJudge's schema (approve, category, reason, score) decodes:
///
///             (bool approve, uint8 category, string memory reason, int256 score) =
///                 abi.decode(answer, (bool, uint8, string, int256));
///
///         and, for the three-field schema approve, reason, score:
///
///             (bool approve, string memory reason, int256 score) = abi.decode(answer, (bool, string, int256));
///
///         It must check msg.sender == the oracle: anyone else can call it with any answer.
interface IRakisStructuredConsumer {
    function rakisStructuredCallback(uint256 requestId, string calldata output, bytes calldata answer) external;
}
