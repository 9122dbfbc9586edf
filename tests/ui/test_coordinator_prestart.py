"""The embedded coordinator starts on a thread while the app imports, and the app's own
start then finds it: one coordinator, started once. A configured server starts nothing."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
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


def test_the_thread_imports_nothing_the_app_imports_meanwhile(tmp_path: Path) -> None:
    """Two threads importing pydantic at once crashed the app at start: prestart imports
    the starter (and so pydantic) before its thread runs. A fresh interpreter checks it
    (here the test process has imported everything already)."""
    script = (
        "import sys\n"
        "from PySide6.QtCore import QSettings\n"
        "from ui.coordinator_prestart import prestart\n"
        "from ui.settings import Settings\n"
        "assert 'pydantic' not in sys.modules\n"
        f"settings = Settings(QSettings({str(tmp_path / 'p.ini')!r}, QSettings.Format.IniFormat))\n"
        "thread = prestart(None, 'https://parley.example.org', settings)\n"
        "assert thread is None and 'pydantic' not in sys.modules  # a server: nothing\n"
        "import threading\n"
        "seen = []\n"
        "def start(self):  # records, and starts nothing: no coordinator is spawned\n"
        "    seen.append(('app.server.local' in sys.modules, 'pydantic' in sys.modules))\n"
        "threading.Thread.start = start\n"
        f"prestart({str(tmp_path / 'data')!r}, None, settings)\n"
        "assert seen == [(True, True)], seen\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True, text=True, timeout=120, cwd=Path(__file__).parents[2],
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
