"""The embedded coordinator's process starts before the app imports, and the app's own
start then takes it over: one coordinator, started once, and the start lock held from the
spawn until it answers. A configured server starts nothing."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

from PySide6.QtCore import QSettings

from app.server import ensure_local_coordinator
from app.server.file_lock import release_lock, try_lock
from app.server.local import LOCK_FILE, STATE_FILE, is_local_coordinator
from tests.ui.helpers import run_fresh_python
from ui.coordinator_prestart import prestart
from ui.settings import SERVER_URL, Settings


def _lock_is_free(data_dir: Path) -> bool:
    fd = os.open(data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if try_lock(fd):
            release_lock(fd)
            return True
        return False
    finally:
        os.close(fd)


async def test_the_app_takes_over_the_coordinator_started_early(
    data_dir: Path, tmp_path: Path
) -> None:
    no_server = Settings(QSettings(str(tmp_path / "parley.ini"), QSettings.Format.IniFormat))
    assert prestart(data_dir, None, no_server)
    assert not _lock_is_free(data_dir)  # another Parley starting now would wait for it
    # what ParleyApp._start does, while the spawned server is still importing
    url = await ensure_local_coordinator(data_dir)
    assert await is_local_coordinator(url)
    assert _lock_is_free(data_dir)
    assert json.loads((data_dir / STATE_FILE).read_text())["url"] == url
    # a second launch finds it running: nothing is spawned, the same server is used
    assert not prestart(data_dir, None, no_server)
    assert await ensure_local_coordinator(data_dir) == url
    started = (data_dir / "coordinator.log").read_text().count('"server.started"')
    assert started == 1


def test_prestart_spawns_before_any_heavy_import_and_starts_no_thread(
    data_dir: Path, tmp_path: Path
) -> None:
    """A thread importing pydantic beside the app's thread crashed the app at start, and
    importing the web client first delayed the spawn: the spawn needs neither. Checked in
    a fresh interpreter (this test process has imported everything already)."""
    script = (
        "import sys, threading\n"
        "from PySide6.QtCore import QSettings\n"
        "from ui.coordinator_prestart import prestart\n"
        "from ui.settings import Settings\n"
        f"settings = Settings(QSettings({str(tmp_path / 'p.ini')!r}, QSettings.Format.IniFormat))\n"
        f"assert prestart({str(data_dir)!r}, None, settings)\n"
        "from app.server.local_process import spawned\n"
        "print(spawned[0].pid)\n"
        "heavy = [m for m in ('pydantic', 'httpx', 'fastapi') if m in sys.modules]\n"
        "assert not heavy and threading.active_count() == 1, (heavy, threading.enumerate())\n"
    )
    result = run_fresh_python(script)
    if result.stdout.strip():
        os.kill(int(result.stdout.split()[0]), signal.SIGTERM)  # the detached server
    assert result.returncode == 0, result.stderr


def test_a_configured_server_starts_nothing(data_dir: Path, tmp_path: Path) -> None:
    assert not prestart(data_dir, "https://parley.example.org")  # the command line's
    settings = Settings(QSettings(str(tmp_path / "parley.ini"), QSettings.Format.IniFormat))
    settings.set_value(SERVER_URL.key, "https://parley.example.org")
    assert not prestart(data_dir, None, settings)  # the settings dialog's
    assert not (data_dir / "coordinator.log").exists()
