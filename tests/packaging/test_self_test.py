"""core.self_test's choice of commands: the bundled executables when frozen, the interpreter from a checkout.

The self-test itself (a devnet, a node, a report) runs in `make dist-test` / `make deb-test`, not here.
"""
from __future__ import annotations

import sys

from core import self_test


def test_from_a_checkout_the_node_is_python_dash_m_core(monkeypatch):
    monkeypatch.delattr(sys, "frozen", raising=False)
    assert self_test.node_command() == [sys.executable, "-m", "core"]
    assert self_test.python_command() == [sys.executable]
    assert self_test.bundle_dir() is None


def test_in_a_bundle_the_node_is_the_executable_beside_the_app(monkeypatch, tmp_path):
    app = tmp_path / "plumise-petals-app"
    node = tmp_path / "plumise-petals"
    app.write_text("")
    node.write_text("")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(app))
    assert self_test.bundle_dir() == tmp_path.resolve()
    assert self_test.node_command() == [str(tmp_path.resolve() / "plumise-petals")]
    # the launcher of either executable runs `-m MODULE`
    assert self_test.python_command() == [str(tmp_path.resolve() / "plumise-petals")]


def test_in_a_bundle_without_the_node_executable_the_app_runs_dash_m_core(monkeypatch, tmp_path):
    app = tmp_path / "plumise-petals-app"
    app.write_text("")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(app))
    assert self_test.node_command() == [str(app), "-m", "core"]
    assert self_test.python_command() == [str(app)]


def test_child_environment_drops_the_key_and_stays_in_the_work_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("PLUMISE_PRIVATE_KEY", "0x" + "22" * 32)
    test = self_test.SelfTest(tmp_path, timeout=10, model="bloom", out=lambda *_: None)
    env = test.child_env()
    assert "PLUMISE_PRIVATE_KEY" not in env
    for name in ("PLUMISE_SETTINGS_FILE", "PLUMISE_MODEL_CACHE", "HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME"):
        assert env[name].startswith(str(tmp_path)), name
