#!/usr/bin/env bash
# Build "Plumise Petals.app" on macOS: installers/macos/build-app.sh   (run from any folder)
# The .app comes from build.spec's BUNDLE step; this checks the two Info.plist keys the app depends on.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
"$PY" -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller build.spec
APP="dist/Plumise Petals.app"
for key in LSUIElement LSAppNapIsDisabled; do
    [ "$(/usr/libexec/PlistBuddy -c "Print :$key" "$APP/Contents/Info.plist")" = true ] || { echo "$key missing" >&2; exit 1; }
done
echo "$APP"
