"""installers/windows: the Inno Setup script and the WSL2 set-up (the node's installer inside WSL is run here)."""
from __future__ import annotations

import os
import re
import subprocess
import tarfile

import pytest

from .conftest import INSTALLERS

WINDOWS = INSTALLERS / "windows"
ISS = (WINDOWS / "plumise-petals.iss").read_text()


def _section(name: str) -> list[str]:
    match = re.search(rf"^\[{name}\]\n(.*?)(?=^\[|\Z)", ISS, re.S | re.M)
    assert match, name
    return [line for line in match.group(1).splitlines() if line.strip() and not line.startswith(";")]


def test_installer_is_per_user_and_requires_a_windows_with_wsl2():
    assert "PrivilegesRequired=lowest" in ISS
    assert "MinVersion=10.0.19041" in ISS  # WSL2 needs Windows 10 2004 or later
    assert "ArchitecturesAllowed=x64compatible" in ISS
    assert re.search(r"^AppId=\{\{[0-9A-F-]{36}\}$", ISS, re.M)


def test_every_shipped_file_exists():
    for line in _section("Files"):
        source = re.search(r'Source: "([^"]+)"', line).group(1)
        if source.startswith("{#"):
            continue  # the PyInstaller folder, passed by CI
        if "skipifsourcedoesntexist" in line:
            continue  # SHA256SUMS comes from the Linux job
        assert (WINDOWS / source.replace("\\", "/")).is_file(), source


def test_post_install_checks_wsl_and_offers_the_node_setup():
    run = "\n".join(_section("Run"))
    assert "setup-wsl-node.ps1" in ISS and "Check: WslReady" in run
    code = ISS[ISS.index("[Code]"):]
    assert "check-wsl.ps1" in code and "ssPostInstall" in code
    # the installer's explanation covers every "not ready" exit code check-wsl.ps1 documents
    check = (WINDOWS / "wsl" / "check-wsl.ps1").read_text()
    for exit_code in ("10", "11", "12"):
        assert re.search(rf"^\s+{exit_code}\s", check, re.M)
        assert f"{exit_code}: Msg" in code
    assert "wsl --install" in code


def test_setup_script_verifies_the_archive_and_records_the_node_for_the_app():
    setup = (WINDOWS / "wsl" / "setup-wsl-node.ps1").read_text()
    assert "Get-FileHash -Algorithm SHA256" in setup and "SHA256SUMS" in setup
    assert "install-node.sh" in setup and "wslpath" in setup
    assert "wsl-node.json" in setup
    assert "--self-test" in setup


@pytest.fixture
def node_archive(tmp_path):
    def make(version: str):
        folder = tmp_path / f"src-{version}" / "plumise-petals"
        folder.mkdir(parents=True)
        exe = folder / "plumise-petals"
        exe.write_text(f"#!/bin/sh\necho node {version} \"$@\"\n")
        exe.chmod(0o755)
        archive = tmp_path / f"plumise-petals-{version}-linux-x86_64.tar.gz"
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(folder, arcname="plumise-petals")
        return archive
    return make


def _install(archive, version, home, sha=""):
    env = dict(os.environ, HOME=str(home))
    env.pop("XDG_DATA_HOME", None)
    return subprocess.run(["bash", str(WINDOWS / "wsl" / "install-node.sh"), str(archive), version, sha],
                          capture_output=True, text=True, env=env, timeout=60)


def test_install_node_in_wsl_unpacks_links_and_replaces_older_versions(node_archive, tmp_path):
    import hashlib

    home = tmp_path / "home"
    home.mkdir()
    first = node_archive("0.1.0")
    result = _install(first, "0.1.0", home, hashlib.sha256(first.read_bytes()).hexdigest())
    assert result.returncode == 0, result.stderr
    base = home / ".local/share/plumise-petals/node"
    assert result.stdout.strip().splitlines()[-1] == f"NODE={base}/current/plumise-petals"
    assert (home / ".local/bin/plumise-petals").resolve() == (base / "0.1.0" / "plumise-petals").resolve()
    second = node_archive("0.2.0")
    assert _install(second, "0.2.0", home).returncode == 0
    assert sorted(p.name for p in base.iterdir()) == ["0.2.0", "current"]
    assert subprocess.run([str(home / ".local/bin/plumise-petals")], capture_output=True, text=True).stdout.startswith("node 0.2.0")


def test_install_node_refuses_a_corrupt_download(node_archive, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    result = _install(node_archive("0.1.0"), "0.1.0", home, "0" * 64)
    assert result.returncode != 0
    assert not (home / ".local/share/plumise-petals/node/0.1.0").exists()
