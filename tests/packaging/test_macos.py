"""installers/macos: Info.plist keys, entitlements, and the signing order (helpers before the bundle)."""
from __future__ import annotations

import plistlib
import subprocess

import pytest

import bundle_manifest as manifest

from .conftest import INSTALLERS

MACOS = INSTALLERS / "macos"


def test_info_plist_makes_a_menu_bar_app_that_app_nap_leaves_alone():
    info = plistlib.loads((MACOS / "Info.plist").read_bytes())
    assert info["LSUIElement"] is True  # tray (menu-bar) app: no Dock icon
    assert info["LSAppNapIsDisabled"] is True  # serving must not be throttled
    assert info["CFBundleIdentifier"] == manifest.BUNDLE_IDENTIFIER
    assert info["CFBundlePackageType"] == "APPL"
    assert info["NSHighResolutionCapable"] is True
    assert "ko" in info["CFBundleLocalizations"]
    # build.spec fills the version and PyInstaller the executable; the template must not fix them.
    assert "CFBundleExecutable" not in info and "CFBundleShortVersionString" not in info


def test_spec_bundles_with_the_plist_on_macos():
    spec = (INSTALLERS.parent / "build.spec").read_text()
    assert 'installers" / "macos" / "Info.plist"' in spec
    assert "BUNDLE(" in spec and "info_plist=info" in spec


def test_entitlements_are_the_hardened_runtime_exceptions_python_needs():
    entitlements = plistlib.loads((MACOS / "entitlements.plist").read_bytes())
    assert entitlements == {
        "com.apple.security.cs.allow-unsigned-executable-memory": True,
        "com.apple.security.cs.allow-jit": True,
    }


@pytest.mark.parametrize("script", ["build-app.sh", "build-dmg.sh", "sign-and-notarize.sh"])
def test_scripts_parse(script):
    subprocess.run(["bash", "-n", str(MACOS / script)], check=True)


def test_p2pd_is_signed_before_libraries_executables_and_the_bundle():
    text = (MACOS / "sign-and-notarize.sh").read_text()
    helpers = text.index("hivemind_cli/p2pd")
    libraries = text.index('-name "*.dylib"')
    node = text.index('sign "$APP/Contents/MacOS/plumise-petals"')
    app = text.index('sign "$APP/Contents/MacOS/plumise-petals-app"')
    bundle = text.index('sign "$APP"\n')
    notarize = text.index("notarytool submit")
    staple = text.index("stapler staple")
    assert helpers < libraries < node < app < bundle < notarize < staple
    assert "--options runtime" in text and "--timestamp" in text
