// SPDX-License-Identifier: MIT
// Devnet emulations of the Plumise precompiles (PROTOCOL.md §3), installed with anvil_setCode at
// 0x…20, 0x…21, 0x…22 and 0x…23. They take raw calldata without a selector, so each is a bare fallback().
// A trailing (or sole) address word means "on behalf of this agent" and is accepted only from the
// sponsor, the oracle's account, which the AgentRegistry holds.
pragma solidity 0.8.37;

address constant AGENT_REGISTRY = 0xC9CF64344D22f02f6cDB8e7B5349f30E09F9043C;
address constant REWARD_POOL = 0x0000000000000000000000000000000000001000;

interface IAgentStore {
    function sponsor() external view returns (address);
    function isRegistered(address agent) external view returns (bool);
    function recordRegistration(address agent, bytes32 name, bytes32 modelHash, bytes32[] calldata capabilities) external;
    function recordHeartbeat(address agent) external;
    function recordInference(address agent, bytes32 modelHash, bytes32 inputHash, bytes32 outputHash, uint256 tokenCount) external;
}

interface IRewardPoolClaim {
    function claimRewardFor(address agent) external;
}

library AddressWord {
    // A 32-byte word holding an address left-padded with zeros; anything in the top 12 bytes is refused.
    function decode(bytes calldata data, uint256 offset) internal pure returns (address) {
        uint256 word = uint256(bytes32(data[offset:offset + 32]));
        require(word >> 160 == 0, "Malformed address word");
        return address(uint160(word));
    }

    // Empty calldata acts for the sender; a single address word acts for that agent, sponsors only.
    function agentOf(bytes calldata data) internal view returns (address) {
        if (data.length == 0) return msg.sender;
        require(data.length == 32, "Calldata must be empty or one address word");
        require(msg.sender == IAgentStore(AGENT_REGISTRY).sponsor(), "Only the sponsor may act for another agent");
        return decode(data, 0);
    }
}

// 0x…21: name(32) ‖ modelHash(32) ‖ capCount ‖ capCount × 32 ‖ [beneficiary word, sponsor only]
contract RegisterAgentPrecompile {
    uint256 private constant MAX_CAPABILITIES = 64;

    fallback() external {
        bytes calldata data = msg.data;
        require(data.length >= 96, "Register calldata is shorter than 96 bytes");
        uint256 count = uint256(bytes32(data[64:96]));
        require(count <= MAX_CAPABILITIES, "Too many capabilities");
        uint256 capsEnd = 96 + 32 * count;
        address agent = msg.sender;
        if (data.length == capsEnd + 32) {
            require(msg.sender == IAgentStore(AGENT_REGISTRY).sponsor(), "Only the sponsor may register another agent");
            agent = AddressWord.decode(data, capsEnd);
        } else {
            require(data.length == capsEnd, "Register calldata length does not match its capability count");
        }
        bytes32[] memory caps = new bytes32[](count);
        for (uint256 i = 0; i < count; i++) {
            caps[i] = bytes32(data[96 + 32 * i:128 + 32 * i]);
        }
        IAgentStore(AGENT_REGISTRY).recordRegistration(agent, bytes32(data[0:32]), bytes32(data[32:64]), caps);
    }
}

// 0x…22: empty (agent = sender) or one address word (sponsor only). Unregistered agents revert.
contract HeartbeatPrecompile {
    fallback() external {
        IAgentStore(AGENT_REGISTRY).recordHeartbeat(AddressWord.agentOf(msg.data));
    }
}

// 0x…23: empty (claims for the sender) or one address word (sponsor only). Nothing pending succeeds.
contract ClaimRewardPrecompile {
    fallback() external {
        IRewardPoolClaim(REWARD_POOL).claimRewardFor(AddressWord.agentOf(msg.data));
    }
}

// 0x…20: modelHash ‖ inputHash ‖ outputHash ‖ agent word ‖ tokenCount (160 bytes), from the agent itself
// or its sponsor; the agent must be registered.
contract VerifyInferencePrecompile {
    fallback() external {
        bytes calldata data = msg.data;
        require(data.length == 160, "Verify-inference calldata must be 160 bytes");
        address agent = AddressWord.decode(data, 96);
        require(
            msg.sender == agent || msg.sender == IAgentStore(AGENT_REGISTRY).sponsor(),
            "Only the agent or its sponsor may record its inference"
        );
        IAgentStore(AGENT_REGISTRY).recordInference(
            agent, bytes32(data[0:32]), bytes32(data[32:64]), bytes32(data[64:96]), uint256(bytes32(data[128:160]))
        );
    }
}
