"""Languages: English (the source strings) and Korean, through Qt's own translation system.

Every user-visible string in ``app/`` goes through ``self.tr(...)`` or ``QCoreApplication.translate(...)``;
``pyside6-lupdate`` collects them into ``app/translations/plumise_ko.ts`` and ``pyside6-lrelease`` compiles
``plumise_ko.qm`` (committed, and shipped as package data).

Interface (used by app-shell's ``main`` and by the settings dialog)::

    i18n.install(app, language)  # language: "system" (or "auto") | "en" | "ko"; returns the installed QTranslator,
                                 # or None for English (the source language needs none)
    i18n.resolve_language("system") -> "en" | "ko"   # what "system" means on this machine
    i18n.current_language() -> "en" | "ko"
    i18n.language_choices() -> [("auto", label), ("en", "English"), ("ko", "한국어")]  # values of core.settings

Switching at runtime: ``install`` removes the previous translators and installs the new ones; Qt then sends
``QEvent.LanguageChange`` to every widget, and widgets that build their texts in a ``retranslate()`` method
called from ``changeEvent`` update in place (the wizard and settings dialog do).

Updating the catalogue after changing strings::

    .venv/bin/python -m app.i18n --update    # lupdate over app/**/*.py, then lrelease
    .venv/bin/python -m app.i18n --release   # only recompile the .qm from the .ts
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Optional

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

SOURCE_LANGUAGE = "en"
SUPPORTED_LANGUAGES = ("en", "ko")
# core.settings stores "auto" for "follow the system"; "system" is accepted as the same thing.
FOLLOW_SYSTEM = ("auto", "system")
CATALOGUE_NAME = "plumise"
TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
APP_DIR = Path(__file__).resolve().parent

# Translators stay referenced here: Qt holds only a pointer, so a collected QTranslator would vanish.
_installed: list[QTranslator] = []
_current_language = SOURCE_LANGUAGE


def resolve_language(language: str, locale: Optional[QLocale] = None) -> str:
    """"system"/"auto" → the system locale's language when we have it, else English; "en"/"ko" stay as they are.

    Unknown values fall back to "system" rather than failing: a settings file from a newer version may
    name a language this one lacks.
    """
    language = (language or "system").strip().lower()
    if language in SUPPORTED_LANGUAGES:
        return language
    locale = locale or QLocale.system()
    for name in [locale.name(), *locale.uiLanguages()]:
        code = name.replace("-", "_").split("_")[0].lower()
        if code in SUPPORTED_LANGUAGES:
            return code
    return SOURCE_LANGUAGE


def _qt_translations_dir() -> str:
    return QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)


def install(app: QCoreApplication, language: str = "system") -> Optional[QTranslator]:
    """Install the translators for ``language`` (replacing any installed before) and return ours.

    Besides our catalogue, Qt's own ``qtbase_<lang>`` is loaded so that standard buttons (OK, Cancel,
    the wizard's Back/Next) speak the same language as the rest.
    """
    global _current_language
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()

    code = resolve_language(language)
    _current_language = code
    QLocale.setDefault(QLocale(code))
    if code == SOURCE_LANGUAGE:
        return None

    ours = QTranslator(app)
    if not ours.load(f"{CATALOGUE_NAME}_{code}", str(TRANSLATIONS_DIR)):
        # A missing catalogue is a packaging bug; English still works, so say it and carry on.
        print(f"Translations for '{code}' not found in {TRANSLATIONS_DIR}; showing English.", file=sys.stderr)
        _current_language = SOURCE_LANGUAGE
        QLocale.setDefault(QLocale(SOURCE_LANGUAGE))
        return None
    qt_base = QTranslator(app)
    if qt_base.load(f"qtbase_{code}", _qt_translations_dir()):
        app.installTranslator(qt_base)
        _installed.append(qt_base)
    # Installed last so it is searched first.
    app.installTranslator(ours)
    _installed.append(ours)
    return ours


def current_language() -> str:
    return _current_language


def language_choices() -> list[tuple[str, str]]:
    """(setting value, label) pairs for a language picker; each language is named in itself."""
    return [
        ("auto", QCoreApplication.translate("i18n", "Same as the system")),
        ("en", "English"),
        ("ko", "한국어"),
    ]


# --- catalogue maintenance ---------------------------------------------------------------------------------


def _tool(name: str) -> str:
    """The PySide6 tool next to this interpreter (the venv's bin), else on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if not found:
        raise SystemExit(f"{name} was not found; install PySide6 into this environment.")
    return found


def source_files() -> list[Path]:
    return sorted(p for p in APP_DIR.rglob("*.py") if "translations" not in p.parts)


def update_catalogue() -> None:
    """Collect every tr() string of app/ into the .ts files (keeping existing translations)."""
    TRANSLATIONS_DIR.mkdir(exist_ok=True)
    for code in SUPPORTED_LANGUAGES:
        if code == SOURCE_LANGUAGE:
            continue
        ts = TRANSLATIONS_DIR / f"{CATALOGUE_NAME}_{code}.ts"
        cmd = [_tool("pyside6-lupdate"), *map(str, source_files()), "-source-language", "en",
               "-target-language", code, "-no-obsolete", "-ts", str(ts)]
        subprocess.run(cmd, check=True)


def release_catalogue() -> None:
    """Compile each .ts into the .qm the app loads."""
    for ts in sorted(TRANSLATIONS_DIR.glob(f"{CATALOGUE_NAME}_*.ts")):
        subprocess.run([_tool("pyside6-lrelease"), str(ts), "-qm", str(ts.with_suffix(".qm"))], check=True)


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.i18n", description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="run lupdate over app/ and then lrelease")
    parser.add_argument("--release", action="store_true", help="only compile .ts into .qm")
    args = parser.parse_args(argv)
    if not (args.update or args.release):
        parser.print_help()
        return 2
    if args.update:
        update_catalogue()
    release_catalogue()
    return 0


if __name__ == "__main__":
    sys.exit(main())
