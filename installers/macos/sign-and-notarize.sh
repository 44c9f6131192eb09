#!/usr/bin/env bash
# Sign "Plumise Petals.app" inside-out, build and sign the DMG, notarize it and staple the ticket.
#   MACOS_SIGN_IDENTITY="Developer ID Application: … (TEAMID)"
#   notarization, either a stored profile:  NOTARY_PROFILE=name   (xcrun notarytool store-credentials)
#            or an App Store Connect key:   NOTARY_KEY_PATH=AuthKey.p8 NOTARY_KEY_ID=… NOTARY_ISSUER=…
#   installers/macos/sign-and-notarize.sh ["dist/Plumise Petals.app"]
# Order matters: the helper executables (hivemind's p2pd, the devnet's anvil) are signed first, then
# every library, then the two app executables, then the bundle: a signature seals what is inside it.
# A signed release also stops the keychain from asking again after every update (UX.md).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
APP="${1:-$ROOT/dist/Plumise Petals.app}"
IDENTITY="${MACOS_SIGN_IDENTITY:?set MACOS_SIGN_IDENTITY to a Developer ID Application identity}"
ENTITLEMENTS="$HERE/entitlements.plist"
sign() { codesign --force --timestamp --options runtime --entitlements "$ENTITLEMENTS" --sign "$IDENTITY" "$@"; }

# 1. Helper executables first (PyInstaller puts binaries under Contents/Frameworks).
HELPERS=0
while IFS= read -r -d '' helper; do
    chmod 0755 "$helper"
    sign "$helper"
    HELPERS=$((HELPERS + 1))
done < <(find "$APP/Contents/Frameworks" -type f \( -path "*/hivemind_cli/p2pd" -o -path "*/@foundry-rs/anvil-*/bin/anvil" \) -print0)
[ "$HELPERS" -ge 1 ] || { echo "p2pd not found in $APP: is this a full build?" >&2; exit 1; }
# 2. Every other Mach-O library and loadable module, deepest first; then Qt's frameworks as bundles.
find "$APP/Contents" -type f \( -name "*.dylib" -o -name "*.so" \) -print0 | sort -rz | while IFS= read -r -d '' lib; do
    sign "$lib"
done
find "$APP/Contents" -type d -name "*.framework" -prune -print0 | while IFS= read -r -d '' framework; do
    sign "$framework"
done
# 3. The executables, the node before the app, then the bundle itself.
sign "$APP/Contents/MacOS/plumise-petals"
sign "$APP/Contents/MacOS/plumise-petals-app"
sign "$APP"
codesign --verify --deep --strict --verbose=2 "$APP"

# 4. DMG, signed, notarized, stapled.
DMG="$("$HERE/build-dmg.sh" "$APP")"
codesign --force --timestamp --sign "$IDENTITY" "$DMG"
if [ -n "${NOTARY_PROFILE:-}" ]; then
    xcrun notarytool submit "$DMG" --keychain-profile "$NOTARY_PROFILE" --wait
else
    xcrun notarytool submit "$DMG" --key "${NOTARY_KEY_PATH:?}" --key-id "${NOTARY_KEY_ID:?}" \
        --issuer "${NOTARY_ISSUER:?}" --wait
fi
xcrun stapler staple "$DMG"
spctl --assess --type open --context context:primary-signature --verbose "$DMG"
echo "$DMG"
