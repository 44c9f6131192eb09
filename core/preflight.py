"""Checks made before anything heavy starts, so bad input ends with a clear sentence and nothing half started.

Each check raises :class:`PreflightError` whose ``reason`` is a sentence a non-technical person can act on and
whose ``detail`` is a line for support.
"""
from __future__ import annotations

import dataclasses
import errno
import json
import socket
from pathlib import Path
from typing import Optional

# Petals looks for weights under these names, in this order (petals/server/from_pretrained.py).
WEIGHT_FILES = ("model.safetensors.index.json", "model.safetensors", "pytorch_model.bin.index.json", "pytorch_model.bin")


class PreflightError(RuntimeError):
    """Bad input found before starting; ``reason`` for a person, ``detail`` for support."""

    def __init__(self, reason: str, detail: Optional[str] = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


@dataclasses.dataclass(frozen=True)
class ModelFacts:
    """What the node needs to know about a local model folder."""

    path: Path
    model_type: str
    num_blocks: int
    block_prefix: str
    config: object  # petals' distributed config


def check_port_free(host: str, port: int, what: str) -> None:
    """Raise if ``host:port`` (TCP) cannot be bound; port 0 (any free port) always passes."""
    if not port:
        return
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((host, port))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise PreflightError(
                f"Port {port} on this computer is already in use by another program, so the {what} cannot "
                f"start. Close the other program (or another running node), or choose a different port.",
                f"bind {host}:{port}: {exc}",
            ) from exc
        raise PreflightError(f"The {what} cannot use {host}:{port}: {exc.strerror}.", str(exc)) from exc
    finally:
        sock.close()


def looks_like_hub_id(model: str) -> bool:
    """``org/name`` with no path-like parts: a Hugging Face model id rather than a folder."""
    parts = model.split("/")
    return len(parts) == 2 and all(parts) and not model.startswith((".", "~")) and "\\" not in model


def read_model(path: Path) -> ModelFacts:
    """Read a local model folder's config; raise if it is missing or not a model Petals can serve."""
    config_path = path / "config.json"
    if not config_path.is_file():
        raise PreflightError(
            f"The model folder {path} has no config.json, so it is not a complete model. Download the model "
            f"again or choose another folder.",
            f"missing {config_path}",
        )
    try:
        raw = json.loads(config_path.read_text())
    except (OSError, ValueError) as exc:
        raise PreflightError(
            f"The model's config.json in {path} cannot be read. Download the model again.", str(exc)
        ) from exc
    from core.petals_compat import import_petals

    import_petals()
    from petals import AutoDistributedConfig

    try:
        config = AutoDistributedConfig.from_pretrained(str(path))
    except Exception as exc:  # noqa: BLE001 - any failure here means "not a model we can serve"
        raise PreflightError(
            f"This node cannot serve the model in {path} (type {raw.get('model_type', 'unknown')!r}); it "
            f"serves BLOOM, Llama, Falcon and Mixtral models. Choose one of the listed models.",
            f"{type(exc).__name__}: {exc}",
        ) from exc
    return ModelFacts(
        path=path,
        model_type=str(raw.get("model_type")),
        num_blocks=int(config.num_hidden_layers),
        block_prefix=str(config.block_prefix),
        config=config,
    )


def parse_block_range(block_indices: Optional[str], num_blocks: Optional[int], total: int) -> Optional[range]:
    """The blocks to serve, checked against the model; ``None`` when Petals chooses them (``num_blocks``)."""
    if block_indices is not None:
        try:
            start, end = (int(x.strip()) for x in block_indices.split(":"))
        except ValueError as exc:
            raise PreflightError(
                f"The block range {block_indices!r} is not valid; write it as start:end, e.g. 0:4.", str(exc)
            ) from exc
        if not 0 <= start < end <= total:
            raise PreflightError(
                f"The block range {start}:{end} does not fit this model, which has {total} blocks "
                f"(0:{total}). Choose a range inside it.",
                f"start={start} end={end} total={total}",
            )
        return range(start, end)
    if num_blocks is None or num_blocks < 1:
        raise PreflightError("Choose how many blocks to serve (at least 1).", f"num_blocks={num_blocks}")
    if num_blocks > total:
        raise PreflightError(
            f"This model has only {total} blocks, so this node cannot serve {num_blocks}. Choose {total} or fewer.",
            f"num_blocks={num_blocks} total={total}",
        )
    return None


def check_weights(facts: ModelFacts, blocks: Optional[range]) -> None:
    """Raise unless the weight files that the served blocks need are all present and readable."""
    path = facts.path
    found = next((name for name in WEIGHT_FILES if (path / name).is_file()), None)
    if found is None:
        raise PreflightError(
            f"The model folder {path} has no weight files, so it is not a complete model. Download the model "
            f"again or choose another folder.",
            f"none of {', '.join(WEIGHT_FILES)} in {path}",
        )
    wanted = range(facts.num_blocks) if blocks is None else blocks
    prefixes = tuple(f"{facts.block_prefix}.{i}." for i in wanted)
    if found.endswith(".index.json"):
        try:
            weight_map = json.loads((path / found).read_text())["weight_map"]
        except (OSError, ValueError, KeyError) as exc:
            raise PreflightError(f"The model's weight index {found} in {path} is damaged. Download the model again.", str(exc)) from exc
        needed = {file for key, file in weight_map.items() if key.startswith(prefixes)}
        missing = sorted(file for file in needed if not (path / file).is_file())
        if missing:
            raise PreflightError(
                f"The model folder {path} is missing {len(missing)} weight file(s) that the chosen blocks need. "
                f"Download the model again.",
                f"missing: {', '.join(missing)}",
            )
        keys = [key for key in weight_map if key.startswith(prefixes)]
    elif found.endswith(".safetensors"):
        try:
            from safetensors import safe_open

            with safe_open(str(path / found), "pt") as handle:
                keys = [key for key in handle.keys() if key.startswith(prefixes)]
        except Exception as exc:  # noqa: BLE001 - a damaged header is the user's broken download
            raise PreflightError(
                f"The model's weights file {found} in {path} is damaged. Download the model again.",
                f"{type(exc).__name__}: {exc}",
            ) from exc
    else:
        return  # a pickled .bin cannot be inspected without loading it; Petals will say if it is wrong
    have = {int(key[len(facts.block_prefix) + 1 :].split(".", 1)[0]) for key in keys}
    absent = [i for i in wanted if i not in have]
    if absent:
        raise PreflightError(
            f"The model's weights in {path} lack block(s) {_ranges(absent)}. Download the model again.",
            f"no keys {facts.block_prefix}.<i>.* for i in {absent} in {found}",
        )


def check_memory(facts: ModelFacts, n_blocks: int, torch_dtype: str, available_bytes: Optional[int] = None) -> None:
    """Raise if ``n_blocks`` blocks (weights plus attention cache, as Petals sizes them) exceed free memory."""
    import psutil

    needed_per_block = block_memory_bytes(facts, torch_dtype)
    available = psutil.virtual_memory().available if available_bytes is None else available_bytes
    needed = needed_per_block * n_blocks
    if needed > available:
        fits = max(0, int(available // needed_per_block)) if needed_per_block else 0
        raise PreflightError(
            f"Serving {n_blocks} blocks of this model needs about {_gib(needed)} of memory, but only "
            f"{_gib(available)} is free. Choose {fits} block(s) or fewer, or a smaller model.",
            f"per block {needed_per_block} B, blocks {n_blocks}, available {available} B",
        )


def blocks_that_fit(facts: ModelFacts, torch_dtype: str, share: float = 0.75) -> int:
    """How many blocks fit ``share`` of the free memory (at most the whole model); raise if not even one."""
    import psutil

    per_block = block_memory_bytes(facts, torch_dtype)
    available = psutil.virtual_memory().available
    fits = min(facts.num_blocks, int(available * share // per_block)) if per_block else facts.num_blocks
    if fits < 1:
        raise PreflightError(
            f"This computer has {_gib(available)} of free memory, less than one block of this model needs "
            f"({_gib(per_block)}). Close other programs or choose a smaller model.",
            f"per block {per_block} B, available {available} B",
        )
    return fits


def block_memory_bytes(facts: ModelFacts, torch_dtype: str) -> int:
    """Weights of one block in ``torch_dtype`` plus Petals' default attention cache for it."""
    import torch
    from petals.server.block_utils import get_block_size
    from petals.utils.convert_block import QuantType

    dtype = getattr(torch, torch_dtype) if torch_dtype != "auto" else "auto"
    weights = get_block_size(facts.config, "memory", dtype=dtype, quant_type=QuantType.NONE)
    config = facts.config
    kv_groups = getattr(config, "num_key_value_groups", 1) or 1
    cache_tokens = 16384 if kv_groups > 1 else 4096  # Petals' default attn_cache_tokens
    element = torch.finfo(dtype).bits // 8 if isinstance(dtype, torch.dtype) else 4
    cache = 2 * config.hidden_size * cache_tokens // kv_groups * element
    return int(weights + cache)


def _gib(n: float) -> str:
    return f"{n / 1024 ** 3:.1f} GiB"


def _ranges(indices: list[int]) -> str:
    return ", ".join(str(i) for i in indices[:8]) + (" …" if len(indices) > 8 else "")
