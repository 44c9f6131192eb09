"""Autostart entries per OS, written into a fake home directory or a fake registry (the real ones are the
user's: a test must never add a login item to the machine it runs on)."""
from __future__ import annotations

import plistlib
import shlex

import pytest

from app import autostart
from app.autostart import AutostartError, LinuxAutostart, MacLaunchAgent, WindowsRunKey


class FakeWinreg:
    """The subset of the ``winreg`` module WindowsRunKey uses, over a dict (no registry exists here)."""

    HKEY_CURRENT_USER = "HKCU"
    KEY_SET_VALUE = 2
    KEY_READ = 1
    REG_SZ = 1

    def __init__(self):
        self.keys: dict[tuple[str, str], dict[str, tuple[object, int]]] = {}

    def CreateKeyEx(self, root, path, reserved, access):
        self.keys.setdefault((root, path), {})
        return (root, path)

    def OpenKey(self, root, path, reserved=0, access=1):
        if (root, path) not in self.keys:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        return (root, path)

    def SetValueEx(self, key, name, reserved, kind, value):
        self.keys[key][name] = (value, kind)

    def QueryValueEx(self, key, name):
        try:
            return self.keys[key][name]
        except KeyError:
            raise FileNotFoundError(2, "The system cannot find the file specified") from None

    def DeleteValue(self, key, name):
        try:
            del self.keys[key][name]
        except KeyError:
            raise FileNotFoundError(2, "The system cannot find the file specified") from None

    def CloseKey(self, key):
        pass


def test_linux_entry_round_trip_and_exec_quoting(tmp_path):
    entry = LinuxAutostart(home=tmp_path)
    assert entry.path == tmp_path / ".config" / "autostart" / "plumise-petals.desktop"
    assert not entry.is_installed()

    argv = ["/opt/My Apps/python3", "-m", "app.main"]
    autostart.install(argv, entry=entry)
    assert entry.is_installed()
    text = entry.path.read_text()
    assert "[Desktop Entry]" in text and "Type=Application" in text
    exec_line = entry.exec_line()
    # Undo the desktop-string escaping, then the Exec quoting (shell-like for these characters).
    assert shlex.split(exec_line.replace("\\\\", "\\")) == argv + ["--minimized"]
    assert oct(entry.path.stat().st_mode & 0o777) == oct(0o644)

    autostart.remove(entry=entry)
    assert not entry.is_installed() and not entry.path.exists()
    autostart.remove(entry=entry)  # removing twice is not an error


def test_linux_entry_disabled_by_the_desktop_counts_as_not_installed(tmp_path):
    entry = LinuxAutostart(home=tmp_path)
    entry.install(["/usr/bin/plumise-petals-app"])
    entry.path.write_text(entry.path.read_text().replace("X-GNOME-Autostart-enabled=true", "Hidden=true"))
    assert not entry.is_installed()


def test_linux_percent_in_path_is_not_a_field_code(tmp_path):
    entry = LinuxAutostart(home=tmp_path)
    entry.install(["/home/a%b/app"])
    assert entry.exec_line() == "/home/a%%b/app --minimized"


def test_linux_unwritable_config_gives_a_readable_error(tmp_path):
    blocker = tmp_path / ".config"
    blocker.write_text("a file where a directory should be")
    entry = LinuxAutostart(home=tmp_path)
    with pytest.raises(AutostartError, match="Could not create the login entry"):
        entry.install(["/usr/bin/app"])


def test_empty_command_is_refused(tmp_path):
    with pytest.raises(AutostartError, match="No program"):
        LinuxAutostart(home=tmp_path).install([])


def test_macos_launch_agent_round_trip(tmp_path):
    entry = autostart.entry_for_platform("darwin", home=tmp_path)
    assert isinstance(entry, MacLaunchAgent)
    autostart.install(["/Applications/Plumise Petals.app/Contents/MacOS/Plumise Petals"], entry=entry)
    assert entry.path == tmp_path / "Library" / "LaunchAgents" / "com.plumise.petals.plist"
    plist = plistlib.loads(entry.path.read_bytes())
    assert plist["Label"] == "com.plumise.petals"
    assert plist["RunAtLoad"] is True and plist["KeepAlive"] is False
    assert plist["ProgramArguments"] == [
        "/Applications/Plumise Petals.app/Contents/MacOS/Plumise Petals", "--minimized"]
    assert autostart.is_installed(entry=entry)
    autostart.remove(entry=entry)
    assert not autostart.is_installed(entry=entry)


def test_macos_corrupt_plist_is_not_installed(tmp_path):
    entry = MacLaunchAgent(home=tmp_path)
    entry.path.parent.mkdir(parents=True)
    entry.path.write_bytes(b"not a plist")
    assert not entry.is_installed()


def test_windows_run_key_round_trip():
    reg = FakeWinreg()
    entry = WindowsRunKey(key_path=r"Software\PlumiseTest\Run", winreg_module=reg)
    assert not entry.is_installed()
    autostart.remove(entry=entry)  # nothing there yet: no error
    autostart.install([r"C:\Program Files\Plumise Petals\plumise-petals-app.exe"], entry=entry)
    value, kind = reg.keys[("HKCU", r"Software\PlumiseTest\Run")]["PlumisePetals"]
    assert kind == reg.REG_SZ
    assert value == r'"C:\Program Files\Plumise Petals\plumise-petals-app.exe" --minimized'
    assert entry.is_installed()
    autostart.remove(entry=entry)
    assert not entry.is_installed()
    assert "PlumisePetals" not in reg.keys[("HKCU", r"Software\PlumiseTest\Run")]


def test_minimized_flag_is_not_doubled(tmp_path):
    entry = MacLaunchAgent(home=tmp_path)
    entry.install(["/x/app", "--minimized"])
    assert entry.program_arguments() == ["/x/app", "--minimized"]


def test_launch_command_names_a_runnable_program():
    argv = autostart.launch_command()
    assert argv and argv[0]
