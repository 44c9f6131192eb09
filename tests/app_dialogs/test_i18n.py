"""Translations: the system locale picks the language, settings override it, switching works at runtime,
and the committed Korean catalogue covers every string in app/."""
from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET

from PySide6.QtCore import QCoreApplication, QEvent, QLocale
from PySide6.QtWidgets import QLabel, QWizard

from app import i18n


def test_system_locale_decides_when_setting_is_system():
    assert i18n.resolve_language("system", QLocale("ko_KR")) == "ko"
    assert i18n.resolve_language("system", QLocale("de_DE")) == "en"
    assert i18n.resolve_language("system", QLocale("en_US")) == "en"
    assert i18n.resolve_language("ko", QLocale("en_US")) == "ko"
    assert i18n.resolve_language("en", QLocale("ko_KR")) == "en"
    # A language this version lacks (a newer settings file) falls back to the system's choice.
    assert i18n.resolve_language("fr", QLocale("ko_KR")) == "ko"


def test_install_korean_then_english_at_runtime(qapp):
    translator = i18n.install(qapp, "ko")
    assert translator is not None and not translator.isEmpty()
    assert i18n.current_language() == "ko"
    assert QCoreApplication.translate("i18n", "Same as the system") == "시스템 설정과 같게"
    # Qt's own strings (the wizard's buttons) follow too.
    wizard = QWizard()
    assert wizard.buttonText(QWizard.WizardButton.NextButton) != "&Next >"
    assert i18n.install(qapp, "en") is None
    assert i18n.current_language() == "en"
    assert QCoreApplication.translate("i18n", "Same as the system") == "Same as the system"


def test_switching_sends_language_change_to_widgets(qapp, qtbot):
    seen = []

    class Probe(QLabel):
        def changeEvent(self, event):
            if event.type() == QEvent.Type.LanguageChange:
                seen.append(True)
            super().changeEvent(event)

    probe = Probe()
    qtbot.addWidget(probe)
    i18n.install(qapp, "ko")
    qtbot.waitUntil(lambda: bool(seen), timeout=2000)


def _sources(ts_path):
    root = ET.parse(ts_path).getroot()
    for context in root.iter("context"):
        name = context.findtext("name")
        for message in context.iter("message"):
            yield name, message


def test_korean_catalogue_is_complete_for_all_of_app(tmp_path):
    """Regenerate the catalogue from today's app/ sources and check each string has a Korean translation."""
    fresh = tmp_path / "fresh_ko.ts"
    tool = i18n._tool("pyside6-lupdate")
    subprocess.run([tool, *map(str, i18n.source_files()), "-ts", str(fresh)], check=True, capture_output=True)
    committed = {}
    for context, message in _sources(i18n.TRANSLATIONS_DIR / "plumise_ko.ts"):
        translation = message.find("translation")
        if translation is not None and translation.get("type") not in ("unfinished", "vanished", "obsolete"):
            committed[(context, message.findtext("source"))] = translation.text or ""
    missing = [(c, m.findtext("source")) for c, m in _sources(fresh) if not committed.get((c, m.findtext("source")))]
    assert not missing, f"{len(missing)} strings lack a Korean translation; run `python -m app.i18n --update` " \
        f"and translate them: {missing[:10]}"


def test_compiled_catalogue_matches_the_source():
    """The committed .qm carries every translation of the committed .ts (someone forgot --release otherwise)."""
    from PySide6.QtCore import QTranslator

    translator = QTranslator()
    assert translator.load(str(i18n.TRANSLATIONS_DIR / "plumise_ko.qm")), \
        "plumise_ko.qm is missing: run `python -m app.i18n --release`"
    stale = []
    for context, message in _sources(i18n.TRANSLATIONS_DIR / "plumise_ko.ts"):
        translation = message.find("translation")
        if translation is None or translation.get("type") in ("unfinished", "vanished", "obsolete"):
            continue
        if message.get("numerus") == "yes":
            continue  # plural forms are looked up with n; checked through the widgets that use them
        if translator.translate(context, message.findtext("source")) != (translation.text or ""):
            stale.append(message.findtext("source"))
    assert not stale, f"plumise_ko.qm is older than plumise_ko.ts; run `python -m app.i18n --release`: {stale[:5]}"
