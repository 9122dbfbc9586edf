"""The embedded coordinator: one per user and machine, shared by every Parley instance.

``ensure_local_coordinator`` returns the URL of a running local coordinator, starting one
when none answers. The coordinator runs as a separate, detached process
(``python -m app.server --local --exit-when-idle 60``) rather than inside the app: the app
that started it may quit while another instance on this machine is still in a call
through it, so the server outlives its starter and stops by itself once it has had no
connection for a minute.

Files in the data folder: ``coordinator.json`` (``{"url", "pid"}`` of the last start),
``coordinator.lock`` (so two apps starting at once spawn one server), ``coordinator.log``
(the server's output), ``coordinator.db`` and ``coordinator.secret``.
"""

from __future__ import annotations

import asyncio
import logging
import subprocess
import time
from pathlib import Path

import httpx

from app.protocol import HEALTH_PATH, HealthResponse
from app.server.data_dir import DEFAULT_PORT, default_data_dir
from app.server.file_lock import file_lock
from app.server.local_process import (
    LOCK_FILE,
    LOG_FILE,
    STATE_FILE,
    EarlySpawn,
    log_tail,
    port_is_free,
    read_state,
    spawned,
    start_process,
    started_url,
    take_early_spawn,
    write_state,
)

__all__ = [
    "DEFAULT_PORT",
    "LOCK_FILE",
    "LOG_FILE",
    "STATE_FILE",
    "CoordinatorStartError",
    "ensure_local_coordinator",
    "is_local_coordinator",
]

START_TIMEOUT_S = 30.0
HEALTH_TIMEOUT_S = 1.0
_log = logging.getLogger(__name__)


class CoordinatorStartError(RuntimeError):
    """The local coordinator did not come up; the message ends with its log's tail."""


async def is_local_coordinator(url: str) -> bool:
    """True when ``url`` answers ``GET /api/v1/health`` as a local-mode Parley coordinator."""
    try:
        # trust_env=False: a proxy from the environment must not see loopback traffic.
        async with httpx.AsyncClient(timeout=HEALTH_TIMEOUT_S, trust_env=False) as client:
            answer = await client.get(url + HEALTH_PATH)
        return (
            answer.status_code == 200
            and HealthResponse.model_validate_json(answer.content).local_mode
        )
    except (httpx.HTTPError, ValueError):
        return False


async def _spawn(folder: Path, port: int, timeout_s: float) -> tuple[str, int] | None:
    """Start a coordinator on ``port``; ``(url, pid)`` once healthy, None when it exited
    before listening (e.g. the port was taken meanwhile). Raises ``CoordinatorStartError``
    on timeout."""
    for process in list(spawned):
        if process.poll() is not None:
            spawned.remove(process)
    log_path = folder / LOG_FILE
    process, offset = start_process(folder, port, log_path)
    spawned.append(process)
    return await _wait_started(process, log_path, offset, timeout_s)


async def _wait_started(
    process: subprocess.Popen[bytes], log_path: Path, offset: int, timeout_s: float
) -> tuple[str, int] | None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        url = started_url(log_path, offset)
        if url is not None and await is_local_coordinator(url):
            return url, process.pid
        if process.poll() is not None:
            _log.warning(
                "local coordinator exited (%s): %s", process.returncode, log_tail(log_path, offset)
            )
            return None
        await asyncio.sleep(0.05)
    process.terminate()
    raise CoordinatorStartError(
        f"the local coordinator did not start within {timeout_s} s:\n{log_tail(log_path, offset)}"
    )


async def _finish_early_spawn(folder: Path, early: EarlySpawn, timeout_s: float) -> str | None:
    """Wait for the process ``spawn_early`` started (its start lock still held); its URL
    once healthy, None when it exited first (the port was taken meanwhile)."""
    try:
        started = await _wait_started(early.process, folder / LOG_FILE, early.log_offset, timeout_s)
        if started is None:
            return None
        url, pid = started
        write_state(folder, url, pid)
        return url
    finally:
        early.release()


async def ensure_local_coordinator(
    data_dir: Path | str | None = None,
    *,
    port: int = DEFAULT_PORT,
    start_timeout_s: float = START_TIMEOUT_S,
) -> str:
    """The URL (``http://127.0.0.1:PORT``) of this machine's local coordinator for
    ``data_dir`` (``default_data_dir()`` when None), started if none answers.

    Takes over the process ``app.server.local_process.spawn_early`` started for
    ``data_dir``, if any; else reuses the coordinator of ``coordinator.json`` or one
    already answering on ``port``; otherwise spawns one on ``port``, or on a free port when
    ``port`` is held by something that is not Parley. Raises ``CoordinatorStartError``
    when it does not come up within ``start_timeout_s`` and ``TimeoutError`` when another
    starter holds the lock that long.
    """
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    early = take_early_spawn(folder)
    if early is not None:
        url = await _finish_early_spawn(folder, early, start_timeout_s)
        if url is not None:
            return url
    async with file_lock(folder / LOCK_FILE, timeout_s=start_timeout_s):
        known = read_state(folder).get("url")
        if isinstance(known, str) and await is_local_coordinator(known):
            return known
        on_port = f"http://127.0.0.1:{port}"
        if port != 0 and await is_local_coordinator(on_port):
            write_state(folder, on_port, None)
            return on_port
        started = None
        if port_is_free(port):
            started = await _spawn(folder, port, start_timeout_s)
        if started is None:
            started = await _spawn(folder, 0, start_timeout_s)
        if started is None:
            raise CoordinatorStartError(
                f"the local coordinator exited at start; see {folder / LOG_FILE}"
            )
        url, pid = started
        write_state(folder, url, pid)
        return url
