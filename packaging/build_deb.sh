#!/usr/bin/env bash
# Builds dist/parley_<version>_<arch>.deb from the PyInstaller bundle in dist/parley/:
# the bundle in /opt/parley, /usr/bin/parley linking to it, a desktop entry and the icon.
#
#   bash packaging/build_deb.sh            # builds the bundle first if dist/parley is absent
#
# Needs dpkg-deb (Debian/Ubuntu) and, to build the bundle, PyInstaller (pip install -e '.[packaging]').
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUNDLE=dist/parley
ICON=resources/parley.svg  # the app icon, as ui.icons.APP_ICON_PATH
# [project] version: the first line of pyproject.toml that starts with "version =".
VERSION=$(awk -F'"' '/^version = /{print $2; exit}' pyproject.toml)
ARCH=$(dpkg --print-architecture)
STAGE=build/deb/parley_${VERSION}_${ARCH}
DEB=dist/parley_${VERSION}_${ARCH}.deb

if [ ! -x "$BUNDLE/parley" ]; then
    echo "==> building the bundle with PyInstaller"
    pyinstaller --noconfirm --distpath dist --workpath build/pyinstaller packaging/parley.spec
fi
[ -f "$ICON" ] || { echo "error: $ICON is missing" >&2; exit 1; }

echo "==> staging $STAGE"
rm -rf "$STAGE"
mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
    "$STAGE/usr/share/icons/hicolor/scalable/apps"
cp -a "$BUNDLE" "$STAGE/opt/parley"
ln -s /opt/parley/parley "$STAGE/usr/bin/parley"
install -m 0644 packaging/linux/parley.desktop "$STAGE/usr/share/applications/parley.desktop"
install -m 0644 "$ICON" "$STAGE/usr/share/icons/hicolor/scalable/apps/parley.svg"

# The bundle carries Python, Qt and the codecs; these are the system libraries it still
# loads: PortAudio for sounddevice (its Linux wheel has none), PulseAudio's client for
# QtMultimedia, and the X11/xcb, GL and font libraries of Qt's xcb platform plugin.
DEPENDS="libportaudio2, libpulse0, libxcb-icccm4, libxcb-keysyms1, libegl1, libgl1, \
libxkbcommon-x11-0, libxcb-cursor0, libxcb-image0, libxcb-render-util0, libxcb-shape0, \
libxcb-xinerama0, libxcb-randr0, libxcb-xkb1, libdbus-1-3, libfontconfig1, fonts-dejavu-core"
INSTALLED_KB=$(du -sk "$STAGE" | cut -f1)
cat >"$STAGE/DEBIAN/control" <<EOF
Package: parley
Version: $VERSION
Architecture: $ARCH
Maintainer: Parley developers <parley@localhost>
Installed-Size: $INSTALLED_KB
Depends: $DEPENDS
Section: net
Priority: optional
Description: open, self-hostable desktop video calling
 Parley calls people on this machine or on a LAN with no server to set up:
 it runs its own coordinator on 127.0.0.1 and sends media peer to peer.
 The same program runs a standalone coordinator (parley server).
EOF

echo "==> dpkg-deb --build $DEB"
dpkg-deb --root-owner-group --build "$STAGE" "$DEB"
dpkg-deb --info "$DEB" | sed -n '1,12p'
