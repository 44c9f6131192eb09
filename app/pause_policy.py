"""When the node pauses by itself, and the person's own Pause / Resume (UX.md #1, #2, #5).

The node pauses — its child process is stopped, so its memory goes back to the person — while the computer
runs on battery (``pause_on_battery``, on by default) and while the person is using the computer
(``pause_while_in_use``: the user has been idle for less than ``idle_minutes``). It resumes by itself when
the condition clears. The person's own Pause from the tray wins over every automatic resume; their Resume
wins over the automatic reasons active at that moment, until each of those clears once.

:class:`PausePolicy` is the decision, free of Qt and of the machine (tests feed it readings).
:func:`read_on_battery` and :func:`idle_time_source` read the machine; where idle time cannot be known
(Wayland without logind idle hints, a headless box), the source says so and the node never pauses for it.
:class:`PauseDriver` polls the readers off the GUI thread with a QTimer and reports the reason.
"""
from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
import time
from typing import Callable, Optional

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from app.background import run_in_background

BATTERY = "battery"
IN_USE = "in_use"
BY_USER = "user"
AUTOMATIC_REASONS = (BATTERY, IN_USE)  # in the order they are named when several hold

POLL_INTERVAL_MS = 5_000
BatteryReader = Callable[[], Optional[bool]]   # True on battery, False on mains, None: no battery / unknown
IdleReader = Callable[[], Optional[float]]     # seconds since the last keyboard/mouse input, None: unknown


@dataclasses.dataclass(frozen=True)
class Readings:
    on_battery: Optional[bool]
    idle_s: Optional[float]


class PausePolicy:
    """Decides whether the node should be paused, and why (Qt-free)."""

    def __init__(self, pause_on_battery: bool = True, pause_while_in_use: bool = False, idle_minutes: int = 3) -> None:
        self.pause_on_battery = pause_on_battery
        self.pause_while_in_use = pause_while_in_use
        self.idle_minutes = idle_minutes
        self.paused_by_user = False
        self._overridden: set[str] = set()  # automatic reasons the person resumed through
        self._active: set[str] = set()

    @classmethod
    def from_settings(cls, settings) -> "PausePolicy":
        return cls(settings.pause_on_battery, settings.pause_while_in_use, settings.idle_minutes)

    def apply_settings(self, settings) -> None:
        self.pause_on_battery = settings.pause_on_battery
        self.pause_while_in_use = settings.pause_while_in_use
        self.idle_minutes = settings.idle_minutes

    def automatic_reasons(self, readings: Readings) -> set[str]:
        reasons = set()
        # None means "no battery" (a desktop) or "cannot tell": never a reason to pause.
        if self.pause_on_battery and readings.on_battery is True:
            reasons.add(BATTERY)
        if self.pause_while_in_use and readings.idle_s is not None and readings.idle_s < self.idle_minutes * 60:
            reasons.add(IN_USE)
        return reasons

    def update(self, readings: Readings) -> Optional[str]:
        """Take new readings; the reason to be paused now (BATTERY, IN_USE, BY_USER) or None to run."""
        self._active = self.automatic_reasons(readings)
        self._overridden &= self._active  # an override ends when its condition clears
        return self.reason()

    def reason(self) -> Optional[str]:
        if self.paused_by_user:
            return BY_USER
        for reason in AUTOMATIC_REASONS:
            if reason in self._active and reason not in self._overridden:
                return reason
        return None

    def pause_by_user(self) -> Optional[str]:
        self.paused_by_user = True
        return self.reason()

    def resume_by_user(self) -> Optional[str]:
        """The person wants it running now: their pause ends, and so do the automatic ones holding now."""
        self.paused_by_user = False
        self._overridden |= self._active
        return self.reason()

    def clear_user_choices(self) -> None:
        """Stop (not pause) resets the person's pause and overrides: the next Start follows the rules again."""
        self.paused_by_user = False
        self._overridden.clear()


# ----------------------------------------------------------------------------------------- machine readers


def read_on_battery() -> Optional[bool]:
    """True on battery, False on mains power, None where there is no battery (a desktop) or it is unknown."""
    import psutil

    try:
        battery = psutil.sensors_battery()
    except (AttributeError, NotImplementedError, OSError):
        return None
    if battery is None or battery.power_plugged is None:
        return None
    return not battery.power_plugged


@dataclasses.dataclass(frozen=True)
class IdleSource:
    """How this computer's idle time is read; ``reader`` is None where it cannot be known."""

    name: str  # "windows", "macos", "x11", "logind" or "none"
    reader: Optional[IdleReader]
    why_unavailable: str = ""


def _windows_idle_reader() -> Optional[IdleReader]:
    import ctypes
    from ctypes import wintypes

    class LastInputInfo(ctypes.Structure):
        _fields_ = [("cbSize", wintypes.UINT), ("dwTime", wintypes.DWORD)]

    user32 = ctypes.windll.user32  # type: ignore[attr-defined]
    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]

    def read() -> Optional[float]:
        info = LastInputInfo()
        info.cbSize = ctypes.sizeof(LastInputInfo)
        if not user32.GetLastInputInfo(ctypes.byref(info)):
            return None
        # Both are 32-bit millisecond tick counts: the difference is right across the 49-day wrap.
        return ((kernel32.GetTickCount() - info.dwTime) & 0xFFFFFFFF) / 1000.0

    return read


_HID_IDLE = re.compile(r'"HIDIdleTime"\s*=\s*(\d+)')


def parse_ioreg_idle(text: str) -> Optional[float]:
    """Seconds from ``ioreg -c IOHIDSystem`` output (HIDIdleTime is in nanoseconds)."""
    match = _HID_IDLE.search(text)
    return int(match.group(1)) / 1e9 if match else None


def _macos_idle() -> Optional[float]:
    try:
        out = subprocess.run(["ioreg", "-c", "IOHIDSystem", "-d", "4"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return parse_ioreg_idle(out.stdout)


def _x11_idle_reader() -> Optional[IdleReader]:
    """XScreenSaverQueryInfo through ctypes (libXss), or None where there is no X display or no libXss."""
    import ctypes
    import ctypes.util

    if not os.environ.get("DISPLAY"):
        return None
    xss_name, x11_name = ctypes.util.find_library("Xss"), ctypes.util.find_library("X11")
    if not (xss_name and x11_name):
        return None
    try:
        xss, x11 = ctypes.CDLL(xss_name), ctypes.CDLL(x11_name)
    except OSError:
        return None

    class XScreenSaverInfo(ctypes.Structure):
        _fields_ = [("window", ctypes.c_ulong), ("state", ctypes.c_int), ("kind", ctypes.c_int),
                    ("til_or_since", ctypes.c_ulong), ("idle", ctypes.c_ulong), ("eventMask", ctypes.c_ulong)]

    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XDefaultRootWindow.restype = ctypes.c_ulong
    x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
    xss.XScreenSaverAllocInfo.restype = ctypes.POINTER(XScreenSaverInfo)
    xss.XScreenSaverQueryInfo.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(XScreenSaverInfo)]
    display = x11.XOpenDisplay(None)
    if not display:
        return None
    info = xss.XScreenSaverAllocInfo()

    def read() -> Optional[float]:
        if not xss.XScreenSaverQueryInfo(display, x11.XDefaultRootWindow(display), info):
            return None
        return info.contents.idle / 1000.0

    return read if read() is not None else None


def parse_logind_idle(text: str, monotonic_now_us: int) -> Optional[float]:
    """Idle seconds from ``loginctl show-session -p IdleHint -p IdleSinceHintMonotonic`` output.

    None when the desktop never reported idleness (then "not idle" would only mean "not told").
    """
    values = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
    since = int(values.get("IdleSinceHintMonotonic", "0") or 0)
    if since == 0:
        return None
    if values.get("IdleHint") == "yes":
        return max(0.0, (monotonic_now_us - since) / 1e6)
    return 0.0  # the desktop says the person is active


def _logind_idle_reader() -> Optional[IdleReader]:
    session = os.environ.get("XDG_SESSION_ID")
    if not session or not _which("loginctl"):
        return None

    def read() -> Optional[float]:
        try:
            out = subprocess.run(["loginctl", "show-session", session, "-p", "IdleHint", "-p",
                                  "IdleSinceHintMonotonic"], capture_output=True, text=True, timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            return None
        if out.returncode != 0:
            return None
        return parse_logind_idle(out.stdout, int(time.clock_gettime(time.CLOCK_MONOTONIC) * 1e6))

    return read if read() is not None else None


def _which(program: str) -> Optional[str]:
    import shutil

    return shutil.which(program)


def idle_time_source(platform: str = sys.platform) -> IdleSource:
    """How idle time is read here. Blocking (it may load libraries or run a program): call it off the GUI
    thread."""
    if platform == "win32":
        return IdleSource("windows", _windows_idle_reader())
    if platform == "darwin":
        return IdleSource("macos", _macos_idle)
    reader = _x11_idle_reader()
    if reader is not None:
        return IdleSource("x11", reader)
    reader = _logind_idle_reader()
    if reader is not None:
        return IdleSource("logind", reader)
    return IdleSource("none", None, "no X11 screen saver extension and no idle hint from the login manager")


# ----------------------------------------------------------------------------------------------- Qt driver


class PauseDriver(QObject):
    """Polls the readers (off the GUI thread) and tells when the reason to be paused changes."""

    reason_changed = Signal(object)  # BATTERY, IN_USE, BY_USER or None

    def __init__(
        self,
        policy: PausePolicy,
        battery_reader: BatteryReader = read_on_battery,
        idle_source: Optional[Callable[[], IdleSource]] = idle_time_source,
        interval_ms: int = POLL_INTERVAL_MS,
        parent: Optional[QObject] = None,
    ) -> None:
        super().__init__(parent)
        self.policy = policy
        self.battery_reader = battery_reader
        self._idle_source_factory = idle_source
        self.idle_source: Optional[IdleSource] = None  # found on the first poll, off the GUI thread
        self.reason: Optional[str] = None
        self.readings: Optional[Readings] = None
        self._sampling = False
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.on_poll)

    def start(self) -> None:
        self.timer.start()
        self.on_poll()

    def stop(self) -> None:
        self.timer.stop()

    def _sample(self) -> tuple[Readings, Optional[IdleSource]]:
        source = self.idle_source
        if source is None and self._idle_source_factory is not None:
            source = self._idle_source_factory()
        idle = source.reader() if source is not None and source.reader is not None else None
        return Readings(self.battery_reader(), idle), source

    @Slot()
    def on_poll(self) -> None:
        if self._sampling:
            return  # a slow reader (ioreg, loginctl) still runs: one sample at a time
        self._sampling = True
        run_in_background(self._sample, self.on_sampled, self.on_sample_failed, owner=self)

    def on_sampled(self, result: tuple[Readings, Optional[IdleSource]]) -> None:
        self._sampling = False
        self.readings, source = result
        if self.idle_source is None:
            self.idle_source = source
        self._set(self.policy.update(self.readings))

    def on_sample_failed(self, exc: BaseException) -> None:
        import logging

        self._sampling = False
        logging.getLogger(__name__).warning("Reading the battery or idle time failed: %s", exc)
        self._set(self.policy.update(Readings(None, None)))

    def pause_by_user(self) -> None:
        self._set(self.policy.pause_by_user())

    def resume_by_user(self) -> None:
        self._set(self.policy.resume_by_user())

    def clear_user_choices(self) -> None:
        self.policy.clear_user_choices()
        self._set(self.policy.reason())

    def apply_settings(self, settings) -> None:
        self.policy.apply_settings(settings)
        if self.readings is not None:
            self._set(self.policy.update(self.readings))
        self.on_poll()

    def _set(self, reason: Optional[str]) -> None:
        if reason != self.reason:
            self.reason = reason
            self.reason_changed.emit(reason)
