"""The hardware check for the wizard and the settings dialog: which model tier this computer should serve, why.

``core.hardware.detect`` asks torch about CUDA and Apple GPUs, and the GUI process must never import torch
(DESIGN.md: the window shows within a second; a torch crash must not take the tray down). So
:func:`default_hardware_probe` runs the detection and ``core.tiers`` in a child process
(``python -m app.hardware_advice --json``) and reads back plain numbers. The GUI turns those numbers into
sentences with ``QCoreApplication.translate`` so the reason reads in the person's language; the node's own English reason is kept
as ``detail`` for support.

Call :func:`default_hardware_probe` off the GUI thread (``app.background.run_in_background``): it takes
about two seconds. Nothing here imports Qt at module level, so the child stays light.
"""
from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Optional

GIB = 1024**3
PROBE_TIMEOUT_S = 60


class HardwareProbeFailed(RuntimeError):
    """The child process could not measure this computer; the message says what happened."""


@dataclasses.dataclass(frozen=True)
class TierOption:
    tier_id: str  # core.tiers key: lite, standard, pro, ultra
    name: str  # "Lite", "Standard", … (product names, not translated)
    model_id: str
    suits: bool  # whether this computer's hardware class fits the tier
    needs_token: bool
    num_layers: int = 0  # blocks the model has
    blocks_fit: int = 0  # blocks that fit the memory that can be used now


@dataclasses.dataclass(frozen=True)
class HardwareAdvice:
    """What the child measured and recommended; numbers only, words are made in the GUI's language."""

    total_ram_bytes: int
    available_ram_bytes: int
    cpu_cores: int
    gpu_name: Optional[str]
    gpu_total_bytes: Optional[int]
    mps_available: bool
    disk_free_bytes: Optional[int]
    recommended: TierOption
    device: str  # cpu, cuda, mps
    num_blocks: int  # blocks of the recommended model that fit
    model_blocks: int  # blocks the recommended model has
    block_gib: float
    budget_bytes: int
    detail: str  # core.tiers' own reason (English), for support
    tiers: tuple[TierOption, ...]

    def summary_lines(self) -> list[str]:
        from PySide6.QtCore import QCoreApplication

        lines = [QCoreApplication.translate("HardwareAdvice", "Memory: {0:.0f} GiB ({1:.1f} GiB free)").format(
            self.total_ram_bytes / GIB, self.available_ram_bytes / GIB)]
        if self.gpu_name:
            lines.append(QCoreApplication.translate("HardwareAdvice", "Graphics card: {0} with {1:.0f} GiB").format(self.gpu_name, (self.gpu_total_bytes or 0) / GIB))
        elif self.mps_available:
            lines.append(QCoreApplication.translate("HardwareAdvice", "Graphics: Apple GPU (shares the memory)"))
        else:
            lines.append(QCoreApplication.translate("HardwareAdvice", "Graphics card: none that can be used, so the model runs on the processor"))
        lines.append(QCoreApplication.translate("HardwareAdvice", "Processor cores: {0}").format(self.cpu_cores))
        if self.disk_free_bytes is not None:
            lines.append(QCoreApplication.translate("HardwareAdvice", "Free disk space: {0:.0f} GiB").format(self.disk_free_bytes / GIB))
        return lines

    def reason_text(self) -> str:
        """Why this tier, in the current language, from the measured numbers."""
        from PySide6.QtCore import QCoreApplication

        where = {"cuda": QCoreApplication.translate("HardwareAdvice", "on the graphics card"), "mps": QCoreApplication.translate("HardwareAdvice", "on the Apple GPU")}.get(self.device, QCoreApplication.translate("HardwareAdvice", "on the processor"))
        larger_unsuited = [t for t in self.tiers if not t.suits and _rank(t) > _rank(self.recommended)]
        if self.recommended.tier_id == "lite" and not any(t.suits for t in self.tiers if t.tier_id != "lite"):
            lead = QCoreApplication.translate("HardwareAdvice", "Larger models need more memory or a graphics card than this computer has.")
        elif larger_unsuited:
            lead = QCoreApplication.translate("HardwareAdvice", "It is the largest model that suits this computer; larger ones need more memory or a "
                      "bigger graphics card.")
        else:
            lead = QCoreApplication.translate("HardwareAdvice", "It is the largest model that suits this computer.")
        return lead + " " + QCoreApplication.translate(
            "HardwareAdvice", "{0} of its {1} blocks fit {2}, at about {3:.2f} GiB each, leaving room for you and "
            "your programs.").format(self.num_blocks, self.model_blocks, where, self.block_gib)


def _rank(tier: TierOption) -> int:
    order = ("lite", "standard", "pro", "ultra")
    return order.index(tier.tier_id) if tier.tier_id in order else -1


def tier_label(tier: TierOption) -> str:
    """"Standard — bigscience/bloom-7b1", with a note when the hardware does not suit it."""
    from PySide6.QtCore import QCoreApplication

    text = f"{tier.name} — {tier.model_id}"
    notes = []
    if not tier.suits:
        notes.append(QCoreApplication.translate("HardwareAdvice", "too large for this computer"))
    if tier.needs_token:
        notes.append(QCoreApplication.translate("HardwareAdvice", "needs a Hugging Face token"))
    return f"{text} ({', '.join(notes)})" if notes else text


# --- the measurement, run in a child process ---------------------------------------------------------------


def measure(disk_path: Optional[str] = None) -> dict[str, Any]:
    """Detect the hardware and plan with core.tiers (imports torch: only ever run in the child)."""
    from core import hardware, tiers

    hw = hardware.detect(disk_path or default_disk_path())
    plan = tiers.plan(hw)  # "auto": core.tiers.recommend picks the tier, its reason included
    tier = tiers.TIERS[plan.tier]
    device = tiers.device_for(hw, "auto")
    gpu = hw.best_gpu
    return {
        "total_ram_bytes": hw.total_ram_bytes,
        "available_ram_bytes": hw.available_ram_bytes,
        "cpu_cores": hw.cpu_cores_physical,
        "gpu_name": gpu.name if gpu else None,
        "gpu_total_bytes": gpu.total_bytes if gpu else None,
        "mps_available": hw.mps_available,
        "disk_free_bytes": hw.disk_free_bytes,
        "recommended": tier.key,
        "device": plan.device,
        "num_blocks": plan.num_blocks,
        "model_blocks": plan.shape.num_layers,
        "block_gib": plan.block_memory_bytes / GIB,
        "budget_bytes": plan.budget_bytes,
        "detail": plan.reason,
        "tiers": [_tier_entry(tiers, hw, device, tiers.TIERS[key]) for key in tiers.TIER_ORDER],
    }


def _tier_entry(tiers: Any, hw: Any, device: str, tier: Any) -> dict[str, Any]:
    dtype = tiers.serving_dtype(tier.shape, device)
    budget, _words = tiers.memory_budget(hw, device, tier.shape)
    return {
        "tier_id": tier.key,
        "name": tier.label,
        "model_id": tier.model_id,
        "suits": tiers.qualifies(tier, hw, device) is None,
        "needs_token": tier.needs_token,
        "num_layers": tier.shape.num_layers,
        "blocks_fit": int(tiers.blocks_that_fit(tier.shape, budget, dtype)),
    }


def default_disk_path() -> str:
    """Where model files go by default (Hugging Face's cache), so the free space is read on that disk."""
    return os.environ.get("HF_HOME") or str(Path.home() / ".cache" / "huggingface")


def advice_from_dict(data: dict[str, Any]) -> HardwareAdvice:
    options = tuple(TierOption(**t) for t in data["tiers"])
    recommended = next(t for t in options if t.tier_id == data["recommended"])
    fields = {k: v for k, v in data.items() if k not in ("tiers", "recommended")}
    return HardwareAdvice(recommended=recommended, tiers=options, **fields)


def default_hardware_probe(disk_path: Optional[str] = None) -> HardwareAdvice:
    """Measure in a child process and return the advice. Blocking: call it from a background op."""
    cmd = [sys.executable, "-m", "app.hardware_advice", "--json"]
    if disk_path:
        cmd += ["--disk-path", disk_path]
    repo_root = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (repo_root, os.environ.get("PYTHONPATH")) if p))
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=PROBE_TIMEOUT_S, env=env)
    except subprocess.TimeoutExpired:
        raise HardwareProbeFailed(f"the hardware check took longer than {PROBE_TIMEOUT_S} s") from None
    except OSError as exc:
        raise HardwareProbeFailed(f"the hardware check could not start: {exc}") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise HardwareProbeFailed(f"the hardware check stopped: {last}")
    try:
        return advice_from_dict(json.loads(done.stdout.strip().splitlines()[-1]))
    except (ValueError, KeyError, IndexError, TypeError, StopIteration) as exc:
        raise HardwareProbeFailed(f"the hardware check gave an unreadable answer ({type(exc).__name__})") from None


def main(argv: Optional[list[str]] = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m app.hardware_advice")
    parser.add_argument("--json", action="store_true", help="print the measurement as one JSON line")
    parser.add_argument("--disk-path", default=None, help="where model files are kept (free space is read there)")
    args = parser.parse_args(argv)
    data = measure(args.disk_path)
    print(json.dumps(data) if args.json else json.dumps(data, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
