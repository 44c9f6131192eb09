#!/usr/bin/env bash
# Start the frozen desktop app once and check that it shows itself: installers/linux/app-smoke.sh [APP_EXECUTABLE]
# Under Xvfb when available (the real xcb platform plugin and its system libraries), else Qt's offscreen
# platform. The app's --measure-startup prints one JSON line ({"visible": true, "heavy_modules": [], …}) and quits.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
APP="$(realpath -s "${1:-$ROOT/dist/plumise-petals/plumise-petals-app}")"
SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/plumise-app-smoke.XXXXXX")"
trap 'rm -rf "$SCRATCH"' EXIT
ARGS=(--measure-startup --no-start --settings-file "$SCRATCH/settings.json" --data-dir "$SCRATCH/data"
      --instance-name "smoke-$$")
export HOME="$SCRATCH" XDG_CONFIG_HOME="$SCRATCH/config" XDG_DATA_HOME="$SCRATCH/share" XDG_STATE_HOME="$SCRATCH/state"
if command -v xvfb-run >/dev/null 2>&1 && [ -z "${QT_QPA_PLATFORM:-}" ]; then
    OUT="$(cd "$SCRATCH" && timeout 120 xvfb-run -a "$APP" "${ARGS[@]}" 2>"$SCRATCH/stderr")" || { cat "$SCRATCH/stderr" >&2; exit 1; }
    PLATFORM=xcb
else
    OUT="$(cd "$SCRATCH" && QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}" timeout 120 "$APP" "${ARGS[@]}" 2>"$SCRATCH/stderr")" \
        || { cat "$SCRATCH/stderr" >&2; exit 1; }
    PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
fi
LINE="$(printf '%s\n' "$OUT" | grep '^{' | tail -1)"
python3 - "$LINE" "$PLATFORM" <<'PY'
import json, sys
report = json.loads(sys.argv[1])
assert report["visible"], f"the app did not show its tray icon or window: {report}"
assert not report["heavy_modules"], f"the app imported heavy modules at start: {report['heavy_modules']}"
print(f"app-smoke: OK on {sys.argv[2]}: visible after {report['visible_after_s']} s "
      f"({'tray' if report['tray'] else 'window'})")
PY
