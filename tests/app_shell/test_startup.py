"""The real `plumise-petals-app` entry point in a subprocess: fast, light, single instance, no-tray path."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid

from .node_helpers import REPO_ROOT


def _env(tmp_path) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PLUMISE_APP_DATA_DIR=str(tmp_path / "data"),
               PLUMISE_SETTINGS_FILE=str(tmp_path / "settings.json"))
    env.pop("PLUMISE_PRIVATE_KEY", None)
    # Never the user's keyring: the null backend stores nothing (the first run then offers the wizard).
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    return env


def _measure(tmp_path, *extra: str) -> dict:
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "app.main", "--measure-startup", "--instance-name", f"t-{uuid.uuid4().hex[:8]}",
         *extra],
        cwd=REPO_ROOT, env=_env(tmp_path), capture_output=True, text=True, timeout=60,
    )
    wall = time.perf_counter() - started
    assert out.returncode == 0, out.stderr
    report = json.loads([line for line in out.stdout.splitlines() if line.startswith("{")][-1])
    report["process_wall_s"] = wall
    return report


def test_visible_within_a_second_without_heavy_modules_and_no_tray_opens_the_window(tmp_path):
    _measure(tmp_path)  # warm the OS file cache; the promise is about a normal start, not a cold disk
    report = _measure(tmp_path)
    assert report["visible"] is True
    # The offscreen platform has no system tray: the window holding every control opened instead.
    assert report["tray"] is False and report["window_visible"] is True
    assert report["heavy_modules"] == []  # no torch, petals, hivemind, transformers, web3 in the GUI process
    assert report["visible_after_s"] < 1.0
    assert report["process_wall_s"] < 3.0, report  # generous: includes interpreter start and the quit


def test_second_launch_brings_the_first_forward_and_exits(qtbot, tmp_path):
    from app.single_instance import notify_running_instance

    name = f"t-{uuid.uuid4().hex[:8]}"
    first = subprocess.Popen(
        [sys.executable, "-m", "app.main", "--no-start", "--instance-name", name],
        cwd=REPO_ROOT, env=_env(tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 20
        while not notify_running_instance(name):
            assert time.time() < deadline and first.poll() is None, "the first instance never listened"
            time.sleep(0.1)
        second = subprocess.run(
            [sys.executable, "-m", "app.main", "--no-start", "--instance-name", name],
            cwd=REPO_ROOT, env=_env(tmp_path), capture_output=True, text=True, timeout=30,
        )
        assert second.returncode == 0
        assert "already running" in second.stderr
        assert first.poll() is None  # the first one is still there
    finally:
        first.terminate()  # SIGTERM → a clean quit
        try:
            first.wait(20)
        except subprocess.TimeoutExpired:
            first.kill()
            raise
    assert first.returncode == 0
