"""The embedded coordinator starts on a thread while the app imports, and the app's own
start then finds it: one coordinator, started once. A configured server starts nothing."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from PySide6.QtCore import QSettings

from app.server import ensure_local_coordinator
from app.server.local import STATE_FILE, is_local_coordinator
from ui.coordinator_prestart import prestart
from ui.settings import SERVER_URL, Settings


async def test_the_app_finds_the_coordinator_started_early(data_dir: Path, tmp_path: Path) -> None:
    no_server = Settings(QSettings(str(tmp_path / "parley.ini"), QSettings.Format.IniFormat))
    thread = prestart(data_dir, None, no_server)
    assert thread is not None
    # what ParleyApp._start does, possibly while the spawn is still in progress
    url = await ensure_local_coordinator(data_dir)
    assert await is_local_coordinator(url)
    await asyncio.to_thread(thread.join, 60)
    assert not thread.is_alive()
    assert json.loads((data_dir / STATE_FILE).read_text())["url"] == url
    started = (data_dir / "coordinator.log").read_text().count('"server.started"')
    assert started == 1


def test_a_configured_server_starts_nothing(data_dir: Path, tmp_path: Path) -> None:
    assert prestart(data_dir, "https://parley.example.org") is None  # the command line's
    settings = Settings(QSettings(str(tmp_path / "parley.ini"), QSettings.Format.IniFormat))
    settings.set_value(SERVER_URL.key, "https://parley.example.org")
    assert prestart(data_dir, None, settings) is None  # the settings dialog's
    assert not (data_dir / "coordinator.log").exists()
