#!/usr/bin/env bash
# SHA256SUMS for the release files in a folder (published beside them; see the README's "Verifying a
# download"). installers/linux/checksums.sh DIR [PATTERN…]
set -euo pipefail
DIR="${1:?folder}"; shift || true
cd "$DIR"
PATTERNS=("${@:-*.deb *.tar.gz *.dmg *.exe}")
# shellcheck disable=SC2068,SC2086
ls -1 ${PATTERNS[@]} 2>/dev/null | LC_ALL=C sort | xargs -r sha256sum > SHA256SUMS
cat SHA256SUMS
