#!/usr/bin/env bash
# Parley's test command (README, and CI through .ci/run).
#
# On a fresh Debian/Ubuntu machine (root, or a user with sudo) it installs the system
# packages the tests use, builds .venv from a Python >= 3.12, installs Parley with its dev
# tools, starts PulseAudio with a null sink and a virtual microphone, then runs the
# linters, the type checker, the import contract and pytest under Xvfb. Every stage runs
# even when an earlier check failed; the exit code is non-zero if any of them failed.
#
#   bash scripts/test.sh                       # everything
#   bash scripts/test.sh tests/server -k ring  # arguments go to pytest
#
# Logs and the JUnit report land in tests/artifacts/. Settings: see scripts/lib/bootstrap.sh,
# and PARLEY_TEST_MEDIA (cache of generated test media; default ~/.cache/parley-test-media).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib/bootstrap.sh
source scripts/lib/bootstrap.sh

ARTIFACTS=$PWD/tests/artifacts
export PARLEY_LOG_DIR=$ARTIFACTS

# What the tests need from Debian, by concern (shared/TESTING.md has the recipes):
SYSTEM_PACKAGES=(
    # audio: PortAudio for sounddevice, a PulseAudio server with a null sink
    pulseaudio pulseaudio-utils libportaudio2 libpulse0 alsa-utils libasound2-plugins
    # QtMultimedia warns (a Qt warning, which fails a test) when it cannot load PipeWire
    libpipewire-0.3-0
    # Qt's xcb platform and QtMultimedia
    libxcb-icccm4 libxcb-keysyms1 libegl1 libgl1 libxkbcommon-x11-0 libxcb-cursor0
    libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-randr0
    libxcb-xkb1 libdbus-1-3 libfontconfig1 fonts-dejavu-core
    # colour emoji for reactions and the raised hand (ui/reactions.py)
    fonts-noto-color-emoji
    # a real X display, screenshots of it, and a system tray on it
    xvfb xauth x11-utils imagemagick trayer
    # real media: videos with people (opencv-doc), speech, conversion and measurement
    opencv-doc espeak-ng ffmpeg sox
)

# One row per stage for the closing summary: "name|status|log".
STAGES=()
FAILED=0
record() {
    STAGES+=("$1|$2|$3")
    [ "$2" = ok ] || FAILED=1
}

# run_check NAME COMMAND... — runs a check, shows its output and keeps it in NAME.log.
run_check() {
    local name=$1 log=$ARTIFACTS/$1.log status
    shift
    parley_say "$name: $*"
    set +e
    "$@" 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
    set -e
    if [ "$status" -eq 0 ]; then record "$name" ok "$log"; else record "$name" "failed ($status)" "$log"; fi
}

# Starts a per-user PulseAudio daemon if none answers, and gives it the sink and the
# microphone the audio tests use: what is played to parley_sink can be recorded back
# from parley_mic. Loads each module only once, so running this again changes nothing.
start_pulseaudio() {
    local log=$ARTIFACTS/pulseaudio.log
    if ! pactl info >/dev/null 2>&1; then
        parley_say "pulseaudio: starting a daemon (log: $log)"
        # As root PulseAudio warns that it is meant for a system instance, then works.
        # Its descriptors go to the log so that the daemon, which outlives this script,
        # holds no pipe of the caller's open.
        pulseaudio -D --exit-idle-time=-1 --system=false --log-target=stderr \
            </dev/null >"$log" 2>&1 || true
        local waited_ds=0
        until pactl info >/dev/null 2>&1; do
            if [ "$waited_ds" -ge 100 ]; then
                tail -n 20 "$log" >&2
                record pulseaudio "failed (no daemon after 10 s)" "$log"
                return 0
            fi
            sleep 0.1
            waited_ds=$((waited_ds + 1))
        done
    fi
    # Listed into variables first: `grep -q` closing a pipe early fails it under pipefail.
    local sinks sources
    sinks=$(pactl list short sinks)
    if ! grep -qw parley_sink <<<"$sinks"; then
        pactl load-module module-null-sink sink_name=parley_sink >/dev/null
    fi
    # module-virtual-source, not module-remap-source: the latter underran (TESTING.md).
    sources=$(pactl list short sources)
    if ! grep -qw parley_mic <<<"$sources"; then
        pactl load-module module-virtual-source source_name=parley_mic \
            master=parley_sink.monitor >/dev/null
    fi
    pactl set-default-sink parley_sink
    pactl set-default-source parley_mic
    parley_say "pulseaudio: default sink parley_sink, default source parley_mic"
    record pulseaudio ok "$log"
}

# The plain closing line ("tests: N passed, N failed, N skipped"), read from the JUnit
# report so that it counts exactly what pytest ran.
junit_totals() {
    "$PARLEY_VENV/bin/python" - "$1" <<'EOF'
import sys
import xml.etree.ElementTree as ET

root = ET.parse(sys.argv[1]).getroot()
suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
keys = ("tests", "failures", "errors", "skipped")
count = {k: sum(int(s.get(k, 0)) for s in suites) for k in keys}
failed = count["failures"] + count["errors"]
passed = count["tests"] - failed - count["skipped"]
print(f"tests: {passed} passed, {failed} failed, {count['skipped']} skipped")
EOF
}

main() {
    rm -rf "$ARTIFACTS"
    mkdir -p "$ARTIFACTS"

    parley_apt_install "${SYSTEM_PACKAGES[@]}"
    local python
    python=$(parley_find_python)
    # filters: the background-effect tests run the real segmentation model (mediapipe).
    parley_make_venv "$python" dev,filters
    export PATH=$PARLEY_VENV/bin:$PATH

    export PARLEY_TEST_MEDIA=${PARLEY_TEST_MEDIA:-${XDG_CACHE_HOME:-$HOME/.cache}/parley-test-media}
    mkdir -p "$PARLEY_TEST_MEDIA"
    start_pulseaudio

    run_check ruff-check ruff check app ui tests bench
    run_check ruff-format ruff format --check app ui tests
    run_check mypy mypy app
    run_check lint-imports lint-imports

    # Xvfb gives the tests that need a real display (marker "xvfb") one; the rest set
    # QT_QPA_PLATFORM=offscreen themselves.
    local junit=$ARTIFACTS/junit.xml log=$ARTIFACTS/pytest.log status
    parley_say "pytest (log: $log, report: $junit)"
    set +e
    xvfb-run -a -e "$ARTIFACTS/xvfb.log" -s "-screen 0 1280x800x24" \
        python -m pytest -p no:cacheprovider -q -ra --junitxml="$junit" "$@" \
        </dev/null 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
    set -e
    # An empty pytest log means pytest never ran: Xvfb did not start, and says why here.
    [ -s "$log" ] || tail -n 20 "$ARTIFACTS/xvfb.log" >&2
    case $status in
    0) record pytest ok "$log" ;;
    5) record pytest "failed (no tests collected)" "$log" ;;
    *) record pytest "failed ($status)" "$log" ;;
    esac

    echo
    parley_say "summary"
    local row name rest
    for row in "${STAGES[@]}"; do
        name=${row%%|*}
        rest=${row#*|}
        printf '  %-13s %-30s %s\n' "$name" "${rest%%|*}" "${rest#*|}"
    done
    [ -s "$junit" ] && junit_totals "$junit"
    return "$FAILED"
}

main "$@"
