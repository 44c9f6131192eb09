"""Start Plumise Petals at login: a visible, reversible choice (UX.md "Hated" 1: hidden autostart).

One entry per OS, each written only when the user turns the option on and removed when they turn it off:

- Linux: an XDG autostart entry, ``$XDG_CONFIG_HOME/autostart/plumise-petals.desktop`` (default ``~/.config``).
- macOS: a LaunchAgent, ``~/Library/LaunchAgents/com.plumise.petals.plist`` (RunAtLoad).
- Windows: the value ``PlumisePetals`` under ``HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run``.

Every entry launches the app with ``--minimized`` so that a login start goes straight to the tray.

Interface (used by the wizard, the settings dialog and app-shell)::

    autostart.install(executable_cmd)   # list of argv words (or one program path); "--minimized" is appended
    autostart.remove()                  # no error when nothing is installed
    autostart.is_installed() -> bool
    autostart.launch_command() -> list[str]   # how this very program is started again

Each function takes an optional ``entry=`` (a ``LinuxAutostart``, ``MacLaunchAgent`` or ``WindowsRunKey``) so
tests can point at a fake home directory or a fake registry module; by default the entry for this OS and
the real home directory is used. No Qt here: the module is plain file and registry work.
"""
from __future__ import annotations

import os
import plistlib
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Protocol, Sequence

from chain.files import atomic_write_bytes

MINIMIZED_FLAG = "--minimized"
APP_NAME = "Plumise Petals"
DESKTOP_FILE_NAME = "plumise-petals.desktop"
LAUNCH_AGENT_LABEL = "com.plumise.petals"
RUN_KEY_PATH = r"Software\Microsoft\Windows\CurrentVersion\Run"
RUN_VALUE_NAME = "PlumisePetals"


class AutostartError(Exception):
    """The login entry could not be written or removed; the message says what to do."""


class AutostartEntry(Protocol):
    def install(self, argv: Sequence[str]) -> None: ...
    def remove(self) -> None: ...
    def is_installed(self) -> bool: ...
    def describe(self) -> str: ...


def _with_minimized(argv: Sequence[str] | str) -> list[str]:
    words = [argv] if isinstance(argv, (str, os.PathLike)) else list(argv)
    words = [os.fspath(word) for word in words]
    if not words or not words[0]:
        raise AutostartError("No program to start at login was given.")
    if MINIMIZED_FLAG not in words:
        words.append(MINIMIZED_FLAG)
    return words


# --- Linux -------------------------------------------------------------------------------------------------

_DESKTOP_RESERVED = set(' \t\n"\'\\><~|&;$*?#()`')


def _desktop_exec_word(word: str) -> str:
    """Quote one argv word per the Desktop Entry spec ("The Exec key"), then escape it as a string value."""
    word = word.replace("%", "%%")  # a bare % would be read as a field code
    if word and not (_DESKTOP_RESERVED & set(word)):
        quoted = word
    else:
        inner = "".join("\\" + ch if ch in '"`$\\' else ch for ch in word)
        quoted = f'"{inner}"'
    # Second level: the whole value is a desktop "string", where a backslash is itself written as \\.
    return quoted.replace("\\", "\\\\")


def _desktop_exec_line(argv: Sequence[str]) -> str:
    return " ".join(_desktop_exec_word(word) for word in argv)


class LinuxAutostart:
    """An XDG autostart entry (freedesktop.org Desktop Application Autostart Specification)."""

    def __init__(self, home: Path | None = None, config_home: Path | None = None):
        home = Path(home) if home is not None else Path.home()
        if config_home is None:
            env = os.environ.get("XDG_CONFIG_HOME")
            # The spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
            config_home = Path(env) if env and os.path.isabs(env) and home == Path.home() else home / ".config"
        self.path = Path(config_home) / "autostart" / DESKTOP_FILE_NAME

    def install(self, argv: Sequence[str]) -> None:
        text = (
            "[Desktop Entry]\n"
            "Type=Application\n"
            f"Name={APP_NAME}\n"
            "Comment=Serve AI model blocks for the Plumise network and earn PLM\n"
            f"Exec={_desktop_exec_line(_with_minimized(argv))}\n"
            "Icon=plumise-petals\n"
            "Terminal=false\n"
            "Categories=Network;\n"
            "X-GNOME-Autostart-enabled=true\n"
        )
        try:
            atomic_write_bytes(self.path, text.encode("utf-8"), mode=0o644)
        except OSError as exc:
            raise AutostartError(f"Could not create the login entry {self.path}: {exc.strerror or exc}") from exc

    def remove(self) -> None:
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise AutostartError(f"Could not remove the login entry {self.path}: {exc.strerror or exc}") from exc

    def is_installed(self) -> bool:
        try:
            lines = self.path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return False
        values = dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))
        # A desktop environment's own switch ("Hidden" or GNOME's flag) turns the entry off without deleting it.
        if values.get("Hidden", "").strip().lower() == "true":
            return False
        return values.get("X-GNOME-Autostart-enabled", "true").strip().lower() != "false"

    def exec_line(self) -> str | None:
        """The Exec value as written, for support and tests."""
        try:
            for line in self.path.read_text(encoding="utf-8").splitlines():
                if line.startswith("Exec="):
                    return line[len("Exec="):]
        except OSError:
            return None
        return None

    def describe(self) -> str:
        return str(self.path)


# --- macOS -------------------------------------------------------------------------------------------------


class MacLaunchAgent:
    """A per-user LaunchAgent that launchd runs at login (RunAtLoad)."""

    def __init__(self, home: Path | None = None):
        home = Path(home) if home is not None else Path.home()
        self.path = home / "Library" / "LaunchAgents" / f"{LAUNCH_AGENT_LABEL}.plist"

    def install(self, argv: Sequence[str]) -> None:
        plist = {
            "Label": LAUNCH_AGENT_LABEL,
            "ProgramArguments": _with_minimized(argv),
            "RunAtLoad": True,
            # Started once per login, not kept alive: quitting from the tray must stay quit.
            "KeepAlive": False,
            "ProcessType": "Interactive",
            "LimitLoadToSessionType": "Aqua",
        }
        try:
            atomic_write_bytes(self.path, plistlib.dumps(plist), mode=0o644)
        except OSError as exc:
            raise AutostartError(f"Could not create the login item {self.path}: {exc.strerror or exc}") from exc

    def remove(self) -> None:
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise AutostartError(f"Could not remove the login item {self.path}: {exc.strerror or exc}") from exc

    def is_installed(self) -> bool:
        try:
            with self.path.open("rb") as handle:
                plist = plistlib.load(handle)
        except (OSError, plistlib.InvalidFileException, ValueError):
            return False
        return plist.get("Label") == LAUNCH_AGENT_LABEL and bool(plist.get("RunAtLoad"))

    def program_arguments(self) -> list[str] | None:
        try:
            with self.path.open("rb") as handle:
                return list(plistlib.load(handle).get("ProgramArguments", []))
        except (OSError, plistlib.InvalidFileException, ValueError):
            return None

    def describe(self) -> str:
        return str(self.path)


# --- Windows -----------------------------------------------------------------------------------------------


class WindowsRunKey:
    """The per-user Run key. ``winreg_module`` and ``key_path`` are injectable so tests can use a fake registry."""

    def __init__(self, key_path: str = RUN_KEY_PATH, value_name: str = RUN_VALUE_NAME, winreg_module=None):
        if winreg_module is None:
            import winreg as winreg_module  # only on Windows; other OSes pass a module or never build this
        self.winreg = winreg_module
        self.key_path = key_path
        self.value_name = value_name

    def install(self, argv: Sequence[str]) -> None:
        reg = self.winreg
        command = subprocess.list2cmdline(_with_minimized(argv))
        try:
            key = reg.CreateKeyEx(reg.HKEY_CURRENT_USER, self.key_path, 0, reg.KEY_SET_VALUE)
            try:
                reg.SetValueEx(key, self.value_name, 0, reg.REG_SZ, command)
            finally:
                reg.CloseKey(key)
        except OSError as exc:
            raise AutostartError(f"Could not write the login entry in the registry: {exc}") from exc

    def remove(self) -> None:
        reg = self.winreg
        try:
            key = reg.OpenKey(reg.HKEY_CURRENT_USER, self.key_path, 0, reg.KEY_SET_VALUE)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise AutostartError(f"Could not open the registry's Run key: {exc}") from exc
        try:
            reg.DeleteValue(key, self.value_name)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise AutostartError(f"Could not remove the login entry from the registry: {exc}") from exc
        finally:
            reg.CloseKey(key)

    def command(self) -> str | None:
        reg = self.winreg
        try:
            key = reg.OpenKey(reg.HKEY_CURRENT_USER, self.key_path, 0, reg.KEY_READ)
        except OSError:
            return None
        try:
            value, _kind = reg.QueryValueEx(key, self.value_name)
            return str(value)
        except OSError:
            return None
        finally:
            reg.CloseKey(key)

    def is_installed(self) -> bool:
        return bool(self.command())

    def describe(self) -> str:
        return f"HKEY_CURRENT_USER\\{self.key_path}\\{self.value_name}"


# --- choosing the entry ------------------------------------------------------------------------------------


def entry_for_platform(platform: str | None = None, home: Path | None = None) -> AutostartEntry:
    platform = platform or sys.platform
    if platform.startswith("win"):
        return WindowsRunKey()
    if platform == "darwin":
        return MacLaunchAgent(home)
    return LinuxAutostart(home)


def launch_command() -> list[str]:
    """The argv that starts this program again, for the login entry (``--minimized`` is added on install)."""
    if getattr(sys, "frozen", False):  # a PyInstaller bundle: the executable is the app itself
        return [sys.executable]
    script = shutil.which("plumise-petals-app", path=str(Path(sys.executable).parent))
    if script:
        return [script]
    return [sys.executable, "-m", "app.main"]


def install(executable_cmd: Sequence[str] | str | None = None, entry: AutostartEntry | None = None) -> None:
    """Start the app (minimised) at the next login. Raises AutostartError with a readable message."""
    (entry or entry_for_platform()).install(executable_cmd if executable_cmd is not None else launch_command())


def remove(entry: AutostartEntry | None = None) -> None:
    (entry or entry_for_platform()).remove()


def is_installed(entry: AutostartEntry | None = None) -> bool:
    return (entry or entry_for_platform()).is_installed()


def describe(entry: AutostartEntry | None = None) -> str:
    """Where the entry lives, in words a support person can follow."""
    return (entry or entry_for_platform()).describe()
