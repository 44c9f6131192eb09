"""build.spec's inputs: what the bundle carries (data files, helpers kept executable, hidden imports, exclusions)."""
from __future__ import annotations

import sysconfig
from pathlib import Path

import pytest

import bundle_manifest as manifest

from .conftest import REPO_ROOT

SITE = Path(sysconfig.get_paths()["purelib"])


def _dests(pairs):
    return {(Path(src).name, dest) for src, dest in pairs}


def test_data_files_carry_the_contract_artifacts_translations_and_resources():
    pairs = manifest.data_files(REPO_ROOT)
    dests = _dests(pairs)
    artifacts = sorted((REPO_ROOT / "devnet" / "contracts" / "build").glob("*.json"))
    assert artifacts, "devnet/contracts/build/*.json are committed and needed by the bundled devnet"
    for artifact in artifacts:
        assert (artifact.name, "devnet/contracts/build") in dests
    for qm in (REPO_ROOT / "app" / "translations").glob("*.qm"):
        assert (qm.name, "app/translations") in dests
    if (REPO_ROOT / "resources" / ".env.example").is_file():
        assert (".env.example", "resources") in dests
    for src, _ in pairs:
        assert Path(src).is_file() and "__pycache__" not in src


def test_helper_executables_are_collected_at_the_paths_the_code_looks_for():
    pairs = dict((dest, Path(src)) for src, dest in manifest.executable_files(REPO_ROOT, SITE, "linux", "x86_64"))
    p2pd = SITE / "hivemind" / "hivemind_cli" / "p2pd"
    if p2pd.is_file():
        # hivemind finds it with importlib.resources next to hivemind_cli.
        assert pairs["hivemind/hivemind_cli"] == p2pd
    anvil = REPO_ROOT / "node_modules" / "@foundry-rs" / "anvil-linux-amd64" / "bin" / "anvil"
    if anvil.is_file():
        # devnet.npm_tools looks under <bundle root>/node_modules/@foundry-rs/anvil-<os>-<arch>/bin.
        assert pairs["node_modules/@foundry-rs/anvil-linux-amd64/bin"] == anvil
    assert manifest.executable_files(REPO_ROOT, SITE, "win32", "AMD64") == []


def test_npm_tools_finds_anvil_where_the_bundle_puts_it(tmp_path):
    from devnet.npm_tools import anvil_binary

    dest = Path("node_modules/@foundry-rs") / f"anvil-{manifest.platform_suffix()}" / "bin"
    (tmp_path / dest).mkdir(parents=True)
    (tmp_path / dest / "anvil").write_text("")
    assert anvil_binary(tmp_path / "node_modules") == tmp_path / dest / "anvil"


def test_signer_helper_paths_match_the_collected_destinations():
    helpers = manifest.helper_executables_in_bundle("darwin", "arm64")
    assert helpers == ["hivemind/hivemind_cli/p2pd", "node_modules/@foundry-rs/anvil-darwin-arm64/bin/anvil"]


def test_hidden_imports_cover_modules_started_by_name_and_lazy_model_code():
    names = set(manifest.hidden_imports(REPO_ROOT, SITE))
    for needed in ("core", "core.cli", "core.self_test", "devnet.network", "devnet.bootstrap",
                   "devnet.oracle", "devnet.oracle.__main__", "chain"):
        if (REPO_ROOT / (needed.replace(".", "/") + ".py")).is_file() or (REPO_ROOT / needed.replace(".", "/")).is_dir():
            assert needed in names, needed
    if (SITE / "petals").is_dir():
        assert "petals.models.bloom.block" in names
        assert "petals.server.server" in names
    if (SITE / "transformers").is_dir():
        assert "transformers.models.bloom.modeling_bloom" in names
        assert "transformers.models.llama.tokenization_llama_fast" in names
        assert not [n for n in names if ".modeling_tf_" in n or ".modeling_flax_" in n]
    assert not [n for n in names if n.startswith("tests") or ".test_" in n]


def test_app_only_bundle_leaves_the_node_stack_out():
    names = manifest.hidden_imports(REPO_ROOT, SITE, with_node=False)
    assert not [n for n in names if n.split(".")[0] in ("petals", "hivemind", "transformers", "torch")]
    excluded = manifest.excluded_modules(with_node=False)
    assert {"torch", "petals", "hivemind", "transformers", "bitsandbytes"} <= set(excluded)
    assert "torch" not in manifest.excluded_modules(with_node=True)
    assert manifest.bundles_node("linux") and manifest.bundles_node("darwin") and not manifest.bundles_node("win32")


def test_walk_modules_needs_no_import_and_skips_non_packages(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "loose").mkdir()
    for path in ("__init__.py", "a.py", "__main__.py", "sub/__init__.py", "sub/b.py", "loose/c.py", "test_x.py"):
        (pkg / path).write_text("raise SystemExit('never imported')\n")
    assert sorted(manifest.walk_modules(pkg, "pkg")) == ["pkg", "pkg.__main__", "pkg.a", "pkg.sub", "pkg.sub.b"]


@pytest.mark.parametrize(
    "dest, keep_cuda, excluded",
    [
        ("PySide6/Qt/lib/libQt6Quick.so.6", False, True),
        ("PySide6/Qt/lib/libQt6Qml.so.6", False, True),
        ("PySide6/Qt/plugins/qmltooling/libqmldbg_tcp.so", False, True),
        ("PySide6/Qt/lib/libQt6Widgets.so.6", False, False),
        ("PySide6/Qt/lib/libQt6DBus.so.6", False, False),  # the tray (StatusNotifierItem) needs D-Bus
        ("PySide6/Qt/plugins/platforms/libqxcb.so", False, False),
        ("bitsandbytes/libbitsandbytes_cuda118.so", False, True),
        ("bitsandbytes/libbitsandbytes_cuda118.so", True, False),
        ("bitsandbytes/libbitsandbytes_cpu.so", False, False),
        ("torch/lib/libtorch_cpu.so", False, False),
        ("hivemind/hivemind_cli/p2pd", False, False),
    ],
)
def test_binary_exclusions(dest, keep_cuda, excluded):
    assert manifest.is_excluded_binary(dest, keep_cuda=keep_cuda) is excluded


def test_qt_translations_keep_only_the_apps_languages():
    assert manifest.is_excluded_data("PySide6/Qt/translations/qtbase_de.qm")
    assert not manifest.is_excluded_data("PySide6/Qt/translations/qtbase_ko.qm")
    assert not manifest.is_excluded_data("app/translations/plumise_ko.qm")
    assert not manifest.is_excluded_data("devnet/contracts/build/RewardPool.json")


def test_spec_uses_the_manifest_and_never_upx_or_strip():
    spec = (REPO_ROOT / "build.spec").read_text()
    for use in ("manifest.data_files(", "manifest.executable_files(", "manifest.hidden_imports(",
                "manifest.excluded_modules(", "manifest.is_excluded_binary(", "manifest.is_excluded_data("):
        assert use in spec
    assert "upx=True" not in spec and "strip=True" not in spec
    assert spec.count("upx=False") >= 3
    # one-dir: executables exclude their binaries and a COLLECT puts both in one folder
    assert spec.count("exclude_binaries=True") == 2 and "COLLECT(" in spec
    assert f'name=manifest.NODE_EXECUTABLE' in spec and "name=manifest.APP_EXECUTABLE" in spec


def test_entry_points_match_pyproject():
    import tomllib

    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"][manifest.NODE_EXECUTABLE] == "core.cli:main"
    assert project["gui-scripts"][manifest.APP_EXECUTABLE] == "app.main:main"
    node_entry = (REPO_ROOT / "installers" / "pyinstaller" / "plumise_petals.py").read_text()
    app_entry = (REPO_ROOT / "installers" / "pyinstaller" / "plumise_petals_app.py").read_text()
    assert "from core.cli import main" in node_entry
    assert "from app.main import main" in app_entry


def test_pyinstaller_is_pinned_in_both_requirement_files():
    assert "pyinstaller==6.22.3" in (REPO_ROOT / "requirements.in").read_text().splitlines()
    lock = (REPO_ROOT / "requirements.lock").read_text().splitlines()
    assert "pyinstaller==6.22.3" in lock
    assert any(line.startswith("pyinstaller-hooks-contrib==") for line in lock)
    assert any(line.startswith("altgraph==") for line in lock)


def test_packages_that_torchscript_at_import_keep_their_sources():
    # hivemind.moe.server.layers.common and tensor_parallel.sharding call torch.jit.script when imported.
    assert manifest.module_collection_mode()["hivemind"] == "pyz+py"
    assert manifest.module_collection_mode()["tensor_parallel"] == "pyz+py"
    assert manifest.module_collection_mode(with_node=False) == {}
    assert "module_collection_mode=manifest.module_collection_mode(" in (REPO_ROOT / "build.spec").read_text()
