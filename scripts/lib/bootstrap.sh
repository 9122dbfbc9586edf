# shellcheck shell=bash
# Shared set-up steps of scripts/run.sh and scripts/test.sh. Source it; do not run it.
#
# Every step is idempotent and quick when there is nothing to do, so both scripts can run
# it every time: a fresh Debian/Ubuntu machine gets everything, a developer's machine gets
# a second of checks.
#
# Settings (environment):
#   PARLEY_PYTHON  interpreter to build the venv from (default: the first Python >= 3.12 found)
#   PARLEY_VENV    the virtual environment (default: <repo>/.venv)
#   PARLEY_LOG_DIR where apt.log and pip.log go (set by the calling script)

# 3.12+: PySide6 on 3.11 leaks references to None under qasync and aborts
# (shared/ARCHITECTURE.md, "Known pitfalls").
PARLEY_MIN_PYTHON_MINOR=12

# Caches, pyenv and PulseAudio's per-user state all hang off HOME; a bare CI environment
# may not set it.
if [ -z "${HOME:-}" ]; then
    HOME=$(getent passwd "$(id -u)" | cut -d: -f6)
    export HOME
fi

# Colour only on a terminal: CI keeps the log as plain text.
_PARLEY_BOLD='' _PARLEY_RED='' _PARLEY_YELLOW='' _PARLEY_OFF=''
if [ -t 1 ]; then
    _PARLEY_BOLD=$'\033[1m' _PARLEY_RED=$'\033[31m' _PARLEY_YELLOW=$'\033[33m' _PARLEY_OFF=$'\033[0m'
fi
parley_say() { printf '%s==> %s%s\n' "$_PARLEY_BOLD" "$*" "$_PARLEY_OFF"; }
parley_warn() { printf '%swarning:%s %s\n' "$_PARLEY_YELLOW" "$_PARLEY_OFF" "$*" >&2; }
parley_die() {
    printf '%serror:%s %s\n' "$_PARLEY_RED" "$_PARLEY_OFF" "$*" >&2
    exit 1
}

# Runs a command as root: directly when we are root, through sudo otherwise.
parley_as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        parley_die "need root (or sudo) to run: $*"
    fi
}

# Debian 13 and Ubuntu 24.04 renamed libraries whose ABI has a time_t in it with a "t64"
# suffix (libasound2 -> libasound2t64); each check also accepts that name.
_parley_deb_installed() {
    local name
    for name in "$1" "${1}t64"; do
        [ "$(dpkg-query -W -f='${Status}' "$name" 2>/dev/null)" = "install ok installed" ] && return 0
    done
    return 1
}

# Prints the name under which this release offers a package ($1 or $1t64), or fails.
_parley_deb_candidate() {
    local name policy
    for name in "$1" "${1}t64"; do
        # Captured first: `grep -q` closing the pipe early would fail it under pipefail.
        policy=$(apt-cache policy "$name" 2>/dev/null)
        if [[ $policy == *"Candidate: "[!\(]* ]]; then
            echo "$name"
            return 0
        fi
    done
    return 1
}

# parley_apt_install PACKAGE... — installs the Debian packages that are missing.
# Skips apt entirely (no 'apt-get update') when every package is already installed, and
# skips with a warning on systems without apt (the packages' names are Debian's).
parley_apt_install() {
    local log=$PARLEY_LOG_DIR/apt.log
    local missing=() pkg
    if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
        parley_warn "no apt/dpkg here: install the equivalents of these yourself: $*"
        return 0
    fi
    for pkg in "$@"; do
        _parley_deb_installed "$pkg" || missing+=("$pkg")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        parley_say "system packages: all ${#} installed"
        return 0
    fi
    parley_say "system packages: installing ${missing[*]} (log: $log)"
    export DEBIAN_FRONTEND=noninteractive
    parley_as_root apt-get update >"$log" 2>&1 || {
        tail -n 20 "$log" >&2
        parley_die "apt-get update failed"
    }
    # A name this release does not have would make apt refuse the whole list; install the
    # rest and say which ones are missing, so the tests that need them fail visibly.
    local available=() name
    for pkg in "${missing[@]}"; do
        if name=$(_parley_deb_candidate "$pkg"); then
            available+=("$name")
        else
            parley_warn "no Debian/Ubuntu package named '$pkg' here; tests that need it will fail"
        fi
    done
    [ ${#available[@]} -eq 0 ] && return 0
    parley_as_root apt-get install -y -q "${available[@]}" >>"$log" 2>&1 || {
        tail -n 30 "$log" >&2
        parley_die "apt-get install failed (full log: $log)"
    }
}

# Prints the minor version of a Python 3 interpreter that can make venvs, or fails.
_parley_python_minor() {
    "$1" -c 'import sys, venv, ensurepip; assert sys.version_info[0] == 3; print(sys.version_info[1])' \
        2>/dev/null
}

# Prints the path of a Python >= 3.12 that can create a venv, or exits with the reason.
# Order: $PARLEY_PYTHON, python3.12 / python3.13 on PATH, pyenv's installs, python3.
parley_find_python() {
    local candidates=() c minor
    [ -n "${PARLEY_PYTHON:-}" ] && candidates+=("$PARLEY_PYTHON")
    candidates+=(python3.12 python3.13)
    local pyenv_roots=("${PYENV_ROOT:-$HOME/.pyenv}") root
    [ "${pyenv_roots[0]}" = /root/.pyenv ] || pyenv_roots+=(/root/.pyenv)
    for root in "${pyenv_roots[@]}"; do
        for c in "$root"/versions/3.12*/bin/python3.12 "$root"/versions/3.13*/bin/python3.13; do
            [ -x "$c" ] && candidates+=("$c")
        done
    done
    candidates+=(python3)
    for c in "${candidates[@]}"; do
        # pyenv's shims exist for versions that are installed but not selected; they fail
        # when run, so the probe runs every candidate rather than trusting `command -v`.
        command -v "$c" >/dev/null 2>&1 || continue
        if ! minor=$(_parley_python_minor "$c"); then
            _parley_offer_venv_package "$c" >&2 || continue
            minor=$(_parley_python_minor "$c") || continue
        fi
        if [ "$minor" -ge "$PARLEY_MIN_PYTHON_MINOR" ]; then
            command -v "$c"
            return 0
        fi
    done
    parley_die "Parley needs Python >= 3.${PARLEY_MIN_PYTHON_MINOR} with venv support, and none was found.
  Tried: ${candidates[*]}
  Install one (Debian 13 / Ubuntu 24.04: apt-get install python3 python3-venv;
  Debian 12: pyenv install 3.12), or point PARLEY_PYTHON at it."
}

# Debian/Ubuntu split venv support out of python3.X into python3.X-venv: when a system
# Python is new enough but lacks it, install that package.
_parley_offer_venv_package() {
    local py=$1 version
    case "$(command -v "$py")" in /usr/bin/*) ;; *) return 1 ;; esac
    version=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) || return 1
    [ "${version%%.*}" = 3 ] && [ "${version#*.}" -ge "$PARLEY_MIN_PYTHON_MINOR" ] || return 1
    parley_apt_install "python${version}-venv"
}

# parley_make_venv PYTHON EXTRAS — creates or refreshes the venv and installs Parley
# in editable mode with EXTRAS (e.g. "dev", or "" for the runtime only). Reinstalls only
# when pyproject.toml or the extras changed since the last install into this venv.
parley_make_venv() {
    local python=$1 extras=$2 log=$PARLEY_LOG_DIR/pip.log
    local venv=${PARLEY_VENV:-$PWD/.venv}
    local want have
    want=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    have=$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true)
    if [ "$have" != "$want" ]; then
        [ -e "$venv" ] && parley_say "venv: $venv has Python '${have:-broken}', rebuilding with $want"
        rm -rf "$venv"
        parley_say "venv: creating $venv with $python ($want)"
        "$python" -m venv "$venv" || parley_die "could not create the venv at $venv"
        "$venv/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip >"$log" 2>&1 ||
            parley_warn "could not upgrade pip (log: $log); going on with the bundled one"
    fi
    local spec=".${extras:+[$extras]}"
    local stamp="$venv/.parley-installed-${extras:-runtime}"
    local digest
    digest=$("$venv/bin/python" -c \
        'import hashlib; print(hashlib.sha256(open("pyproject.toml", "rb").read()).hexdigest())')
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ]; then
        parley_say "venv: parley$spec already installed in $venv"
    else
        parley_say "venv: pip install -e '$spec' (log: $log)"
        "$venv/bin/python" -m pip install -q --disable-pip-version-check -e "$spec" >>"$log" 2>&1 || {
            tail -n 30 "$log" >&2
            parley_die "pip install -e '$spec' failed (full log: $log)"
        }
        echo "$digest" >"$stamp"
    fi
    PARLEY_VENV=$venv
    export PARLEY_VENV
}
