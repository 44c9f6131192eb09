// SPDX-License-Identifier: MIT
// Devnet emulation of the Plumise genesis RewardPool at 0x…1000 (PROTOCOL.md §5).
//
// Block rewards reach the real pool through the consensus engine's AddBalance, never through a call;
// the devnet's block producer does the same with anvil_setBalance, so syncRewards() is how they are
// counted here too. Installed with anvil_setCode: initialize() replaces the constructor.
pragma solidity 0.8.37;

interface IAgentRegistryView {
    function isRegistered(address agent) external view returns (bool);
    function isActive(address agent) external view returns (bool);
}

contract RewardPool {
    struct Contribution {
        uint256 taskCount;
        uint256 uptimeSeconds;
        uint256 responseScore;
        uint256 lastUpdated;
    }

    uint256 public constant MAX_TASK_COUNT = 10_000;
    uint256 public constant MAX_UPTIME_SECONDS = 604_800;
    uint256 public constant MAX_RESPONSE_SCORE = 1_000_000;
    uint256 public constant MAX_EPOCH_AGENTS = 200;
    uint256 public constant TASK_WEIGHT = 50;
    uint256 public constant UPTIME_WEIGHT = 30;
    uint256 public constant RESPONSE_WEIGHT = 20;
    address public constant CLAIM_PRECOMPILE = 0x0000000000000000000000000000000000000023;

    bool public initialized;
    address public owner;
    address public oracle;
    IAgentRegistryView public agentRegistry;
    uint256 public blocksPerEpoch;
    uint256 public deployBlock;
    uint256 public lastTrackedBalance;
    bool private locked;

    mapping(address => Contribution) private contributions;
    mapping(address => uint256) private pendingRewards;
    mapping(address => uint256) public totalRewarded;
    mapping(uint256 => uint256) public epochRewards;
    mapping(uint256 => mapping(address => Contribution)) private epochContributions;
    mapping(uint256 => address[]) private epochAgents;
    mapping(uint256 => mapping(address => bool)) private epochAgentExists;
    mapping(uint256 => bool) public epochDistributed;

    event RewardReceived(uint256 amount, uint256 epoch);
    event ContributionReported(address indexed agent, uint256 taskCount, uint256 uptimeSeconds, uint256 responseScore, uint256 epoch);
    event RewardsDistributed(uint256 indexed epoch, uint256 totalReward, uint256 agentCount);
    event RewardClaimed(address indexed agent, uint256 amount);

    modifier nonReentrant() {
        require(!locked, "Reentrant call");
        locked = true;
        _;
        locked = false;
    }

    function initialize(address oracle_, address registry_, uint256 blocksPerEpoch_) external {
        require(!initialized, "Already initialized");
        require(oracle_ != address(0), "Invalid oracle");
        require(registry_ != address(0), "Invalid registry");
        require(blocksPerEpoch_ > 0, "Invalid epoch length");
        initialized = true;
        owner = msg.sender;
        oracle = oracle_;
        agentRegistry = IAgentRegistryView(registry_);
        blocksPerEpoch = blocksPerEpoch_;
        deployBlock = block.number;
        // Whatever the address already holds is not a block reward of this pool's lifetime.
        lastTrackedBalance = address(this).balance;
    }

    receive() external payable {
        uint256 epoch = getCurrentEpoch();
        epochRewards[epoch] += msg.value;
        lastTrackedBalance = address(this).balance;
        emit RewardReceived(msg.value, epoch);
    }

    function syncRewards() external {
        require(msg.sender == oracle, "Only oracle");
        uint256 balance = address(this).balance;
        if (balance <= lastTrackedBalance) return;
        uint256 fresh = balance - lastTrackedBalance;
        uint256 epoch = getCurrentEpoch();
        epochRewards[epoch] += fresh;
        lastTrackedBalance = balance;
        emit RewardReceived(fresh, epoch);
    }

    function reportContribution(address agent, uint256 taskCount, uint256 uptimeSeconds, uint256 responseScore)
        external
    {
        require(msg.sender == oracle, "Only oracle");
        require(taskCount <= MAX_TASK_COUNT, "Task count too high");
        require(uptimeSeconds <= MAX_UPTIME_SECONDS, "Uptime too high");
        require(responseScore <= MAX_RESPONSE_SCORE, "Response score too high");
        require(agentRegistry.isRegistered(agent), "Agent not registered");
        require(agentRegistry.isActive(agent), "Agent not active");

        uint256 epoch = getCurrentEpoch();
        _add(contributions[agent], taskCount, uptimeSeconds, responseScore);
        if (!epochAgentExists[epoch][agent]) {
            require(epochAgents[epoch].length < MAX_EPOCH_AGENTS, "Max agents reached");
            epochAgents[epoch].push(agent);
            epochAgentExists[epoch][agent] = true;
        }
        _add(epochContributions[epoch][agent], taskCount, uptimeSeconds, responseScore);
        emit ContributionReported(agent, taskCount, uptimeSeconds, responseScore, epoch);
    }

    function distributeRewards(uint256 epoch) external {
        require(msg.sender == oracle, "Only oracle");
        require(epoch < getCurrentEpoch(), "Epoch not ended");
        require(!epochDistributed[epoch], "Already distributed");
        require(epochRewards[epoch] > 0, "No rewards");
        epochDistributed[epoch] = true;

        uint256 total = epochRewards[epoch];
        address[] storage agents = epochAgents[epoch];
        uint256 totalScore = 0;
        uint256 lastScoring = type(uint256).max;
        for (uint256 i = 0; i < agents.length; i++) {
            uint256 score = _score(epochContributions[epoch][agents[i]]);
            totalScore += score;
            if (score > 0) lastScoring = i;
        }
        if (totalScore == 0) {
            // Nobody earned anything: the rewards stay in the pool, as on the real chain.
            emit RewardsDistributed(epoch, 0, 0);
            return;
        }
        uint256 given = 0;
        for (uint256 i = 0; i < agents.length; i++) {
            uint256 score = _score(epochContributions[epoch][agents[i]]);
            if (score == 0) continue;
            // The last scoring agent takes the rounding dust so the epoch pays out exactly its rewards.
            uint256 reward = i == lastScoring ? total - given : (total * score) / totalScore;
            pendingRewards[agents[i]] += reward;
            totalRewarded[agents[i]] += reward;
            given += reward;
        }
        emit RewardsDistributed(epoch, total, agents.length);
    }

    function claimReward() external nonReentrant {
        _claim(msg.sender, true);
    }

    // Only the claim precompile may claim on an agent's behalf; it treats "nothing pending" as success.
    function claimRewardFor(address agent) external nonReentrant {
        require(msg.sender == CLAIM_PRECOMPILE, "Only the claim precompile");
        _claim(agent, false);
    }

    function getPendingReward(address agent) external view returns (uint256) {
        return pendingRewards[agent];
    }

    function getContribution(address agent) external view returns (Contribution memory) {
        return contributions[agent];
    }

    function getEpochContribution(uint256 epoch, address agent) external view returns (Contribution memory) {
        return epochContributions[epoch][agent];
    }

    function getEpochAgents(uint256 epoch) external view returns (address[] memory) {
        return epochAgents[epoch];
    }

    function getCurrentEpoch() public view returns (uint256) {
        if (block.number <= deployBlock) return 0;
        return (block.number - deployBlock) / blocksPerEpoch;
    }

    function _claim(address agent, bool strict) private {
        uint256 reward = pendingRewards[agent];
        if (!strict && (reward == 0 || !agentRegistry.isRegistered(agent))) return;
        require(agentRegistry.isRegistered(agent), "Not registered");
        require(reward > 0, "No rewards");
        pendingRewards[agent] = 0;
        lastTrackedBalance = address(this).balance - reward;
        (bool ok, ) = agent.call{value: reward}("");
        require(ok, "Transfer failed");
        emit RewardClaimed(agent, reward);
    }

    function _add(Contribution storage c, uint256 taskCount, uint256 uptimeSeconds, uint256 responseScore) private {
        c.taskCount += taskCount;
        c.uptimeSeconds += uptimeSeconds;
        c.responseScore += responseScore;
        c.lastUpdated = block.timestamp;
    }

    function _score(Contribution storage c) private view returns (uint256) {
        return c.taskCount * TASK_WEIGHT + c.uptimeSeconds * UPTIME_WEIGHT + c.responseScore * RESPONSE_WEIGHT;
    }
}
