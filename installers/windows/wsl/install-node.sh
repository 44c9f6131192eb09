#!/usr/bin/env bash
# Runs inside WSL (called by setup-wsl-node.ps1): install-node.sh ARCHIVE VERSION [SHA256]
# Unpacks the Linux build of the node under ~/.local/share/plumise-petals/node/VERSION, points
# .../node/current at it, links ~/.local/bin/plumise-petals, and prints NODE=<path of the executable>.
# No root, no packages: the archive carries its own Python, torch and hivemind's p2pd.
set -euo pipefail
ARCHIVE="${1:?archive}"
VERSION="${2:?version}"
SHA256="${3:-}"
if [ -n "$SHA256" ]; then
    echo "$SHA256  $ARCHIVE" | sha256sum --check --quiet - || { echo "checksum mismatch for $ARCHIVE" >&2; exit 1; }
fi
BASE="${XDG_DATA_HOME:-$HOME/.local/share}/plumise-petals/node"
mkdir -p "$BASE" "$HOME/.local/bin"
STAGE="$(mktemp -d "$BASE/.unpack.XXXXXX")"
trap 'rm -rf "$STAGE"' EXIT
tar -xzf "$ARCHIVE" -C "$STAGE"
[ -x "$STAGE/plumise-petals/plumise-petals" ] || { echo "the archive holds no plumise-petals/plumise-petals" >&2; exit 1; }
rm -rf "${BASE:?}/$VERSION"
mv "$STAGE/plumise-petals" "$BASE/$VERSION"
ln -sfn "$VERSION" "$BASE/current"
ln -sfn "$BASE/current/plumise-petals" "$HOME/.local/bin/plumise-petals"
# Older versions go once the new one is in place.
for old in "$BASE"/*; do
    [ -d "$old" ] && [ ! -L "$old" ] && [ "$(basename "$old")" != "$VERSION" ] && rm -rf "$old"
done
"$BASE/current/plumise-petals" serve --help >/dev/null
echo "NODE=$BASE/current/plumise-petals"
