"""A file-backed ``keyring`` backend: the benchmarks' stand-in for the OS password store.

This machine has no keyring daemon (no Secret Service), so the app would open its first-run wizard
instead of its dashboard. The app is pointed at this class with
``PYTHON_KEYRING_BACKEND=bench.bench_keyring.FileKeyring`` and ``BENCH_KEYRING_FILE=<json file>``; the
benchmark stores a throwaway devnet-style key in it first. Never used outside bench/.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import keyring.backend
import keyring.errors


class FileKeyring(keyring.backend.KeyringBackend):
    priority = 1

    @property
    def _path(self) -> Path:
        return Path(os.environ["BENCH_KEYRING_FILE"])

    def _load(self) -> dict:
        try:
            return json.loads(self._path.read_text())
        except (OSError, ValueError):
            return {}

    def get_password(self, service, username):
        return self._load().get(f"{service}\n{username}")

    def set_password(self, service, username, password):
        data = self._load()
        data[f"{service}\n{username}"] = password
        self._path.write_text(json.dumps(data))

    def delete_password(self, service, username):
        data = self._load()
        if data.pop(f"{service}\n{username}", None) is None:
            raise keyring.errors.PasswordDeleteError("no such entry")
        self._path.write_text(json.dumps(data))
