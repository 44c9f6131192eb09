"""Atomic, private file writes for the state ``chain`` keeps on disk.

A file is written next to its destination under a temporary name created with mode 0600 *before* any byte
is written (so a secret is never readable by others, not even for a moment), flushed and fsynced, then
renamed over the destination; a crash leaves either the old file or the new one, never half of one.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def atomic_write_bytes(path: str | os.PathLike, data: bytes, mode: int = 0o600) -> None:
    """Replace ``path`` with ``data`` atomically; the file has ``mode`` from its creation on."""
    dest = Path(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    # mkstemp opens with O_EXCL and mode 0600 already; chmod again in case mode asks for less.
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=str(dest.parent))
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, dest)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(dest.parent)


def atomic_write_text(path: str | os.PathLike, text: str, mode: int = 0o600) -> None:
    """:func:`atomic_write_bytes` for UTF-8 text."""
    atomic_write_bytes(path, text.encode("utf-8"), mode)


def _fsync_dir(directory: Path) -> None:
    # The rename is durable only once the directory entry is; Windows cannot open directories.
    if os.name != "posix":
        return
    fd = os.open(str(directory), os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
