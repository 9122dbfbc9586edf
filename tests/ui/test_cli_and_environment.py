"""``parley`` entry point and Qt environment hygiene: no display needed for subcommands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ui.application import guest_user_id
from ui.home_window import parse_call_reference
from ui.qt_environment import sanitize_qt_environment

REPO = Path(__file__).resolve().parents[2]


def test_parley_server_help_imports_no_qt() -> None:
    code = (
        "import sys; from ui.cli import main\n"
        "try:\n    main(['server', '--help'])\nexcept SystemExit as exc:\n    code = exc.code\n"
        "print('QT' if any(m.startswith('PySide6') for m in sys.modules) else 'NOQT', code)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},  # no DISPLAY
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "usage" in result.stdout.lower()
    assert result.stdout.strip().splitlines()[-1] in ("NOQT 0", "NOQT None")


def test_cv2_qt_paths_are_removed_and_others_kept() -> None:
    env = {
        "QT_QPA_PLATFORM_PLUGIN_PATH": "/venv/lib/python3.12/site-packages/cv2/qt/plugins",
        "QT_QPA_FONTDIR": "/venv/lib/python3.12/site-packages/cv2/qt/fonts",
        "QT_PLUGIN_PATH": "/opt/myqt/plugins",
    }
    removed = sanitize_qt_environment(env)
    assert sorted(removed) == ["QT_QPA_FONTDIR", "QT_QPA_PLATFORM_PLUGIN_PATH"]
    assert env == {"QT_PLUGIN_PATH": "/opt/myqt/plugins"}


def test_import_cv2_then_sanitize_restores_a_clean_environment() -> None:
    code = (
        "import os, cv2\n"
        "from ui.qt_environment import sanitize_qt_environment\n"
        "sanitize_qt_environment()\n"
        "print([k for k in ('QT_QPA_PLATFORM_PLUGIN_PATH', 'QT_QPA_FONTDIR')"
        " if 'cv2' in os.environ.get(k, '')])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_call_references() -> None:
    assert parse_call_reference("standup") == ("default", "standup")
    assert parse_call_reference(" audio_room:town-hall ") == ("audio_room", "town-hall")
    assert parse_call_reference("bad id!") is None
    assert parse_call_reference(":x") is None
    assert parse_call_reference("") is None


def test_guest_user_ids_are_stable_slugs() -> None:
    assert guest_user_id("Ada Lovelace") == "ada-lovelace"
    assert guest_user_id("  ") == "guest"
    assert guest_user_id("bob@example.org") == "bob@example.org"
