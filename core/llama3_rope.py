"""Llama 3.1's "llama3" rotary scaling on transformers 4.34.1 (which predates it).

Llama 3.1 checkpoints carry ``rope_scaling = {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
"high_freq_factor": 4.0, "original_max_position_embeddings": 8192}``. transformers 4.34.1 (the newest
petals 2.2 accepts) refuses that config in ``LlamaConfig._rope_scaling_validation`` and its attention
knows only the "linear" and "dynamic" scalings. Loading it with ``rope_scaling`` dropped would *start*
but compute wrong rotary angles for every low-frequency dimension: wrong outputs, silently.

:func:`apply` teaches the two places the llama3 scaling: the config check accepts (and validates) a
llama3 dict, and ``LlamaAttention._init_rope`` — which petals' ``OptimizedLlamaAttention`` inherits —
builds transformers' own ``LlamaRotaryEmbedding`` and replaces its ``inv_freq`` with the llama3-scaled
frequencies (:func:`llama3_inv_freq`), then rebuilds the cos/sin cache from them. Everything else
(cache growth for longer sequences, rotate-half application, the KV cache) is transformers'/petals'
unchanged code, so the only new arithmetic is the frequency scaling, checked against an independent
implementation of Meta's published algorithm in tests/core_node/test_llama3_rope.py.

The initial cos/sin cache is built for ``original_max_position_embeddings`` (8192) rather than
131072 positions: transformers 4.34.1 builds it eagerly in float32, which would cost 128 MiB per block;
it grows on demand in ``forward`` exactly as before. Petals caps inference at 8192 tokens for
grouped-query models anyway.

Call :func:`apply` in the serving process before petals creates any block (before ``Server(...)``);
forked handler processes inherit it. It is idempotent.
"""
from __future__ import annotations

import math
from typing import Any, Mapping, Optional

_applied = False
_original_validation = None
_original_init_rope = None

LLAMA3_KEYS = ("factor", "low_freq_factor", "high_freq_factor", "original_max_position_embeddings")


def is_llama3_scaling(rope_scaling: Optional[Mapping[str, Any]]) -> bool:
    """Whether a config's ``rope_scaling`` asks for the llama3 scaling."""
    if not isinstance(rope_scaling, Mapping):
        return False
    return (rope_scaling.get("rope_type") or rope_scaling.get("type")) == "llama3"


def validate_llama3_scaling(rope_scaling: Mapping[str, Any]) -> None:
    """Raise ``ValueError`` unless the llama3 fields are present and sensible."""
    missing = [k for k in LLAMA3_KEYS if k not in rope_scaling]
    if missing:
        raise ValueError(f"llama3 rope_scaling lacks {', '.join(missing)}: {dict(rope_scaling)}")
    factor = float(rope_scaling["factor"])
    low = float(rope_scaling["low_freq_factor"])
    high = float(rope_scaling["high_freq_factor"])
    original = int(rope_scaling["original_max_position_embeddings"])
    if factor < 1.0 or low <= 0 or high <= low or original <= 0:
        raise ValueError(
            "llama3 rope_scaling needs factor >= 1, 0 < low_freq_factor < high_freq_factor and "
            f"original_max_position_embeddings > 0, got {dict(rope_scaling)}"
        )


def llama3_inv_freq(inv_freq, rope_scaling: Mapping[str, Any]):
    """Scale rotary inverse frequencies the llama3 way (vectorised; works on meta tensors too).

    Wavelengths shorter than ``original / high_freq_factor`` keep their frequency; longer than
    ``original / low_freq_factor`` are divided by ``factor``; in between, a linear blend in
    ``original / wavelength`` between the two.
    """
    import torch

    factor = float(rope_scaling["factor"])
    low = float(rope_scaling["low_freq_factor"])
    high = float(rope_scaling["high_freq_factor"])
    original = float(rope_scaling["original_max_position_embeddings"])
    low_freq_wavelen = original / low
    high_freq_wavelen = original / high
    wavelen = 2 * math.pi / inv_freq
    smooth = (original / wavelen - low) / (high - low)
    blended = (1 - smooth) * inv_freq / factor + smooth * inv_freq
    scaled = torch.where(wavelen > low_freq_wavelen, inv_freq / factor, blended)
    return torch.where(wavelen < high_freq_wavelen, inv_freq, scaled)


def _make_rotary_class():
    import torch
    from transformers.models.llama.modeling_llama import LlamaRotaryEmbedding

    class Llama3RotaryEmbedding(LlamaRotaryEmbedding):
        """transformers' rotary embedding with llama3-scaled inverse frequencies."""

        def __init__(self, dim, max_position_embeddings, base, rope_scaling, device=None):
            initial = min(int(max_position_embeddings), int(rope_scaling["original_max_position_embeddings"]))
            super().__init__(dim, max_position_embeddings=initial, base=base, device=device)
            self.max_position_embeddings = max_position_embeddings
            self.rope_scaling = dict(rope_scaling)
            self.register_buffer("inv_freq", llama3_inv_freq(self.inv_freq, rope_scaling), persistent=False)
            self._set_cos_sin_cache(seq_len=initial, device=self.inv_freq.device, dtype=torch.get_default_dtype())

    return Llama3RotaryEmbedding


def apply() -> None:
    """Install llama3 rope scaling support into transformers' Llama config and attention (idempotent)."""
    global _applied, _original_validation, _original_init_rope
    if _applied:
        return
    from transformers.models.llama.configuration_llama import LlamaConfig
    from transformers.models.llama.modeling_llama import LlamaAttention

    rotary_class = _make_rotary_class()
    _original_validation = LlamaConfig._rope_scaling_validation
    _original_init_rope = LlamaAttention._init_rope

    def _rope_scaling_validation(self) -> None:
        if is_llama3_scaling(self.rope_scaling):
            validate_llama3_scaling(self.rope_scaling)
            return
        _original_validation(self)

    def _init_rope(self) -> None:
        if is_llama3_scaling(self.config.rope_scaling):
            self.rotary_emb = rotary_class(
                self.head_dim,
                max_position_embeddings=self.max_position_embeddings,
                base=self.rope_theta,
                rope_scaling=self.config.rope_scaling,
            )
            return
        _original_init_rope(self)

    LlamaConfig._rope_scaling_validation = _rope_scaling_validation
    LlamaAttention._init_rope = _init_rope
    _applied = True


def is_applied() -> bool:
    return _applied


def original_validation():
    """transformers' own config check, as it was before :func:`apply` (for the tests' evidence)."""
    if _original_validation is not None:
        return _original_validation
    from transformers.models.llama.configuration_llama import LlamaConfig

    return LlamaConfig._rope_scaling_validation
