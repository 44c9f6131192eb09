"""``make screenshots``: render the app's windows to PNG files, in English and Korean, so anyone can look.

Run under a display server (``xvfb-run -a python -m app.screenshots``; any ``QT_QPA_PLATFORM`` works).
What it renders, into ``--out`` (default ``screenshots/``):

- ``wizard-*-<lang>.png``: the first-run wizard's welcome, new wallet, key storage and hardware pages (a
  throw-away wallet, stored in an in-memory keyring: the user's own keyring is never touched);
- ``settings-*-<lang>.png``: the settings dialog's tabs, with this computer's real hardware advice;
- ``dashboard-serving-<lang>.png`` and ``claim-result-<lang>.png``: the real app (app-shell's controller)
  on the embedded devnet — a real chain, oracle and swarm on 127.0.0.1, the node serving and counting
  real tokens, rewards distributed by the oracle, then a real claim. Nothing is mocked, so the numbers are
  the devnet's. ``--skip-devnet`` leaves these out.

Exit status 0 when every requested picture was written; otherwise 1 with the reason on stderr (a picture
of a half-started dashboard is never written as if it were the real thing).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Optional

import keyring
from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from app import i18n
from app.autostart import LinuxAutostart


class ScreenshotError(RuntimeError):
    pass


def wait_until(condition: Callable[[], bool], timeout_s: float, what: str,
               progress: Optional[Callable[[], str]] = None) -> None:
    """Run the event loop until ``condition()`` holds; ScreenshotError naming ``what`` after the timeout.

    ``progress`` (optional) describes the current state; it is printed every 15 s so a long wait is legible.
    """
    start = time.monotonic()
    deadline = start + timeout_s
    next_note = start + 15
    loop_app = QCoreApplication.instance()
    while not condition():
        now = time.monotonic()
        if now > deadline:
            state = f" (last state: {progress()})" if progress else ""
            raise ScreenshotError(f"timed out after {timeout_s:.0f} s waiting for {what}{state}")
        if progress and now > next_note:
            print(f"  waiting {now - start:.0f} s for {what}: {progress()}", flush=True)
            next_note = now + 15
        loop_app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.02)


def settle(ms: int = 300) -> None:
    """Let layouts, fonts and pending repaints finish before a grab."""
    end = time.monotonic() + ms / 1000
    while time.monotonic() < end:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.01)


def save(widget: QWidget, out: Path, name: str) -> Path:
    settle()
    path = out / f"{name}.png"
    if not widget.grab().save(str(path)):
        raise ScreenshotError(f"could not write {path}")
    print(f"wrote {path}", flush=True)
    return path


# --- wizard and settings ------------------------------------------------------------------------------------


def shoot_wizard(out: Path, lang: str, work: Path, advice) -> None:
    from app.wizard import PAGE_CREATE, PAGE_HARDWARE, PAGE_STORAGE, FirstRunWizard

    wizard = FirstRunWizard(hardware_probe=lambda: advice, keystore_dir=work / "keystores",
                            autostart_entry=LinuxAutostart(home=work / "home"), launch_command=["plumise-petals-app"])
    wizard.resize(720, 560)
    wizard.show()
    wizard.welcome_page.language_box.setCurrentIndex(wizard.welcome_page.language_box.findData(lang))
    save(wizard, out, f"wizard-1-welcome-{lang}")
    wizard.next()
    wait_until(lambda: wizard.currentId() == PAGE_CREATE and bool(wizard.create_page.key_field.text()), 30,
               "the wizard's new wallet")
    wizard.create_page.saved_check.setChecked(True)
    save(wizard, out, f"wizard-2-new-wallet-{lang}")
    wizard.next()
    wait_until(lambda: wizard.currentId() == PAGE_STORAGE and wizard.storage_page.mode != "checking", 30,
               "the wizard's storage page")
    save(wizard, out, f"wizard-3-storage-{lang}")
    wizard.next()
    wait_until(lambda: wizard.currentId() == PAGE_HARDWARE and wizard.hardware_page.isComplete(), 60,
               "the wizard's hardware page")
    save(wizard, out, f"wizard-4-hardware-{lang}")
    wizard.reject()
    wizard.deleteLater()


def shoot_settings(out: Path, lang: str, work: Path, advice) -> None:
    from app.settings_dialog import SettingsDialog
    from core.settings import Settings

    dialog = SettingsDialog(Settings(), hardware_probe=lambda: advice,
                            autostart_entry=LinuxAutostart(home=work / "home"), launch_command=["plumise-petals-app"])
    dialog.resize(720, 520)
    dialog.show()
    wait_until(lambda: dialog._advice is not None, 30, "the settings dialog's hardware advice")
    for index, name in ((1, "serving"), (0, "network"), (2, "rewards"), (3, "computer")):
        dialog.tabs.setCurrentIndex(index)
        save(dialog, out, f"settings-{name}-{lang}")
    dialog.reject()
    dialog.deleteLater()


# --- the real app on the devnet ------------------------------------------------------------------------------


def shoot_devnet(out: Path, languages: list[str], work: Path, timeout_s: float) -> None:
    from app.controller import AppController
    from chain.wallet import Wallet
    from core.settings import Settings

    from core.settings import save_settings

    wallet = Wallet.generate()
    # Auto-claim off, so the pending reward waits for the Claim button; a settings file of our own, so the
    # node child never reads the user's.
    settings = Settings(network="devnet", auto_claim=False)
    settings_path = save_settings(settings, work / "settings.json")
    controller = AppController(settings, work / "app-data", tray_available=False, settings_path=settings_path,
                               wallet_loader=lambda: wallet, keystore_dir=work / "keystores")
    controller.window.resize(960, 640)
    controller.show_initial()
    controller.begin(start_node=True)
    quit_done = []
    controller.quit_finished.connect(lambda: quit_done.append(True))
    status = controller.status
    claimed_at = 0.0
    try:
        for lang in languages:
            i18n.install(QApplication.instance(), lang)
            # Serving, tokens counted, a report accepted and rewards pending (read after the previous
            # claim, if any): the whole loop has run.
            wait_until(lambda: status.state == "serving" and (status.tokens or 0) > 0
                       and (status.pending_wei or 0) > 0 and status.tokens_per_s is not None
                       and (status.chain_read_at or 0) > claimed_at,
                       timeout_s, "the node to serve on the devnet with rewards pending",
                       lambda: f"state={status.state} tokens={status.tokens} pending_wei={status.pending_wei} "
                               f"message={status.message!r} error={status.last_error}")
            settle(1500)  # a few more metrics samples for the chart
            controller.window.tabs.setCurrentIndex(0)
            save(controller.window, out, f"dashboard-serving-{lang}")
            controller.on_claim_requested()
            dialog = controller.claim_dialog
            if dialog is None:
                raise ScreenshotError("the Claim dialog did not open although rewards are pending")
            dialog.confirm_buttons.accepted.emit()
            wait_until(lambda: dialog.pages.currentIndex() == dialog.PAGE_RESULT, 120, "the claim's result")
            if dialog.outcome is None:
                raise ScreenshotError(f"the claim failed: {dialog.error}")
            dialog.resize(max(dialog.width(), 680), dialog.height())  # room for the whole tx hash
            save(dialog, out, f"claim-result-{lang}")
            dialog.accept()
            claimed_at = time.time()
    finally:
        controller.request_quit()
        try:
            wait_until(lambda: bool(quit_done), 60, "the node and the devnet to stop")
        except ScreenshotError as exc:
            print(f"warning: {exc}", file=sys.stderr)


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.screenshots", description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="screenshots", help="folder for the PNG files (default: screenshots/)")
    parser.add_argument("--languages", default="en,ko", help="comma-separated: en, ko (default: both)")
    parser.add_argument("--skip-devnet", action="store_true", help="leave out the dashboard and claim pictures")
    parser.add_argument("--devnet-timeout", type=float, default=600.0,
                        help="seconds to wait for serving with rewards pending (default: 600)")
    args = parser.parse_args(argv)
    languages = [code.strip() for code in args.languages.split(",") if code.strip()]
    unknown = [code for code in languages if code not in i18n.SUPPORTED_LANGUAGES]
    if unknown:
        parser.error(f"unknown language(s) {', '.join(unknown)}; use en and/or ko")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Plumise Petals")
    from app.hardware_advice import default_hardware_probe

    previous_keyring = keyring.get_keyring()
    from devnet.memory_keyring import MemoryKeyring  # throw-away wallets, away from the user's store

    keyring.set_keyring(MemoryKeyring())
    try:
        with tempfile.TemporaryDirectory(prefix="plumise-screenshots-") as tmp:
            work = Path(tmp)
            advice = default_hardware_probe()
            for lang in languages:
                i18n.install(app, lang)
                shoot_wizard(out, lang, work, advice)
                shoot_settings(out, lang, work, advice)
            if not args.skip_devnet:
                shoot_devnet(out, languages, work, args.devnet_timeout)
    except ScreenshotError as exc:
        print(f"screenshots: {exc}", file=sys.stderr)
        return 1
    finally:
        keyring.set_keyring(previous_keyring)
        i18n.install(app, "en")
    return 0


if __name__ == "__main__":
    sys.exit(main())
