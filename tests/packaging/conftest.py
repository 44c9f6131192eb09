"""Fast checks of the packaging recipes (build.spec's manifest, .deb, macOS, Windows, Docker, CI).

Nothing here builds the real bundle (minutes; `make dist-test` / `make deb-test` do that); package
builds use a fake two-file bundle, so dpkg-deb and tar run in well under a second.
"""
from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
INSTALLERS = REPO_ROOT / "installers"
sys.path.insert(0, str(INSTALLERS / "pyinstaller"))


@pytest.fixture
def fake_bundle(tmp_path) -> Path:
    """A stand-in for dist/plumise-petals: the two executables (shell scripts) and an _internal folder."""
    bundle = tmp_path / "bundle" / "plumise-petals"
    (bundle / "_internal" / "hivemind" / "hivemind_cli").mkdir(parents=True)
    for name in ("plumise-petals", "plumise-petals-app", "_internal/hivemind/hivemind_cli/p2pd"):
        path = bundle / name
        path.write_text("#!/bin/sh\necho \"$0 $*\"\n")
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return bundle
