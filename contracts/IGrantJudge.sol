// SPDX-License-Identifier: MIT
pragma solidity ^0.8.19;

import "./IRakisOracle.sol";

/// @title The GrantJudge example, as seen from Solidity
/// @notice The ABI of contracts/GrantJudge.vy, a consumer of the oracle's structured requests
///         (docs/ORACLE.md, "Structured requests and typed answers"). Written by hand to match
///         the Vyper contract's ABI (test_solidity_interface checks it). Its constructor is
///         (address oracle, string model, uint32 maxTokens, uint64 timeout, uint64 challengeWindow);
///         a plain transfer funds it, like fund().
interface IGrantJudge is IRakisStructuredConsumer {
    struct Grant {
        address applicant;
        address recipient;
        uint256 amount; // wei
        bool decided; // the oracle called back with a decision
        bool approve;
        uint8 category; // 0 research, 1 education, 2 infrastructure, 3 other (SCHEMA's enum)
        int256 score; // 0 to 10
        string reason; // at most 200 characters (800 bytes)
        bool paid;
    }

    event Funded(address indexed funder, uint256 amount);
    event GrantRequested(uint256 indexed requestId, address indexed applicant, address recipient, uint256 amount);
    event GrantDecided(uint256 indexed requestId, bool approve, uint8 category, int256 score);
    event GrantPaid(uint256 indexed requestId, address indexed recipient, uint256 amount);

    /// Adds to the grants' pot.
    function fund() external payable;

    /// Asks the oracle, paying it msg.value (at least its minFee), to judge a grant of `amount`
    /// wei to `recipient`; the proposal holds at most 3584 bytes. Returns the request id.
    function apply(string calldata proposal, uint256 amount, address recipient) external payable returns (uint256 requestId);

    /// Anyone: pays an approved grant the callback could not pay (the pot was short, or the
    /// recipient refused the 30,000 gas it was given).
    function pay(uint256 requestId) external;

    /// The answer's fields in their order, then whether the oracle has called back.
    function decisionOf(uint256 requestId)
        external
        view
        returns (bool approve, uint8 category, string memory reason, int256 score, bool decided);

    /// The JSON Schema every request carries, byte for byte.
    function SCHEMA() external view returns (string memory);

    function oracle() external view returns (address);

    function model() external view returns (string memory);

    function maxTokens() external view returns (uint32);

    function timeout() external view returns (uint64);

    function challengeWindow() external view returns (uint64);

    function lastRequestId() external view returns (uint256);

    function grantsDecided() external view returns (uint256);

    function grants(uint256 requestId) external view returns (Grant memory);
}
