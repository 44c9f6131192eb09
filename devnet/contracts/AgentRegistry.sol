// SPDX-License-Identifier: MIT
// Devnet emulation of the Plumise agent state (PROTOCOL.md §3, §4, §5).
//
// On the real chain the agent state lives inside the geth fork and is written by the precompiles at
// 0x…21/0x…22/0x…20; a separate AgentRegistry contract exposes the §5 read interface. Here one contract
// holds both: the precompile emulations write into it (and only they may), so the §5 reads, the
// agent_* RPC methods of the devnet's front and the RewardPool's registration check always agree.
pragma solidity 0.8.37;

contract AgentRegistry {
    uint256 public constant HEARTBEAT_TIMEOUT = 300;
    uint8 public constant STATUS_ACTIVE = 0;
    uint8 public constant STATUS_INACTIVE = 1;
    uint8 public constant STATUS_SLASHED = 2;

    address public constant REGISTER_PRECOMPILE = 0x0000000000000000000000000000000000000021;
    address public constant HEARTBEAT_PRECOMPILE = 0x0000000000000000000000000000000000000022;
    address public constant VERIFY_INFERENCE_PRECOMPILE = 0x0000000000000000000000000000000000000020;

    struct Agent {
        bool registered;
        bool slashed;
        uint64 registeredAt;
        uint64 lastHeartbeat; // 0 until the first 0x…22 call, as agent_getStatus shows on the real chain
        uint64 inferenceCount;
        bytes32 name;
        bytes32 modelHash;
        uint256 totalTokensProcessed;
        uint256 stake;
        bytes32[] capabilities;
    }

    // The devnet installs this code with anvil_setCode, so no constructor runs: initialize() sets up once.
    address public owner;
    address public sponsor;
    bool public initialized;

    mapping(address => Agent) private agents;
    address[] private agentList;

    event AgentRegistered(address indexed agent, bytes32 nodeId, string metadata);
    event Heartbeat(address indexed agent, uint256 timestamp);
    event InferenceVerified(address indexed agent, bytes32 modelHash, bytes32 inputHash, bytes32 outputHash, uint256 tokenCount);

    function initialize(address sponsor_) external {
        require(!initialized, "Already initialized");
        initialized = true;
        owner = msg.sender;
        sponsor = sponsor_;
    }

    // ---- writes, only from the precompile emulations ----

    function recordRegistration(address agent, bytes32 name, bytes32 modelHash, bytes32[] calldata capabilities)
        external
    {
        require(msg.sender == REGISTER_PRECOMPILE, "Only the register precompile");
        require(!agents[agent].registered, "Agent already registered");
        Agent storage a = agents[agent];
        a.registered = true;
        a.registeredAt = uint64(block.timestamp);
        a.name = name;
        a.modelHash = modelHash;
        for (uint256 i = 0; i < capabilities.length; i++) {
            a.capabilities.push(capabilities[i]);
        }
        agentList.push(agent);
        emit AgentRegistered(agent, modelHash, _nameString(name));
    }

    function recordHeartbeat(address agent) external {
        require(msg.sender == HEARTBEAT_PRECOMPILE, "Only the heartbeat precompile");
        require(agents[agent].registered, "Agent not registered");
        agents[agent].lastHeartbeat = uint64(block.timestamp);
        emit Heartbeat(agent, block.timestamp);
    }

    function recordInference(address agent, bytes32 modelHash, bytes32 inputHash, bytes32 outputHash, uint256 tokenCount)
        external
    {
        require(msg.sender == VERIFY_INFERENCE_PRECOMPILE, "Only the verify-inference precompile");
        require(agents[agent].registered, "Agent not registered");
        agents[agent].inferenceCount += 1;
        agents[agent].totalTokensProcessed += tokenCount;
        emit InferenceVerified(agent, modelHash, inputHash, outputHash, tokenCount);
    }

    // ---- the §5 read interface ----

    function isRegistered(address agent) external view returns (bool) {
        return agents[agent].registered;
    }

    function isActive(address agent) public view returns (bool) {
        Agent storage a = agents[agent];
        if (!a.registered || a.slashed) return false;
        return block.timestamp - _lastSeen(a) <= HEARTBEAT_TIMEOUT;
    }

    function getAgent(address agent)
        external
        view
        returns (
            address wallet,
            bytes32 nodeId,
            string memory metadata,
            uint256 registeredAt,
            uint256 lastHeartbeat,
            uint8 status,
            uint256 stake
        )
    {
        Agent storage a = agents[agent];
        if (!a.registered) return (address(0), bytes32(0), "", 0, 0, 0, 0);
        return (agent, a.modelHash, _nameString(a.name), a.registeredAt, _lastSeen(a), statusOf(agent), a.stake);
    }

    function getAllAgents() external view returns (address[] memory) {
        return agentList;
    }

    function getTotalAgentCount() external view returns (uint256) {
        return agentList.length;
    }

    function getActiveAgents() external view returns (address[] memory active) {
        uint256 count = 0;
        for (uint256 i = 0; i < agentList.length; i++) {
            if (isActive(agentList[i])) count++;
        }
        active = new address[](count);
        uint256 j = 0;
        for (uint256 i = 0; i < agentList.length; i++) {
            if (isActive(agentList[i])) active[j++] = agentList[i];
        }
    }

    function statusOf(address agent) public view returns (uint8) {
        if (agents[agent].slashed) return STATUS_SLASHED;
        return isActive(agent) ? STATUS_ACTIVE : STATUS_INACTIVE;
    }

    // ---- what the devnet's RPC front reads to answer agent_getAgentMeta / agent_getStatus ----

    struct AgentMeta {
        bool registered;
        bool active;
        uint8 status;
        bytes32 name;
        bytes32 modelHash;
        bytes32[] capabilities;
        uint256 registeredAt;
        uint256 lastHeartbeat;
        uint256 inferenceCount;
        uint256 totalTokensProcessed;
        uint256 stake;
    }

    function agentMeta(address agent) external view returns (AgentMeta memory meta) {
        Agent storage a = agents[agent];
        meta.registered = a.registered;
        meta.active = isActive(agent);
        meta.status = statusOf(agent);
        meta.name = a.name;
        meta.modelHash = a.modelHash;
        meta.capabilities = a.capabilities;
        meta.registeredAt = a.registeredAt;
        meta.lastHeartbeat = a.lastHeartbeat;
        meta.inferenceCount = a.inferenceCount;
        meta.totalTokensProcessed = a.totalTokensProcessed;
        meta.stake = a.stake;
    }

    // Registration counts as the first sign of life, so a fresh agent is active before its first heartbeat.
    function _lastSeen(Agent storage a) private view returns (uint256) {
        return a.lastHeartbeat > a.registeredAt ? a.lastHeartbeat : a.registeredAt;
    }

    function _nameString(bytes32 name) private pure returns (string memory) {
        uint256 len = 0;
        while (len < 32 && name[len] != 0) len++;
        bytes memory out = new bytes(len);
        for (uint256 i = 0; i < len; i++) out[i] = name[i];
        return string(out);
    }
}
