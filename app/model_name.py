"""The model's name as people know it, never a folder path.

The node reports the model it serves as given to ``--model``: a hub id ("bigscience/bloom-560m") or, on
the devnet and for local copies, a folder. A devnet model folder carries its id in ``plumise_model.json``
(``devnet.models.read_model_info``); another folder may name its origin in ``config.json``
(``_name_or_path``); otherwise the folder's own name is the best there is.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Optional

_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


def looks_like_path(model: str) -> bool:
    return model.startswith(("/", "~", ".")) or "\\" in model or bool(_WINDOWS_DRIVE.match(model))


def short_name(model: str) -> str:
    """What to show before (or instead of) reading the folder: a hub id as it is, a path's last part."""
    if not looks_like_path(model):
        return model
    return model.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] or model


def display_name(model: str) -> str:
    """The model's id. Blocking (reads small files in the folder): call it off the GUI thread."""
    if not looks_like_path(model):
        return model
    folder = Path(model).expanduser()
    model_id = _devnet_model_id(folder)
    if model_id:
        return model_id
    try:
        origin = json.loads((folder / "config.json").read_text()).get("_name_or_path")
    except (OSError, ValueError, AttributeError):
        origin = None
    if isinstance(origin, str) and origin and not looks_like_path(origin):
        return origin
    return short_name(model)


def _devnet_model_id(folder: Path) -> Optional[str]:
    if not (folder / "plumise_model.json").is_file():
        return None
    try:
        from devnet.models import read_model_info  # light: json only; absent from some frozen builds
    except ImportError:
        def read_model_info(path: Path) -> dict:
            return json.loads((Path(path) / "plumise_model.json").read_text())
    try:
        model_id = read_model_info(folder).get("model_id")
    except (OSError, ValueError):
        return None
    return str(model_id) if model_id else None
