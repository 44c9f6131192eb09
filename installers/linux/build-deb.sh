#!/usr/bin/env bash
# Build the .deb from the PyInstaller folder: installers/linux/build-deb.sh [BUNDLE_DIR] [OUT_DIR]
#   /opt/plumise-petals/                       the bundle (both executables, their libraries)
#   /usr/bin/plumise-petals{,-app}             symlinks into /opt (the bootloader resolves them)
#   /usr/share/applications/plumise-petals.desktop, /usr/share/icons/hicolor/{256x256,scalable}/apps/plumise-petals.*
# Everything is a packaged file, so `dpkg -r plumise-petals` removes all of it. No fakeroot needed:
# dpkg-deb --root-owner-group makes every file root-owned in the archive.
# DEB_COMPRESS (xz, gzip, zstd, none) and DEB_LEVEL pick the compression; xz -6 is the default.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BUNDLE="${1:-$ROOT/dist/plumise-petals}"
OUT="${2:-$ROOT/dist}"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
command -v "$PY" >/dev/null 2>&1 || PY=python3

if [ ! -x "$BUNDLE/plumise-petals" ] || [ ! -x "$BUNDLE/plumise-petals-app" ]; then
    echo "No bundle in $BUNDLE: run 'make dist' first." >&2
    exit 1
fi
VERSION="$("$PY" -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["project"]["version"])' "$ROOT/pyproject.toml")"
ARCH="$(dpkg --print-architecture)"
MAINTAINER="${DEB_MAINTAINER:-Plumise Petals maintainers <maintainers@plumise-petals.invalid>}"
STAGE="$(mktemp -d "${TMPDIR:-/tmp}/plumise-deb.XXXXXX")"
trap 'rm -rf "$STAGE"' EXIT

install -d "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
    "$STAGE/usr/share/icons/hicolor/256x256/apps" "$STAGE/usr/share/doc/plumise-petals"
cp -a "$BUNDLE" "$STAGE/opt/plumise-petals"
chmod -R u+rwX,go+rX,go-w "$STAGE/opt/plumise-petals"
ln -s /opt/plumise-petals/plumise-petals "$STAGE/usr/bin/plumise-petals"
ln -s /opt/plumise-petals/plumise-petals-app "$STAGE/usr/bin/plumise-petals-app"
install -m 0644 "$HERE/plumise-petals.desktop" "$STAGE/usr/share/applications/plumise-petals.desktop"
"$PY" "$HERE/make_icon.py" "$STAGE/usr/share/icons/hicolor/256x256/apps/plumise-petals.png" 256
chmod 0644 "$STAGE/usr/share/icons/hicolor/256x256/apps/plumise-petals.png"
if [ -f "$ROOT/resources/icons/plumise-petals.svg" ]; then
    install -D -m 0644 "$ROOT/resources/icons/plumise-petals.svg" \
        "$STAGE/usr/share/icons/hicolor/scalable/apps/plumise-petals.svg"
fi
cat > "$STAGE/usr/share/doc/plumise-petals/copyright" <<COPYRIGHT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: plumise-petals
License: MIT (Plumise Petals). The bundle under /opt/plumise-petals also contains Python, PyTorch, Qt
 (LGPLv3, PySide6), Petals, hivemind and their dependencies under their own licenses.
COPYRIGHT
INSTALLED_SIZE="$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)"
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@INSTALLED_SIZE@/$INSTALLED_SIZE/" \
    -e "s/@MAINTAINER@/$MAINTAINER/" "$HERE/control.in" > "$STAGE/DEBIAN/control"
install -m 0755 "$HERE/postinst" "$STAGE/DEBIAN/postinst"
install -m 0755 "$HERE/postrm" "$STAGE/DEBIAN/postrm"

mkdir -p "$OUT"
DEB="$OUT/plumise-petals_${VERSION}_${ARCH}.deb"
# xz on one core takes ~10 minutes for this size; newer dpkg-deb can use every core.
THREADS=()
if dpkg-deb --help 2>/dev/null | grep -q -- '--threads-max'; then THREADS=(--threads-max="$(nproc)"); fi
dpkg-deb --root-owner-group "${THREADS[@]}" -Z"${DEB_COMPRESS:-xz}" -z"${DEB_LEVEL:-6}" --build "$STAGE" "$DEB" >/dev/null
echo "$DEB ($(du -h "$DEB" | cut -f1), installs $((INSTALLED_SIZE / 1024)) MiB)"
