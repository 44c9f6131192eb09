"""``plumise-petals-app``: the composition root of the desktop app.

Order matters for the "visible within a second" promise: only Qt and light modules are imported here
(never torch, petals, hivemind or web3); the tray icon (or, with no tray, the main window) is shown
before anything slow starts; the wallet, chain and node come afterwards, off the GUI thread.
"""
from __future__ import annotations

import time

_STARTED = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Optional, Sequence  # noqa: E402

HEAVY_MODULES = ("torch", "petals", "hivemind", "transformers", "web3")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="plumise-petals-app", description="Plumise Petals desktop app")
    parser.add_argument("--network", choices=["mainnet", "local", "devnet"], default=None,
                        help="network preset for this run (default: the settings file's)")
    parser.add_argument("--settings-file", default=None, help="settings file (default: the OS config folder's)")
    parser.add_argument("--data-dir", default=os.environ.get("PLUMISE_APP_DATA_DIR"),
                        help="where the app keeps its history and devnet state (default: the OS data folder)")
    parser.add_argument("--start-minimized", action="store_true", help="start in the tray (used at login)")
    parser.add_argument("--no-tray", action="store_true", help="behave as if there were no system tray")
    parser.add_argument("--no-start", action="store_true", help="do not start the node automatically")
    parser.add_argument("--instance-name", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--measure-startup", action="store_true",
                        help="print how long the first window/tray took and which heavy modules were loaded, then quit")
    return parser


def default_data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path("plumise-petals", appauthor=False)


def _setup_logging() -> None:
    from chain.redact import install

    handler = logging.StreamHandler()
    install(handler)
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox, QSystemTrayIcon

    from app.icons import app_icon
    from app.single_instance import SingleInstance, default_server_name, notify_running_instance

    _setup_logging()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Plumise Petals")
    app.setOrganizationName("Plumise")
    app.setWindowIcon(app_icon())
    app.setQuitOnLastWindowClosed(False)  # a tray app lives on with its window closed

    # Ctrl+C / SIGTERM (a logout, `kill`) quit cleanly: the node is stopped, never orphaned. Installed
    # before anything else can be seen from outside (the single-instance socket). Python only runs
    # signal handlers between bytecodes, so a timer lets it in while Qt's loop waits.
    holder: dict = {}

    def on_signal(*_args) -> None:
        controller = holder.get("controller")
        QTimer.singleShot(0, controller.request_quit if controller is not None else (lambda: app.exit(0)))

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, on_signal)
    wake = QTimer()
    wake.start(250)
    wake.timeout.connect(lambda: None)

    instance_name = args.instance_name or default_server_name()
    if notify_running_instance(instance_name):
        print("Plumise Petals is already running; its window was brought forward.", file=sys.stderr)
        return 0
    instance = SingleInstance(instance_name)
    instance.listen()

    from core.settings import SettingsError, load_settings

    flags = {"network": args.network} if args.network else None
    settings_path = Path(args.settings_file) if args.settings_file else None
    try:
        loaded = load_settings(settings_path=settings_path, flags=flags)
    except SettingsError as exc:
        QMessageBox.critical(None, "Plumise Petals", str(exc))
        return 2

    from app import i18n

    i18n.install(app, loaded.settings.language)

    from app.controller import AppController

    tray_available = QSystemTrayIcon.isSystemTrayAvailable() and not args.no_tray
    data_dir = Path(args.data_dir) if args.data_dir else default_data_dir()
    controller = AppController(
        loaded.settings, data_dir, tray_available, settings_path=settings_path,
        keystore_dir=_keystore_dir(),
    )
    controller.show_initial(start_minimized=args.start_minimized and tray_available)
    for warning in loaded.warnings:
        logging.getLogger("app").warning(warning)
    instance.activation_requested.connect(controller.show_window)
    # exit(), not quit(): Qt 6's quit() first asks every window to close, and may be refused.
    controller.quit_finished.connect(lambda: app.exit(0))

    holder["controller"] = controller

    if args.measure_startup:
        def report() -> None:
            visible = (controller.tray is not None and controller.tray.icon.isVisible()) or controller.window.isVisible()
            print(json.dumps({
                "visible_after_s": round(time.perf_counter() - _STARTED, 3),
                "visible": visible,
                "tray": controller.tray is not None,
                "window_visible": controller.window.isVisible(),
                "heavy_modules": [m for m in HEAVY_MODULES if m in sys.modules],
            }), flush=True)
            controller.request_quit()

        QTimer.singleShot(0, report)
    else:
        QTimer.singleShot(0, lambda: controller.begin(start_node=not args.no_start))
    code = app.exec()
    instance.close()
    return code


def _keystore_dir() -> Optional[Path]:
    try:
        from app.wizard import default_keystore_dir
    except ImportError:
        return None
    return default_keystore_dir()


if __name__ == "__main__":
    sys.exit(main())
