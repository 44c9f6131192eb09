"""Contract ABIs shipped in ``resources/abi/`` (RewardPool genesis ABI, AgentRegistry read ABI)."""
from __future__ import annotations

import functools
import json
import sys
from pathlib import Path


def abi_dir() -> Path:
    """``resources/abi`` of the source tree, or of a PyInstaller bundle (``sys._MEIPASS``)."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources" / "abi"
    return Path(__file__).resolve().parent.parent / "resources" / "abi"


@functools.lru_cache(maxsize=None)
def load_abi(name: str) -> tuple:
    """The ABI ``resources/abi/<name>.json`` (``"RewardPool"`` or ``"AgentRegistry"``), as a tuple of entries."""
    return tuple(json.loads((abi_dir() / f"{name}.json").read_text(encoding="utf-8")))
