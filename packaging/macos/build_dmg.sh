#!/usr/bin/env bash
# Builds dist/Parley-<version>.dmg from dist/Parley.app (made by packaging/parley.spec on
# macOS): a compressed disk image with the app and a link to /Applications.
#
#   pyinstaller --noconfirm --distpath dist --workpath build/pyinstaller packaging/parley.spec
#   bash packaging/macos/build_dmg.sh
#
# The app is signed ad hoc only (`codesign --sign -`), so Gatekeeper asks the user to
# allow it on first start; distribution needs a Developer ID signature and notarization.
# Not built or run on Parley's Linux machines; see packaging/README.md.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
APP=dist/Parley.app
VERSION=$(awk -F'"' '/^version = /{print $2; exit}' pyproject.toml)
DMG=dist/Parley-$VERSION.dmg
STAGE=build/dmg

[ -d "$APP" ] || { echo "error: $APP is missing: run PyInstaller on macOS first" >&2; exit 1; }

# Apple Silicon refuses to run unsigned code at all; an ad-hoc signature is enough locally.
codesign --force --deep --sign - "$APP"

rm -rf "$STAGE" "$DMG"
mkdir -p "$STAGE"
cp -R "$APP" "$STAGE/"
ln -s /Applications "$STAGE/Applications"
hdiutil create -volname "Parley $VERSION" -srcfolder "$STAGE" -fs HFS+ -format UDZO -ov "$DMG"
echo "built $DMG"
