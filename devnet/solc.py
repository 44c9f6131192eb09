"""Compile the devnet's Solidity sources with the pinned solc-js into ``devnet/contracts/build/*.json``.

The artifacts are committed so that starting a devnet needs no compiler; they are reproducible: the
same sources, settings and compiler give byte-identical files (a test recompiles and compares).
``python -m devnet.solc`` rewrites them; ``python -m devnet.solc --check`` only compares.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
import sys
from pathlib import Path

from devnet.npm_tools import ToolMissingError, solcjs_binary

SOLC_VERSION = "0.8.37"
CONTRACTS_DIR = Path(__file__).resolve().parent / "contracts"
BUILD_DIR = CONTRACTS_DIR / "build"
SOURCES = ("AgentRegistry.sol", "RewardPool.sol", "Precompiles.sol")
# What gets installed on the chain; interfaces and the internal library need no build file.
CONTRACTS = (
    "AgentRegistry",
    "RewardPool",
    "RegisterAgentPrecompile",
    "HeartbeatPrecompile",
    "ClaimRewardPrecompile",
    "VerifyInferencePrecompile",
)
# paris: no PUSH0 or other newer opcodes, so the code runs on any geth-era chain, as the real one is.
SETTINGS = {
    "evmVersion": "paris",
    "optimizer": {"enabled": True, "runs": 200},
    "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"]}},
}


class CompileError(RuntimeError):
    """solc-js refused the sources; the message carries its formatted errors."""


def compile_sources(contracts_dir: Path = CONTRACTS_DIR) -> dict[str, dict]:
    """Compile every source; returns ``{contract name: artifact dict}`` (the content of the build files)."""
    solc_package = solcjs_binary(SOLC_VERSION).resolve().parent
    node = shutil.which("node")
    if node is None:
        raise ToolMissingError("Node.js is not installed: install Node.js 20 with npm and run `make setup`.")
    standard_input = {
        "language": "Solidity",
        "sources": {name: {"content": (contracts_dir / name).read_text()} for name in SOURCES},
        "settings": SETTINGS,
    }
    with tempfile.TemporaryDirectory(prefix="plumise-solc-") as tmp:
        in_path, out_path = Path(tmp) / "input.json", Path(tmp) / "output.json"
        in_path.write_text(json.dumps(standard_input))
        # Files, not pipes: the solcjs wrapper exits before a large stdout is flushed into a pipe.
        script = (
            "const fs=require('fs');const solc=require(process.argv[1]);"
            "fs.writeFileSync(process.argv[3],solc.compile(fs.readFileSync(process.argv[2],'utf8')));"
        )
        try:
            proc = subprocess.run(
                [node, "-e", script, str(solc_package), str(in_path), str(out_path)],
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
        except FileNotFoundError as exc:
            raise ToolMissingError(f"Node.js could not run ({exc}). Install Node.js 20 and run `make setup`.") from exc
        if proc.returncode != 0 or not out_path.is_file():
            raise CompileError(f"solc-js failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
        output = json.loads(out_path.read_text())
    errors = [e for e in output.get("errors", []) if e.get("severity") == "error"]
    if proc.returncode != 0 or errors or "contracts" not in output:
        detail = "\n".join(e.get("formattedMessage", str(e)) for e in errors) or proc.stderr
        raise CompileError(f"The devnet contracts did not compile:\n{detail}")
    artifacts = {}
    for source, contracts in output["contracts"].items():
        for name, out in contracts.items():
            if name not in CONTRACTS:
                continue
            artifacts[name] = {
                "contractName": name,
                "sourceName": source,
                "compiler": f"solc-js {SOLC_VERSION}",
                "settings": {k: v for k, v in SETTINGS.items() if k != "outputSelection"},
                "abi": out["abi"],
                "bytecode": "0x" + out["evm"]["bytecode"]["object"],
                "deployedBytecode": "0x" + out["evm"]["deployedBytecode"]["object"],
            }
    return artifacts


def render(artifact: dict) -> str:
    """The exact text of a build file: sorted keys, two-space indent, final newline."""
    return json.dumps(artifact, indent=2, sort_keys=True) + "\n"


def write_artifacts(build_dir: Path = BUILD_DIR) -> list[Path]:
    """Compile and (re)write ``<Contract>.json`` for every contract; returns the paths written."""
    build_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, artifact in sorted(compile_sources().items()):
        path = build_dir / f"{name}.json"
        path.write_text(render(artifact))
        written.append(path)
    return written


def stale_artifacts(build_dir: Path = BUILD_DIR) -> list[str]:
    """Names of contracts whose committed build file differs from a fresh compile (empty when all match)."""
    stale = []
    for name, artifact in sorted(compile_sources().items()):
        path = build_dir / f"{name}.json"
        if not path.is_file() or path.read_text() != render(artifact):
            stale.append(name)
    return stale


def load_artifact(name: str, build_dir: Path = BUILD_DIR) -> dict:
    """The committed artifact of contract ``name`` (abi, bytecode, deployedBytecode)."""
    path = build_dir / f"{name}.json"
    if not path.is_file():
        raise FileNotFoundError(f"No compiled artifact for {name} at {path}; run `python -m devnet.solc`.")
    return json.loads(path.read_text())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devnet.solc", description=__doc__)
    parser.add_argument("--check", action="store_true", help="only compare the committed artifacts")
    args = parser.parse_args(argv)
    try:
        if args.check:
            stale = stale_artifacts()
            if stale:
                print(f"Out of date: {', '.join(stale)}. Run `python -m devnet.solc`.", file=sys.stderr)
                return 1
            print("Artifacts match the sources.")
            return 0
        for path in write_artifacts():
            print(path)
    except (ToolMissingError, CompileError) as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
