"""Model tiers (the original node's table) and how many blocks this computer can serve.

| tier | model | original guidance |
|---|---|---|
| Lite | bigscience/bloom-560m | any PC, background use |
| Standard | bigscience/bloom-7b1 | 16 GB RAM |
| Pro | meta-llama/Llama-3.1-8B | 32 GB+ RAM or Apple Silicon |
| Ultra | meta-llama/Llama-3.1-70B | GPU server |

Memory per block comes from the model's shape (hidden size, intermediate size, heads, dtype) plus
Petals' attention cache for that block, so a plan never relies on a remembered figure. The budget
leaves room for the person using the computer: on CPU the larger of 2 GiB and 20 % of the memory,
plus what the node process itself needs; on a GPU 10 % of its memory and the CUDA context.

Llama 3.1 uses the "llama3" rope scaling that transformers 4.34.1 cannot load; :mod:`core.llama3_rope`
adds it (verified against Meta's algorithm, see tests/core_node/test_llama3_rope.py), so Pro and
Ultra are servable once :func:`core.llama3_rope.apply` runs in the serving process. A model whose
rope scaling we cannot reproduce is refused by :func:`check_supported` — never served with wrong outputs.
"""
from __future__ import annotations

import dataclasses
import json
import math
import os
from pathlib import Path
from typing import Any, Mapping, Optional

from core.hardware import GIB, Hardware

# Petals 2.2 ships blocks for these architectures.
SUPPORTED_MODEL_TYPES = ("bloom", "llama", "falcon", "mixtral")
_DTYPE_BYTES = {"float32": 4, "bfloat16": 2, "float16": 2}
MIN_USEFUL_BLOCKS = 2  # the seed's table is written "for 2 blocks"
NODE_PROCESS_BYTES = int(0.75 * GIB)  # torch + petals + hivemind + p2pd, measured ~0.4–0.6 GiB


class TierError(ValueError):
    """A plan cannot be made; ``str()`` says why and what to do instead."""


@dataclasses.dataclass(frozen=True)
class ModelShape:
    """The parts of a model's config.json that decide memory and servability."""

    model_type: str
    num_layers: int
    hidden_size: int
    intermediate_size: int
    num_heads: int
    num_kv_heads: int
    vocab_size: int
    checkpoint_dtype: str = "float16"
    rope_scaling: Optional[Mapping[str, Any]] = None
    max_position_embeddings: Optional[int] = None

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "ModelShape":
        """Read a Hugging Face config.json dict (BLOOM's and Llama's field names)."""
        model_type = str(config.get("model_type", ""))
        hidden = int(config.get("hidden_size") or config.get("n_embed") or 0)
        layers = int(config.get("num_hidden_layers") or config.get("n_layer") or 0)
        heads = int(config.get("num_attention_heads") or config.get("n_head") or 1)
        if not hidden or not layers:
            raise TierError(f"The model's config.json lacks its size (hidden_size, number of layers): {model_type!r}")
        return cls(
            model_type=model_type,
            num_layers=layers,
            hidden_size=hidden,
            intermediate_size=int(config.get("intermediate_size") or 4 * hidden),
            num_heads=heads,
            num_kv_heads=int(config.get("num_key_value_heads") or heads),
            vocab_size=int(config.get("vocab_size") or 0),
            checkpoint_dtype=str(config.get("torch_dtype") or "float16"),
            rope_scaling=config.get("rope_scaling"),
            max_position_embeddings=config.get("max_position_embeddings"),
        )

    @property
    def head_dim(self) -> int:
        return self.hidden_size // self.num_heads

    @property
    def kv_groups(self) -> int:
        return max(1, self.num_heads // self.num_kv_heads)

    def params_per_block(self) -> int:
        """Parameters of one transformer block (weights and biases)."""
        h, i = self.hidden_size, self.intermediate_size
        if self.model_type == "bloom":
            # qkv (h→3h, bias), dense (h→h, bias), mlp h→4h→h with biases, two LayerNorms (weight+bias)
            return 3 * h * h + 3 * h + h * h + h + h * i + i + i * h + h + 4 * h
        kv = self.num_kv_heads * self.head_dim
        if self.model_type == "falcon":
            return h * (h + 2 * kv) + h * h + 2 * h * i + 4 * h
        # llama / mixtral (per expert counted once per expert is not modelled: mixtral is rough)
        return 2 * h * h + 2 * h * kv + 3 * h * i + 2 * h

    def attn_cache_bytes(self, dtype: str) -> int:
        """Petals' attention cache per block (Server: 16384 tokens for grouped-query models, else 4096)."""
        tokens = 16384 if self.kv_groups > 1 else 4096
        return 2 * self.hidden_size * tokens // self.kv_groups * _DTYPE_BYTES[dtype]

    def block_memory_bytes(self, dtype: str) -> int:
        """Weights + attention cache + small buffers (rotary cache, activations ~5 %) of one block."""
        weights = self.params_per_block() * _DTYPE_BYTES[dtype]
        rotary = 0
        if self.model_type in ("llama", "mixtral"):
            # transformers keeps cos+sin caches in float32; core.llama3_rope starts them at 8192 positions
            positions = min(int(self.max_position_embeddings or 2048), 8192)
            rotary = 2 * positions * self.head_dim * 4
        return int(weights * 1.05) + self.attn_cache_bytes(dtype) + rotary

    def block_disk_bytes(self) -> int:
        return self.params_per_block() * _DTYPE_BYTES.get(self.checkpoint_dtype, 2)


@dataclasses.dataclass(frozen=True)
class Tier:
    """One row of the tier table."""

    key: str
    label: str
    model_id: str
    shape: ModelShape
    checkpoint_bytes: int  # the whole checkpoint, for the disk estimate
    single_file: bool  # one weights file (the whole file is needed for any block)
    min_total_ram_bytes: int  # CPU / Apple unified memory
    min_gpu_bytes: Optional[int]  # a CUDA card this large qualifies on its own
    gpu_only: bool = False
    needs_token: bool = False  # gated on the hub: needs a Hugging Face token with access
    note: str = ""


_BLOOM_560M = ModelShape("bloom", 24, 1024, 4096, 16, 16, 250880, "float16")
_BLOOM_7B1 = ModelShape("bloom", 30, 4096, 16384, 32, 32, 250880, "float16")
_LLAMA31_SCALING = {
    "rope_type": "llama3",
    "factor": 8.0,
    "low_freq_factor": 1.0,
    "high_freq_factor": 4.0,
    "original_max_position_embeddings": 8192,
}
_LLAMA31_8B = ModelShape("llama", 32, 4096, 14336, 32, 8, 128256, "bfloat16", _LLAMA31_SCALING, 131072)
_LLAMA31_70B = ModelShape("llama", 80, 8192, 28672, 64, 8, 128256, "bfloat16", _LLAMA31_SCALING, 131072)

TIERS: dict[str, Tier] = {
    "lite": Tier("lite", "Lite", "bigscience/bloom-560m", _BLOOM_560M, int(1.12e9), True, 0, None,
                 note="runs on almost any computer"),
    "standard": Tier("standard", "Standard", "bigscience/bloom-7b1", _BLOOM_7B1, int(14.1e9), False, 16 * GIB,
                     8 * GIB, note="for computers with 16 GB of memory"),
    "pro": Tier("pro", "Pro", "meta-llama/Llama-3.1-8B", _LLAMA31_8B, int(16.1e9), False, 32 * GIB, 12 * GIB,
                needs_token=True, note="for 32 GB+ of memory or Apple Silicon; needs Meta's license accepted on "
                "Hugging Face and a token"),
    "ultra": Tier("ultra", "Ultra", "meta-llama/Llama-3.1-70B", _LLAMA31_70B, int(141e9), False, 0, 24 * GIB,
                  gpu_only=True, needs_token=True, note="for GPU servers; needs Meta's license accepted on "
                  "Hugging Face and a token"),
}
TIER_ORDER = ("lite", "standard", "pro", "ultra")


def tier_for_model(model_id: str) -> Optional[Tier]:
    """The tier whose model is ``model_id`` (case-insensitive), if any."""
    for tier in TIERS.values():
        if tier.model_id.lower() == model_id.lower():
            return tier
    return None


def check_supported(shape: ModelShape) -> tuple[bool, str]:
    """Whether our stack (petals 2.2, transformers 4.34.1 + core.llama3_rope) serves it correctly."""
    if shape.model_type not in SUPPORTED_MODEL_TYPES:
        return False, (
            f"Petals 2.2 cannot serve {shape.model_type!r} models; choose a BLOOM, Llama, Falcon or Mixtral model."
        )
    scaling = shape.rope_scaling
    if scaling:
        kind = scaling.get("rope_type") or scaling.get("type")
        if kind == "llama3":
            try:
                from core.llama3_rope import validate_llama3_scaling

                validate_llama3_scaling(scaling)
            except ValueError as exc:
                return False, f"This model's llama3 rope scaling is malformed ({exc}); it cannot be served."
            return True, "Llama 3.1 rope scaling is applied by core.llama3_rope (checked against Meta's algorithm)."
        if kind not in ("linear", "dynamic"):
            return False, (
                f"This model uses rope scaling {kind!r}, which this node cannot compute exactly, so it would give "
                "wrong answers. Choose a Llama 2 or Llama 3.1 model, or a BLOOM model."
            )
    return True, "supported"


def device_for(hardware: Hardware, requested: str = "auto") -> str:
    """``cuda``/``mps``/``cpu`` from the setting; a requested device that is missing is an error."""
    if requested == "auto":
        return "cuda" if hardware.has_cuda else "mps" if hardware.mps_available else "cpu"
    if requested == "cuda" and not hardware.has_cuda:
        raise TierError("The device is set to cuda, but no CUDA graphics card is usable here; set it to auto or cpu.")
    if requested == "mps" and not hardware.mps_available:
        raise TierError("The device is set to mps, but Apple's GPU is not available here; set it to auto or cpu.")
    return requested


def serving_dtype(shape: ModelShape, device: str) -> str:
    """The dtype a block is held in: the checkpoint's on a GPU; on CPU bfloat16 only for bfloat16
    checkpoints (float16 is unsupported on CPU and float16 → bfloat16 would change outputs)."""
    if device == "cuda":
        return shape.checkpoint_dtype if shape.checkpoint_dtype in ("float16", "bfloat16") else "float32"
    if device == "mps":
        return "float16" if shape.checkpoint_dtype in ("float16", "bfloat16") else "float32"
    return "bfloat16" if shape.checkpoint_dtype == "bfloat16" else "float32"


def memory_budget(hardware: Hardware, device: str, shape: Optional[ModelShape] = None) -> tuple[int, str]:
    """Bytes blocks may use on ``device``, and how that was decided, in words."""
    if device == "cuda" and hardware.best_gpu is not None:
        gpu = hardware.best_gpu
        # CUDA context ~0.5 GiB; Petals reserves autograd memory (2 GiB for BLOOM-176B's width) for backward.
        autograd = int(2 * GIB * (shape.hidden_size if shape else 14336) / 14336)
        keep = max(int(0.10 * gpu.total_bytes), GIB // 2)
        budget = gpu.free_bytes - keep - GIB // 2 - autograd
        return max(0, budget), (
            f"{gpu.name} has {gpu.free_bytes / GIB:.1f} GiB free; {(keep + GIB // 2 + autograd) / GIB:.1f} GiB "
            "is kept for the display, the CUDA context and training requests"
        )
    headroom = max(2 * GIB, int(0.20 * hardware.total_ram_bytes))
    budget = hardware.available_ram_bytes - headroom - NODE_PROCESS_BYTES
    return max(0, budget), (
        f"{hardware.available_ram_bytes / GIB:.1f} GiB of {hardware.total_ram_bytes / GIB:.0f} GiB memory is free; "
        f"{headroom / GIB:.1f} GiB stays with you and the system and {NODE_PROCESS_BYTES / GIB:.2f} GiB goes to the node"
    )


def blocks_that_fit(shape: ModelShape, budget_bytes: int, dtype: str) -> int:
    return min(shape.num_layers, max(0, budget_bytes // shape.block_memory_bytes(dtype)))


def disk_needed_bytes(tier_or_shape: Tier | ModelShape, num_blocks: int) -> int:
    """Approximate download size for ``num_blocks`` blocks (shards hold several blocks: two blocks of slack)."""
    if isinstance(tier_or_shape, Tier):
        if tier_or_shape.single_file:
            return tier_or_shape.checkpoint_bytes
        estimate = (num_blocks + 2) * tier_or_shape.shape.block_disk_bytes()
        return min(tier_or_shape.checkpoint_bytes, estimate)
    return (num_blocks + 2) * tier_or_shape.block_disk_bytes()


def qualifies(tier: Tier, hw: Hardware, device: str) -> Optional[str]:
    """Whether this computer's class of hardware suits ``tier`` when computing on ``device``.

    Returns None when it does, else the reason it does not as a sentence for a person (the tier picker
    and the app's hardware advice show it). This is about the class of machine (total RAM, a large enough
    GPU), not about free memory right now: :func:`memory_budget` and :func:`blocks_that_fit` decide that.
    """
    gpu = hw.best_gpu
    gpu_ok = device == "cuda" and gpu is not None and tier.min_gpu_bytes is not None and gpu.total_bytes >= tier.min_gpu_bytes
    if tier.gpu_only:
        return None if gpu_ok else f"{tier.label} needs a graphics card with {tier.min_gpu_bytes // GIB} GiB or more"
    if gpu_ok or hw.total_ram_bytes >= tier.min_total_ram_bytes * 0.95:  # "16 GB" machines report ~15.6 GiB
        return None
    if tier.key == "pro" and device == "mps" and hw.total_ram_bytes >= 16 * GIB * 0.95:
        return None
    return f"{tier.label} needs {tier.min_total_ram_bytes // GIB} GB of memory (this computer has {hw.total_ram_bytes / GIB:.0f})"


@dataclasses.dataclass(frozen=True)
class ServingPlan:
    """What to serve, how many blocks, in which dtype on which device — and why, in words."""

    tier: Optional[str]  # tier key, None for a model outside the table
    model_id: str
    shape: ModelShape
    device: str
    torch_dtype: str
    num_blocks: int
    block_memory_bytes: int
    budget_bytes: int
    disk_needed_bytes: int
    reason: str
    warnings: tuple[str, ...] = ()
    needs_token: bool = False
    needs_llama3_rope: bool = False


def recommend(hardware: Hardware, device: str = "auto", *, model_supported=check_supported) -> tuple[Tier, str]:
    """The largest tier this hardware qualifies for that fits at least two blocks, and why."""
    dev = device_for(hardware, device)
    skipped: list[str] = []
    for key in reversed(TIER_ORDER):
        tier = TIERS[key]
        ok, why = model_supported(tier.shape)
        if not ok:
            skipped.append(f"{tier.label}: {why}")
            continue
        problem = qualifies(tier, hardware, dev)
        if problem is None:
            dtype = serving_dtype(tier.shape, dev)
            budget, _ = memory_budget(hardware, dev, tier.shape)
            fit = blocks_that_fit(tier.shape, budget, dtype)
            if fit < MIN_USEFUL_BLOCKS and key != "lite":
                problem = f"{tier.label} would fit only {fit} block(s) in the free memory"
            elif hardware.disk_free_bytes is not None and key != "lite":
                need = disk_needed_bytes(tier, max(fit, 1))
                if hardware.disk_free_bytes < need + GIB:
                    problem = f"{tier.label} needs about {need / GIB:.0f} GiB of free disk"
        if problem is None:
            lead = f"{tier.label} ({tier.model_id}) is the largest model that suits this computer"
            if skipped:
                lead += f" ({'; '.join(skipped)})"
            return tier, lead
        skipped.append(problem)
    return TIERS["lite"], "Lite (bigscience/bloom-560m) is the smallest model; " + "; ".join(skipped)


def read_model_config(model: str) -> Optional[dict]:
    """config.json of a local model folder, or None when ``model`` is not a folder."""
    path = Path(model)
    if path.is_dir():
        cfg = path / "config.json"
        if not cfg.is_file():
            raise TierError(f"The model folder {model} has no config.json; it is not a complete model folder.")
        return json.loads(cfg.read_text())
    return None


def plan(
    hardware: Hardware,
    *,
    model_tier: str = "auto",
    model_name: Optional[str] = None,
    num_blocks: Optional[int] = None,
    device: str = "auto",
    model_config: Optional[Mapping[str, Any]] = None,
) -> ServingPlan:
    """Decide model, device, dtype and number of blocks; explicit settings override the hardware's choice.

    ``model_name`` may be a tier's hub id, a local folder (its config.json is read) or another hub id
    (then ``model_config`` — its config.json — is required). Raises :class:`TierError` for an unknown
    or unservable model, or when ``num_blocks`` exceeds the model or the memory.
    """
    dev = device_for(hardware, device)
    warnings: list[str] = []
    tier: Optional[Tier] = None
    if model_name:
        config = model_config or read_model_config(model_name)
        tier = tier_for_model(model_name)
        if config is not None:
            shape = ModelShape.from_config(config)
        elif tier is not None:
            shape = tier.shape
        else:
            raise TierError(
                f"Unknown model {model_name!r}: it is neither a model folder nor one of the tiers "
                f"({', '.join(t.model_id for t in TIERS.values())}). Check the name, or download it first."
            )
        model_id = model_name
        lead = f"{model_name} was chosen in the settings"
    elif model_tier != "auto":
        if model_tier not in TIERS:
            raise TierError(f"Unknown model tier {model_tier!r}; use auto, {', '.join(TIER_ORDER)}.")
        tier = TIERS[model_tier]
        shape, model_id = tier.shape, tier.model_id
        lead = f"{tier.label} ({tier.model_id}) was chosen in the settings"
        problem = qualifies(tier, hardware, dev)
        if problem:
            warnings.append(f"{problem}; it may run slowly or not at all.")
    else:
        tier, lead = recommend(hardware, dev)
        shape, model_id = tier.shape, tier.model_id

    ok, why = check_supported(shape)
    if not ok:
        raise TierError(f"{model_id} cannot be served correctly here: {why}")
    dtype = serving_dtype(shape, dev)
    per_block = shape.block_memory_bytes(dtype)
    budget, budget_words = memory_budget(hardware, dev, shape)
    fit = blocks_that_fit(shape, budget, dtype)
    if num_blocks is not None:
        if num_blocks > shape.num_layers:
            raise TierError(
                f"NUM_BLOCKS is {num_blocks}, but {model_id} has only {shape.num_layers} blocks; "
                f"use at most {shape.num_layers}."
            )
        if num_blocks > fit:
            raise TierError(
                f"{num_blocks} blocks of {model_id} need about {num_blocks * per_block / GIB:.1f} GiB, but only "
                f"{budget / GIB:.1f} GiB can be used ({budget_words}); use at most {fit} blocks or a smaller model."
            )
        blocks = num_blocks
        count_words = f"{blocks} blocks as set"
    else:
        if fit < 1:
            raise TierError(
                f"Not even one block of {model_id} fits: a block needs about {per_block / GIB:.2f} GiB and "
                f"{budget / GIB:.2f} GiB can be used ({budget_words}). Close other programs or choose a smaller model."
            )
        blocks = fit
        count_words = f"{blocks} of {shape.num_layers} blocks fit"
    disk = disk_needed_bytes(tier, blocks) if tier is not None and tier.model_id.lower() == model_id.lower() else (
        0 if Path(model_id).is_dir() else disk_needed_bytes(shape, blocks)
    )
    if hardware.disk_free_bytes is not None and disk > hardware.disk_free_bytes:
        warnings.append(
            f"The download needs about {disk / GIB:.1f} GiB but only {hardware.disk_free_bytes / GIB:.1f} GiB is free."
        )
    needs_token = bool(tier and tier.needs_token and tier.model_id.lower() == model_id.lower())
    if needs_token and not (os.environ.get("HF_TOKEN") or os.environ.get("HUGGING_FACE_HUB_TOKEN")):
        warnings.append(
            f"{model_id} is gated: accept Meta's license on huggingface.co and set HF_TOKEN (or run "
            "huggingface-cli login) before the download."
        )
    reason = (
        f"{lead}. {count_words} at about {per_block / GIB:.2f} GiB each in {dtype} on {dev.upper()} "
        f"({budget_words})."
    )
    return ServingPlan(
        tier=tier.key if tier else None,
        model_id=model_id,
        shape=shape,
        device=dev,
        torch_dtype=dtype,
        num_blocks=blocks,
        block_memory_bytes=per_block,
        budget_bytes=budget,
        disk_needed_bytes=disk,
        reason=reason,
        warnings=tuple(warnings),
        needs_token=needs_token,
        needs_llama3_rope=bool(shape.rope_scaling and (shape.rope_scaling.get("rope_type") or
                                                        shape.rope_scaling.get("type")) == "llama3"),
    )


def plan_from_settings(settings, hardware: Hardware, model_config: Optional[Mapping[str, Any]] = None) -> ServingPlan:
    """:func:`plan` driven by :class:`core.settings.Settings` (model_name, model_tier, num_blocks, device).

    An explicit ``block_indices`` setting fixes the count to the range's length.
    """
    num_blocks = settings.num_blocks
    if settings.block_indices:
        start, end = (int(x) for x in settings.block_indices.split(":"))
        num_blocks = end - start
    return plan(
        hardware,
        model_tier=settings.model_tier,
        model_name=settings.model_name,
        num_blocks=num_blocks,
        device=settings.device,
        model_config=model_config,
    )
