#!/usr/bin/env bash
# Runs Parley from this checkout (README): installs the system libraries the desktop app
# loads (Debian/Ubuntu), builds .venv from a Python >= 3.12, installs Parley into it and
# starts `parley` with the arguments given.
#
#   bash scripts/run.sh                 # the desktop app, embedded coordinator on 127.0.0.1
#   bash scripts/run.sh --user bob      # a second person on the same machine
#   bash scripts/run.sh server          # the coordinator alone
#
# Settings: see scripts/lib/bootstrap.sh.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib/bootstrap.sh
source scripts/lib/bootstrap.sh

export PARLEY_LOG_DIR=${XDG_CACHE_HOME:-$HOME/.cache}/parley/setup-logs
mkdir -p "$PARLEY_LOG_DIR"

# What the app loads at run time. No sound server: a desktop already has PulseAudio or
# PipeWire's pulse service, and installing pulseaudio next to PipeWire would fight it.
RUNTIME_PACKAGES=(
    # sounddevice (PortAudio) and QtMultimedia
    libportaudio2 libpulse0
    # QtMultimedia's screen and device back ends look for PipeWire
    libpipewire-0.3-0
    # Qt's xcb platform
    libxcb-icccm4 libxcb-keysyms1 libegl1 libgl1 libxkbcommon-x11-0 libxcb-cursor0
    libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-randr0
    libxcb-xkb1 libdbus-1-3 libfontconfig1 fonts-dejavu-core
    # colour emoji for reactions and the raised hand (ui/reactions.py)
    fonts-noto-color-emoji
)

case "$(uname -s)" in
Linux) parley_apt_install "${RUNTIME_PACKAGES[@]}" ;;
*) parley_say "system packages: none needed on $(uname -s) (the wheels carry Qt and PortAudio)" ;;
esac
python=$(parley_find_python)
parley_make_venv "$python" ""

gui=1
case "${1:-}" in server | bot | -h | --help) gui=0 ;; esac
if [ "$gui" = 1 ] && [ "$(uname -s)" = Linux ] && [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] &&
    [ -z "${QT_QPA_PLATFORM:-}" ]; then
    parley_warn "no display (DISPLAY/WAYLAND_DISPLAY unset): run this from a desktop session,
  or under a virtual one: xvfb-run -a bash scripts/run.sh $*"
fi
parley_say "starting: parley $*"
exec "$PARLEY_VENV/bin/parley" "$@"
