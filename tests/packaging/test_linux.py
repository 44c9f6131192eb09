"""The .deb layout (built from a fake bundle with the real script), its desktop entry and the portable archive."""
from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import tarfile

import pytest

from .conftest import INSTALLERS, REPO_ROOT

LINUX = INSTALLERS / "linux"
needs_dpkg = pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="dpkg-deb is not installed")


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str
    parser.read(LINUX / "plumise-petals.desktop", encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_entry_starts_the_installed_app():
    entry = _desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Name"] == "Plumise Petals"
    assert entry["Exec"].split()[0] == "/opt/plumise-petals/plumise-petals-app"
    assert entry["TryExec"] == "/opt/plumise-petals/plumise-petals-app"
    assert entry["Icon"] == "plumise-petals"  # resolved in /usr/share/icons/hicolor
    assert entry["Terminal"] == "false"
    assert entry["Categories"].endswith(";") and "Network" in entry["Categories"]
    assert "Comment[ko]" in entry


def test_control_template_declares_what_the_bundle_needs_from_the_system():
    fields = dict(
        line.split(": ", 1) for line in (LINUX / "control.in").read_text().splitlines() if line and not line.startswith(" ")
    )
    assert fields["Package"] == "plumise-petals"
    assert fields["Version"] == "@VERSION@" and fields["Architecture"] == "@ARCH@"
    assert fields["Installed-Size"] == "@INSTALLED_SIZE@"
    depends = [d.strip() for d in fields["Depends"].split(",")]
    for lib in ("libegl1", "libxkbcommon-x11-0", "libxcb-cursor0", "libfontconfig1", "libdbus-1-3"):
        assert lib in depends  # Qt's xcb platform plugin loads these from the system
    assert "libglib2.0-0t64 | libglib2.0-0" in depends
    assert "Description" in fields


@pytest.mark.parametrize("script", ["postinst", "postrm"])
def test_maintainer_scripts_are_executable_posix_sh_that_never_fail_on_caches(script):
    path = LINUX / script
    assert os.access(path, os.X_OK)
    assert path.read_text().startswith("#!/bin/sh")
    subprocess.run(["sh", "-n", str(path)], check=True)
    assert "|| true" in path.read_text()


@pytest.mark.parametrize("script", ["build-deb.sh", "build-tarball.sh", "deb-test.sh", "checksums.sh", "app-smoke.sh"])
def test_shell_scripts_parse(script):
    assert os.access(LINUX / script, os.X_OK)
    subprocess.run(["bash", "-n", str(LINUX / script)], check=True)


@needs_dpkg
def test_deb_layout_from_a_fake_bundle(fake_bundle, tmp_path):
    out = tmp_path / "out"
    env = dict(os.environ, DEB_COMPRESS="gzip", DEB_LEVEL="1")
    result = subprocess.run([str(LINUX / "build-deb.sh"), str(fake_bundle), str(out)], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    [deb] = list(out.glob("plumise-petals_*.deb"))
    info = subprocess.run(["dpkg-deb", "--field", str(deb)], capture_output=True, text=True, check=True).stdout
    assert "Package: plumise-petals" in info
    version = __import__("tomllib").loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert f"Version: {version}" in info
    assert not __import__("re").search(r"@[A-Z_]+@", info)  # every placeholder filled
    listing = subprocess.run(["dpkg-deb", "--contents", str(deb)], capture_output=True, text=True, check=True).stdout
    rows = {line.split()[-1] if " -> " not in line else line.split()[-3]: line for line in listing.splitlines()}
    for path in ("./opt/plumise-petals/plumise-petals", "./opt/plumise-petals/plumise-petals-app",
                 "./opt/plumise-petals/_internal/hivemind/hivemind_cli/p2pd",
                 "./usr/share/applications/plumise-petals.desktop",
                 "./usr/share/icons/hicolor/256x256/apps/plumise-petals.png",
                 "./usr/share/doc/plumise-petals/copyright"):
        assert path in rows, path
        assert " root/root " in rows[path]
    for exe in ("./opt/plumise-petals/plumise-petals", "./opt/plumise-petals/_internal/hivemind/hivemind_cli/p2pd"):
        assert rows[exe].startswith("-rwxr-xr-x"), rows[exe]
    if (REPO_ROOT / "resources" / "icons" / "plumise-petals.svg").is_file():
        assert "./usr/share/icons/hicolor/scalable/apps/plumise-petals.svg" in rows
    assert "./usr/bin/plumise-petals -> /opt/plumise-petals/plumise-petals" in listing
    assert "./usr/bin/plumise-petals-app -> /opt/plumise-petals/plumise-petals-app" in listing
    # Nothing outside /opt and /usr/share except the two /usr/bin links: a clean removal by dpkg.
    for path in rows:
        assert path.startswith(("./opt/plumise-petals", "./usr/share/", "./usr/bin/")) or path in ("./", "./opt/", "./usr/"), path
    scripts = subprocess.run(["dpkg-deb", "--info", str(deb)], capture_output=True, text=True, check=True).stdout
    assert "postinst" in scripts and "postrm" in scripts


def test_build_deb_refuses_a_missing_bundle(tmp_path):
    result = subprocess.run([str(LINUX / "build-deb.sh"), str(tmp_path / "nothing"), str(tmp_path)],
                            capture_output=True, text=True)
    assert result.returncode == 1 and "make dist" in result.stderr


def test_portable_archive_keeps_the_folder_and_modes(fake_bundle, tmp_path):
    out = tmp_path / "out"
    result = subprocess.run([str(LINUX / "build-tarball.sh"), str(fake_bundle), str(out)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    [archive] = list(out.glob("plumise-petals-*-linux-*.tar.gz"))
    with tarfile.open(archive) as tar:
        members = {m.name: m for m in tar.getmembers()}
    assert members["plumise-petals/plumise-petals"].mode & 0o111
    assert members["plumise-petals/_internal/hivemind/hivemind_cli/p2pd"].mode & 0o111
    assert all(m.uid == 0 and m.gid == 0 for m in members.values())


def test_icon_is_a_valid_png(tmp_path):
    import importlib.util
    import struct

    spec = importlib.util.spec_from_file_location("make_icon", LINUX / "make_icon.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    data = module.draw_png(32)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (32, 32)


def test_checksums_file_lists_each_release_file(tmp_path):
    (tmp_path / "a.deb").write_bytes(b"deb")
    (tmp_path / "b.tar.gz").write_bytes(b"tar")
    (tmp_path / "notes.txt").write_text("not a release file")
    subprocess.run([str(LINUX / "checksums.sh"), str(tmp_path), "*.deb", "*.tar.gz"], check=True, capture_output=True)
    lines = (tmp_path / "SHA256SUMS").read_text().splitlines()
    assert [line.split()[1] for line in lines] == ["a.deb", "b.tar.gz"]
    subprocess.run(["sha256sum", "--check", "SHA256SUMS"], cwd=tmp_path, check=True, capture_output=True)
