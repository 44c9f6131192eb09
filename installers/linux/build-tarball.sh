#!/usr/bin/env bash
# Portable archive of the bundle: installers/linux/build-tarball.sh [BUNDLE_DIR] [OUT_DIR]
# Unpack anywhere and run plumise-petals/plumise-petals-app (or plumise-petals serve); no root, no install.
# This is also what the Windows installer sets up inside WSL2 (installers/windows/wsl/install-node.sh).
# (An AppImage needs appimagetool, which is only published on GitHub and so cannot be fetched here.)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BUNDLE="${1:-$ROOT/dist/plumise-petals}"
OUT="${2:-$ROOT/dist}"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
command -v "$PY" >/dev/null 2>&1 || PY=python3
if [ ! -x "$BUNDLE/plumise-petals" ]; then
    echo "No bundle in $BUNDLE: run 'make dist' first." >&2
    exit 1
fi
VERSION="$("$PY" -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["project"]["version"])' "$ROOT/pyproject.toml")"
case "$(uname -m)" in x86_64|amd64) ARCH=x86_64 ;; aarch64|arm64) ARCH=arm64 ;; *) ARCH="$(uname -m)" ;; esac
mkdir -p "$OUT"
TARBALL="$OUT/plumise-petals-${VERSION}-linux-${ARCH}.tar.gz"
# Reproducible-ish: fixed owner and order; the bundle folder keeps its name inside the archive.
tar --sort=name --owner=0 --group=0 --numeric-owner -C "$(dirname "$BUNDLE")" \
    -cf - "$(basename "$BUNDLE")" | gzip -6 > "$TARBALL.part"
mv "$TARBALL.part" "$TARBALL"
echo "$TARBALL ($(du -h "$TARBALL" | cut -f1))"
