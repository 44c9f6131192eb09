"""core.hardware and core.tiers: measured hardware, per-block memory from the model shape, tier choice and reasons."""
from __future__ import annotations

import dataclasses
import json

import pytest

from core import hardware, tiers
from core.hardware import GIB, GpuInfo, Hardware


def machine(total_gib, free_gib, *, gpu_gib=None, mps=False, disk_gib=500.0, system="Linux", arch="x86_64"):
    gpus = (GpuInfo(0, "RTX", int(gpu_gib * GIB), int(gpu_gib * 0.95 * GIB)),) if gpu_gib else ()
    return Hardware(int(total_gib * GIB), int(free_gib * GIB), 4, 8, gpus, mps, int(disk_gib * GIB), "/x",
                    system, arch)


def test_detect_reads_this_machine(tmp_path):
    hw = hardware.detect(tmp_path)
    assert hw.total_ram_bytes >= hw.available_ram_bytes > 0
    assert hw.cpu_cores_logical >= hw.cpu_cores_physical >= 1
    assert hw.disk_free_bytes and hw.disk_free_bytes > 0
    assert hw.gpus == () and not hw.mps_available  # CPU torch on this machine
    assert "GiB memory" in hw.describe()


def test_block_params_match_the_real_architectures():
    """Counted by building one block of each tier's shape with transformers (on the meta device)."""
    import torch
    from transformers import BloomConfig, LlamaConfig
    from transformers.models.bloom.modeling_bloom import BloomBlock
    from transformers.models.llama.modeling_llama import LlamaDecoderLayer

    with torch.device("meta"):
        bloom = BloomBlock(BloomConfig(hidden_size=1024, n_head=16))
        llama = LlamaDecoderLayer(LlamaConfig(hidden_size=4096, intermediate_size=14336, num_attention_heads=32,
                                              num_key_value_heads=8))
    assert tiers.TIERS["lite"].shape.params_per_block() == sum(p.numel() for p in bloom.parameters())
    assert tiers.TIERS["pro"].shape.params_per_block() == sum(p.numel() for p in llama.parameters())


def test_shape_from_a_model_folder(tiny_llama):
    config = json.loads((tiny_llama / "config.json").read_text())
    shape = tiers.ModelShape.from_config(config)
    assert (shape.model_type, shape.num_layers, shape.hidden_size) == ("llama", 8, 64)
    plan = tiers.plan(machine(8, 6), model_name=str(tiny_llama))
    assert plan.num_blocks == 8 and plan.disk_needed_bytes == 0 and plan.tier is None


def test_recommendations_follow_the_seed_table():
    assert tiers.recommend(machine(8, 6))[0].key == "lite"
    assert tiers.recommend(machine(16, 12))[0].key == "standard"
    assert tiers.recommend(machine(64, 50))[0].key == "pro"
    assert tiers.recommend(machine(16, 12, mps=True, system="Darwin", arch="arm64"))[0].key == "pro"
    assert tiers.recommend(machine(64, 50, gpu_gib=80))[0].key == "ultra"
    # Plenty of RAM but the memory is in use: Standard would fit fewer than two blocks.
    tier, reason = tiers.recommend(machine(16, 4.5))
    assert tier.key == "lite" and "would fit only" in reason
    # No disk for the download.
    tier, reason = tiers.recommend(machine(64, 50, disk_gib=2))
    assert tier.key == "lite" and "free disk" in reason


def test_plan_counts_blocks_from_memory_left_and_says_why():
    plan = tiers.plan(machine(16, 12))
    assert plan.model_id == "bigscience/bloom-7b1" and plan.torch_dtype == "float32" and plan.device == "cpu"
    # Budget: 12 GiB free − max(2 GiB, 20 % of 16) − 0.75 GiB for the node = 8.05 GiB.
    assert plan.budget_bytes == int(12 * GIB) - int(3.2 * GIB) - tiers.NODE_PROCESS_BYTES
    assert plan.num_blocks == plan.budget_bytes // plan.block_memory_bytes
    assert plan.num_blocks * plan.block_memory_bytes <= plan.budget_bytes
    assert "Standard (bigscience/bloom-7b1)" in plan.reason and f"{plan.num_blocks} of 30 blocks fit" in plan.reason
    assert "stays with you" in plan.reason


def test_gpu_plan_uses_the_checkpoint_dtype_and_vram():
    plan = tiers.plan(machine(64, 50, gpu_gib=80))
    assert plan.tier == "ultra" and plan.device == "cuda" and plan.torch_dtype == "bfloat16"
    assert plan.needs_llama3_rope and plan.needs_token
    assert 30 <= plan.num_blocks <= 45  # ~1.74 GiB per 70B block in ~66 GiB usable


def test_overrides_and_bad_requests():
    hw = machine(16, 12)
    assert tiers.plan(hw, model_tier="lite").model_id == "bigscience/bloom-560m"
    assert tiers.plan(hw, model_tier="lite", num_blocks=3).num_blocks == 3
    pro = tiers.plan(hw, model_tier="pro", num_blocks=2)
    assert pro.torch_dtype == "bfloat16" and any("needs 32 GB" in w for w in pro.warnings)
    with pytest.raises(tiers.TierError, match="has only 24 blocks"):
        tiers.plan(hw, model_tier="lite", num_blocks=25)
    with pytest.raises(tiers.TierError, match="use at most"):
        tiers.plan(hw, model_tier="standard", num_blocks=29)
    with pytest.raises(tiers.TierError, match="Unknown model"):
        tiers.plan(hw, model_name="someone/unknown-model")
    with pytest.raises(tiers.TierError, match="no CUDA"):
        tiers.plan(hw, device="cuda")
    with pytest.raises(tiers.TierError, match="Not even one block"):
        tiers.plan(machine(4, 2.5), model_tier="ultra")


def test_unservable_rope_scaling_is_refused_plainly():
    config = {"model_type": "llama", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
              "intermediate_size": 128, "rope_scaling": {"rope_type": "yarn", "factor": 4.0}}
    ok, why = tiers.check_supported(tiers.ModelShape.from_config(config))
    assert not ok and "wrong answers" in why and "Llama 2" in why
    with pytest.raises(tiers.TierError, match="cannot be served correctly"):
        tiers.plan(machine(16, 12), model_name="x/yarn-model", model_config=config)
    ok, why = tiers.check_supported(tiers.TIERS["pro"].shape)
    assert ok and "llama3_rope" in why


def test_plan_from_settings():
    from core.settings import Settings

    s = Settings().replace(model_tier="lite", block_indices="0:6")
    assert tiers.plan_from_settings(s, machine(16, 12)).num_blocks == 6


def test_qualifies_is_public_and_says_why_not():
    lite, standard, ultra = tiers.TIERS["lite"], tiers.TIERS["standard"], tiers.TIERS["ultra"]
    small = machine(8, 6)
    assert tiers.qualifies(lite, small, "cpu") is None
    reason = tiers.qualifies(standard, small, "cpu")
    assert reason and "GB of memory" in reason and "this computer has 8" in reason
    assert "graphics card" in tiers.qualifies(ultra, machine(256, 200), "cpu")
    assert not hasattr(tiers, "_qualifies")
