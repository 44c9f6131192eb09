"""What goes into the PyInstaller bundle, kept apart from build.spec so that it can be unit-tested quickly.

build.spec imports this module (it needs PyInstaller only for the build itself); tests/packaging reads
the same lists without building anything. Everything here is plain data or a pure function of paths.

Why each non-obvious item is here:
- ``hivemind/hivemind_cli/p2pd``: hivemind finds its libp2p daemon with ``importlib.resources`` next to
  ``hivemind_cli``; it is a Go executable and must stay executable (collected as a binary, never stripped).
- ``node_modules/@foundry-rs/anvil-<os>-<arch>/bin/anvil``: the devnet's EVM node; ``devnet.npm_tools``
  looks for it under ``<bundle root>/node_modules`` (its ``REPO_ROOT`` is the bundle root when frozen).
- ``devnet/contracts/build/*.json``: the committed contract artifacts the devnet installs on its chain.
- Submodules walked from the source tree (not imported): ``petals`` cannot be imported by PyInstaller's
  helper process without our hivemind shim, and transformers' lazy modules import model code by name
  (``transformers.models.bloom.modeling_bloom``), which static analysis never sees.
"""
from __future__ import annotations

import fnmatch
import json
import platform
import re
import sys
from pathlib import Path
from typing import Iterable, Iterator, Optional

APP_NAME = "plumise-petals"
NODE_EXECUTABLE = "plumise-petals"
APP_EXECUTABLE = "plumise-petals-app"
BUNDLE_IDENTIFIER = "network.plumise.petals"

# Our own packages: every submodule is bundled (the devnet, oracle and node are started as ``-m`` modules).
OWN_PACKAGES = ("core", "chain", "app", "devnet")
# Model families petals 2.2.0.post1 serves; their transformers modules are imported lazily by name.
TRANSFORMERS_MODEL_FAMILIES = ("auto", "bloom", "llama", "falcon")
# Framework variants of transformers modules that would drag in TensorFlow / JAX (not installed).
_FOREIGN_FRAMEWORK = re.compile(r"(^|\.)(modeling_tf_|modeling_flax_|tf_|flax_)")

# Packages that call torch.jit.script at import time: TorchScript reads the function's source, so their .py
# files travel beside the compiled archive (PyInstaller's "pyz+py"; torch's and transformers' own hooks
# already do this for them). Without it the bundle fails at `import hivemind` with "Can't get source".
SOURCE_PACKAGES = ("hivemind", "tensor_parallel")


def module_collection_mode(with_node: bool = True) -> dict[str, str]:
    return {name: "pyz+py" for name in SOURCE_PACKAGES} if with_node else {}


# Python modules never needed at run time (tests, notebooks, other frameworks, unused Qt modules).
EXCLUDED_MODULES = (
    "tkinter",
    "matplotlib",
    "IPython",
    "jupyter_client",
    "notebook",
    "tensorflow",
    "tensorboard",
    "jax",
    "flax",
    "pytest",
    "_pytest",
    "pytestqt",
    "PyInstaller",
    "grpc_tools",
    "PySide6.Qt3DAnimation",
    "PySide6.Qt3DCore",
    "PySide6.Qt3DExtras",
    "PySide6.Qt3DInput",
    "PySide6.Qt3DLogic",
    "PySide6.Qt3DRender",
    "PySide6.QtCharts",
    "PySide6.QtConcurrent",
    "PySide6.QtDataVisualization",
    "PySide6.QtDesigner",
    "PySide6.QtGraphs",
    "PySide6.QtHelp",
    "PySide6.QtLabsStyleKit",
    "PySide6.QtMultimedia",
    "PySide6.QtMultimediaWidgets",
    "PySide6.QtOpenGL",
    "PySide6.QtOpenGLWidgets",
    "PySide6.QtPdf",
    "PySide6.QtPdfWidgets",
    "PySide6.QtPrintSupport",
    "PySide6.QtQml",
    "PySide6.QtQmlFeatures",
    "PySide6.QtQuick",
    "PySide6.QtQuick3D",
    "PySide6.QtQuickControls2",
    "PySide6.QtQuickTest",
    "PySide6.QtQuickWidgets",
    "PySide6.QtSql",
    "PySide6.QtTest",
    "PySide6.QtUiTools",
    "PySide6.QtWebChannel",
    "PySide6.QtWebEngineCore",
    "PySide6.QtWebEngineQuick",
    "PySide6.QtWebEngineWidgets",
    "PySide6.QtWebSockets",
    "PySide6.QtXml",
)

# The node's machine-learning stack. Windows bundles leave it out (app only): hivemind's p2pd has no Windows
# build, so the node runs inside WSL2 from the Linux archive (installers/windows/wsl/).
NODE_ONLY_MODULES = (
    "torch",
    "torchvision",
    "petals",
    "hivemind",
    "transformers",
    "tokenizers",
    "bitsandbytes",
    "accelerate",
    "peft",
    "tensor_parallel",
    "safetensors",
    "sentencepiece",
    "scipy",
    "sympy",
    "speedtest",
    "cpufeature",
)


def bundles_node(system: Optional[str] = None) -> bool:
    """Whether this platform's bundle carries the node (Linux, macOS) or only the app (Windows)."""
    return (system or sys.platform) != "win32"


def excluded_modules(with_node: bool = True) -> list[str]:
    return list(EXCLUDED_MODULES) + ([] if with_node else list(NODE_ONLY_MODULES))


# Shared libraries and plugins dropped after analysis (matched against the destination path's file name
# or full destination path). Qt's QML/Quick stack arrives through plugins even when no QML module is
# imported; the app is widgets-only.
EXCLUDED_BINARY_PATTERNS = (
    "libQt6Quick*",
    "libQt6Qml*",
    "libQt6Labs*",
    "libQt6Lottie*",
    "libQt6Pdf*",
    "libQt6WebEngine*",
    "libQt6Designer*",
    "libQt6Help*",
    "libQt6Sql*",
    "libQt6Test*",
    "libQt6UiTools*",
    "libQt6Wayland*Compositor*",
    "libQt6Wl*",
    "Qt6Quick*",  # Windows / macOS framework names
    "Qt6Qml*",
    "Qt6Pdf*",
    "*/qml/*",
    "*/plugins/qmltooling/*",
    "*/plugins/designer/*",
    "*/plugins/sqldrivers/*",
    "*/plugins/scenegraph/*",
)
# bitsandbytes ships one library per CUDA version (~280 MB); a CPU-torch bundle needs only the CPU one.
CUDA_ONLY_BINARY_PATTERNS = ("libbitsandbytes_cuda*",)
# Qt's own translations: keep the languages the app ships (English needs none).
QT_TRANSLATION_LANGUAGES = ("ko",)


def platform_suffix(system: Optional[str] = None, machine: Optional[str] = None) -> str:
    """``linux-amd64`` / ``darwin-arm64`` / ``win32-amd64``: npm's naming for anvil's packages."""
    system = system or sys.platform
    machine = (machine or platform.machine()).lower()
    system = {"linux": "linux", "darwin": "darwin", "win32": "win32"}.get(system, system)
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(machine, machine)
    return f"{system}-{arch}"


def walk_modules(package_dir: Path, package: str, skip: Optional[re.Pattern] = None) -> Iterator[str]:
    """Dotted names of ``package`` and every module below it, found on disk without importing anything."""
    package_dir = Path(package_dir)
    if not (package_dir / "__init__.py").is_file():
        return
    yield package
    for path in sorted(package_dir.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        relative = path.relative_to(package_dir).with_suffix("")
        parts = relative.parts
        # A module is importable only if every folder on its way is a package.
        if any(not (package_dir.joinpath(*parts[:i]) / "__init__.py").is_file() for i in range(1, len(parts))):
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
            if not parts:
                continue
        name = ".".join((package, *parts))
        if skip is not None and skip.search(name):
            continue
        if any(part.startswith("test") for part in parts):
            continue
        yield name


def hidden_imports(root: Path, site_packages: Path, with_node: bool = True) -> list[str]:
    """Modules PyInstaller's import analysis cannot see, walked from the source tree."""
    names: list[str] = []
    for package in OWN_PACKAGES:
        names += walk_modules(Path(root) / package, package)
    names += ["keyring.backends", "uvicorn.logging", "uvicorn.loops.auto", "uvicorn.protocols.http.auto",
              "uvicorn.lifespan.on"]
    if not with_node:
        return list(dict.fromkeys(names))
    names += walk_modules(Path(site_packages) / "petals", "petals")
    names += walk_modules(Path(site_packages) / "hivemind", "hivemind")
    for family in TRANSFORMERS_MODEL_FAMILIES:
        names += walk_modules(
            Path(site_packages) / "transformers" / "models" / family,
            f"transformers.models.{family}",
            skip=_FOREIGN_FRAMEWORK,
        )
    # Imported by name at run time.
    names += [
        "transformers.generation",
        "tokenizers",
        "safetensors.torch",
        "sentencepiece",
        "speedtest",
        "cpufeature",
    ]
    return list(dict.fromkeys(names))


def data_files(root: Path, system: Optional[str] = None, machine: Optional[str] = None) -> list[tuple[str, str]]:
    """``(source, destination folder)`` pairs for PyInstaller's ``datas``: files read at run time."""
    root = Path(root)
    pairs: list[tuple[str, str]] = []
    for artifact in sorted((root / "devnet" / "contracts" / "build").glob("*.json")):
        pairs.append((str(artifact), "devnet/contracts/build"))
    for source in sorted((root / "devnet" / "contracts").glob("*.sol")):
        pairs.append((str(source), "devnet/contracts"))
    for qm in sorted((root / "app" / "translations").glob("*.qm")):
        pairs.append((str(qm), "app/translations"))
    resources = root / "resources"
    if resources.is_dir():
        for path in sorted(resources.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                pairs.append((str(path), str(Path("resources") / path.parent.relative_to(resources))))
    return pairs


def anvil_binary(root: Path, system: Optional[str] = None, machine: Optional[str] = None) -> Optional[Path]:
    """The native anvil of this platform installed by ``npm ci``, or None."""
    package = Path(root) / "node_modules" / "@foundry-rs" / f"anvil-{platform_suffix(system, machine)}" / "bin"
    for name in ("anvil", "anvil.exe"):
        if (package / name).is_file():
            return package / name
    return None


def executable_files(root: Path, site_packages: Path, system: Optional[str] = None,
                     machine: Optional[str] = None) -> list[tuple[str, str]]:
    """``(source, destination folder)`` of helper executables that must keep their execute bit."""
    pairs: list[tuple[str, str]] = []
    if not bundles_node(system):
        return pairs
    p2pd = Path(site_packages) / "hivemind" / "hivemind_cli" / "p2pd"
    if p2pd.is_file():
        pairs.append((str(p2pd), "hivemind/hivemind_cli"))
    anvil = anvil_binary(root, system, machine)
    if anvil is not None:
        pairs.append((str(anvil), str(anvil.parent.relative_to(Path(root)))))
    return pairs


def helper_executables_in_bundle(system: Optional[str] = None, machine: Optional[str] = None) -> list[str]:
    """Paths, relative to the bundle's contents folder, of the helpers a signer must sign first."""
    suffix = platform_suffix(system, machine)
    exe = ".exe" if suffix.startswith("win32") else ""
    return [
        "hivemind/hivemind_cli/p2pd",
        f"node_modules/@foundry-rs/anvil-{suffix}/bin/anvil{exe}",
    ]


def is_excluded_binary(dest: str, keep_cuda: bool = False) -> bool:
    """True for a collected binary or plugin the bundle does not need."""
    dest = dest.replace("\\", "/")
    name = dest.rsplit("/", 1)[-1]
    patterns = EXCLUDED_BINARY_PATTERNS + (() if keep_cuda else CUDA_ONLY_BINARY_PATTERNS)
    for pattern in patterns:
        if "/" in pattern:
            if fnmatch.fnmatch("/" + dest, pattern):
                return True
        elif fnmatch.fnmatch(name, pattern):
            return True
    return False


def is_excluded_data(dest: str) -> bool:
    """True for collected data files the bundle does not need (Qt translations of other languages, QML)."""
    dest = dest.replace("\\", "/")
    name = dest.rsplit("/", 1)[-1]
    if "/translations/" in "/" + dest and name.endswith(".qm") and not dest.startswith("app/"):
        match = re.match(r"^[a-z]+_([a-z]{2})(_[A-Za-z]+)?\.qm$", name)
        return not (match and match.group(1) in QT_TRANSLATION_LANGUAGES)
    return is_excluded_binary(dest)


def project_version(root: Path) -> str:
    """``[project] version`` of pyproject.toml."""
    import tomllib

    with open(Path(root) / "pyproject.toml", "rb") as handle:
        return tomllib.load(handle)["project"]["version"]


def keep_cuda_libraries(site_packages: Path) -> bool:
    """Whether the installed torch is a CUDA build (then bitsandbytes' CUDA libraries are kept)."""
    for meta in Path(site_packages).glob("torch-*.dist-info/METADATA"):
        version = next((line.split(":", 1)[1].strip() for line in meta.read_text().splitlines()
                        if line.startswith("Version:")), "")
        # PyPI's Linux/Windows torch is a CUDA build; "+cpu" builds and macOS have no use for CUDA.
        return "+cpu" not in version and sys.platform != "darwin"
    return False


def describe(root: Path, site_packages: Path) -> str:
    """A JSON summary (for ``python bundle_manifest.py``): what would be bundled, without building."""
    return json.dumps(
        {
            "data_files": data_files(root),
            "executables": executable_files(root, site_packages),
            "hidden_imports": len(hidden_imports(root, site_packages)),
        },
        indent=2,
    )


if __name__ == "__main__":
    import sysconfig

    print(describe(Path(__file__).resolve().parents[2], Path(sysconfig.get_paths()["purelib"])))
