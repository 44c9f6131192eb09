"""Where the devnet's npm tools live (anvil, solc-js) and the error when they are not installed.

Both are pinned in package.json / package-lock.json and installed by ``make setup`` (``npm ci``) into
the repository's node_modules; nothing is looked up on PATH, so a different global version never
changes what the tests run against.
"""
from __future__ import annotations

import json
import os
import platform
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES_ENV = "PLUMISE_NODE_MODULES"  # another node_modules folder (tests use an empty one)
SETUP_HINT = "Run `make setup` in the repository root (it runs `npm ci`), then try again."


class ToolMissingError(RuntimeError):
    """A pinned npm tool is not installed (or has the wrong version); the message names the make target."""


def _platform_suffix() -> str:
    system = {"linux": "linux", "darwin": "darwin", "win32": "win32"}.get(sys.platform, sys.platform)
    machine = platform.machine().lower()
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(machine, machine)
    return f"{system}-{arch}"


def node_modules_dir() -> Path:
    """The node_modules folder the tools come from: ``$PLUMISE_NODE_MODULES`` or the repository's."""
    return Path(os.environ.get(NODE_MODULES_ENV) or REPO_ROOT / "node_modules")


def anvil_binary(node_modules: Path | None = None) -> Path:
    """The native anvil binary from ``@foundry-rs/anvil-<os>-<arch>``.

    The npm wrapper (``.bin/anvil``) is a Node script that spawns this binary as a child; running the
    binary directly leaves one process to stop instead of two.
    """
    node_modules = node_modules or node_modules_dir()
    package = node_modules / "@foundry-rs" / f"anvil-{_platform_suffix()}" / "bin"
    for name in ("anvil", "anvil.exe"):
        if (package / name).is_file():
            return package / name
    wrapper = node_modules / ".bin" / "anvil"
    if wrapper.exists():
        return wrapper
    raise ToolMissingError(f"anvil (the local EVM node) is not installed in {node_modules}. {SETUP_HINT}")


def solcjs_binary(expected_version: str, node_modules: Path | None = None) -> Path:
    """``node_modules/.bin/solcjs``, checked to be the pinned solc-js version."""
    node_modules = node_modules or node_modules_dir()
    wrapper = node_modules / ".bin" / "solcjs"
    package_json = node_modules / "solc" / "package.json"
    if not wrapper.exists() or not package_json.is_file():
        raise ToolMissingError(f"solc-js (the Solidity compiler) is not installed in {node_modules}. {SETUP_HINT}")
    version = json.loads(package_json.read_text())["version"]
    if version != expected_version:
        raise ToolMissingError(f"solc-js {version} is installed but the devnet is pinned to {expected_version}. {SETUP_HINT}")
    return wrapper
