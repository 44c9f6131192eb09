#!/usr/bin/env bash
# Install the .deb with dpkg, self-test from the installed location, remove it, check nothing is left.
# installers/linux/deb-test.sh [DEB]   (root, or sudo; `make deb-test`)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DEB="${1:-$(ls -1t "$ROOT"/dist/plumise-petals_*.deb 2>/dev/null | head -1)}"
[ -n "$DEB" ] && [ -f "$DEB" ] || { echo "No .deb found: run 'make deb' first." >&2; exit 1; }
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
PACKAGED=(/opt/plumise-petals /usr/bin/plumise-petals /usr/bin/plumise-petals-app
          /usr/share/applications/plumise-petals.desktop /usr/share/icons/hicolor/256x256/apps/plumise-petals.png)
fail() { echo "deb-test: FAIL: $*" >&2; exit 1; }

echo "== dpkg -i $DEB"
$SUDO dpkg -i "$DEB" || fail "dpkg could not install the package (missing Depends? see above)"
for path in "${PACKAGED[@]}"; do [ -e "$path" ] || fail "$path was not installed"; done
[ "$(readlink /usr/bin/plumise-petals)" = /opt/plumise-petals/plumise-petals ] || fail "/usr/bin symlink is wrong"
[ -x /opt/plumise-petals/_internal/hivemind/hivemind_cli/p2pd ] || fail "p2pd lost its execute bit"
if command -v desktop-file-validate >/dev/null; then desktop-file-validate /usr/share/applications/plumise-petals.desktop; fi

echo "== self-test from the installed location (/usr/bin/plumise-petals --self-test)"
SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/plumise-deb-test.XXXXXX")"
set +e
( cd "$SCRATCH" && HOME="$SCRATCH/home" XDG_CACHE_HOME="$SCRATCH/cache" XDG_CONFIG_HOME="$SCRATCH/config" \
  XDG_DATA_HOME="$SCRATCH/data" timeout "${SELF_TEST_TIMEOUT:-600}" /usr/bin/plumise-petals --self-test )
STATUS=$?
set -e
rm -rf "$SCRATCH"
echo "== the installed desktop app starts (/usr/bin/plumise-petals-app)"
set +e
"$HERE/app-smoke.sh" /usr/bin/plumise-petals-app
APP_STATUS=$?
set -e

echo "== dpkg --purge plumise-petals"
$SUDO dpkg --purge plumise-petals
for path in "${PACKAGED[@]}"; do [ ! -e "$path" ] && [ ! -L "$path" ] || fail "$path is still there after removal"; done
if dpkg-query -W -f='${Status}' plumise-petals 2>/dev/null | grep -q installed; then fail "dpkg still lists the package"; fi
[ "$STATUS" = 0 ] || fail "the installed self-test exited with $STATUS"
[ "$APP_STATUS" = 0 ] || fail "the installed app did not start (exit $APP_STATUS)"
echo "deb-test: OK (installed, self-tested from /usr/bin/plumise-petals, removed cleanly)"
