// RakisChain: the EVM side of Rakis (docs/ORACLE.md). Sources arrive with issue 7.
