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
        uint256 payment
    );
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
    /// secPercentage in basis points, deadline in Unix seconds. Returns the request id (1, 2, ...).
    function request(
        string calldata prompt,
        string[] calldata models,
        uint32 maxTokens,
        uint16 temperature,
        uint8 quorum,
        uint16 secDistance,
        uint16 secPercentage,
        uint64 deadline,
        address callback
    ) external payable returns (uint256 requestId);

    /// Nodes: the output (at most 8192 bytes) and the certificate of a pending request.
    function fulfill(uint256 requestId, string calldata output, Certificate calldata certificate) external;

    function refund(uint256 requestId) external;

    function withdraw() external;

    /// 0 unknown, 1 pending, 2 fulfilled, 3 refunded.
    function stateOf(uint256 requestId) external view returns (uint8);

    function isRegistered(address node) external view returns (bool);

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
}

/// @notice What a consumer implements to receive its answer. The oracle calls it with at most
///         callbackGas() gas; if it reverts, the request stays fulfilled all the same.
interface IRakisConsumer {
    function rakisCallback(uint256 requestId, string calldata output) external;
}
