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
import json
import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

import app as app_package
from app.protocol import HEALTH_PATH, HealthResponse
from app.server.file_lock import file_lock
from app.server.settings import DATABASE_FILE, DEFAULT_PORT, SECRET_FILE, default_data_dir

STATE_FILE = "coordinator.json"
LOCK_FILE = "coordinator.lock"
LOG_FILE = "coordinator.log"
LOG_ROTATE_BYTES = 1024 * 1024
IDLE_EXIT_S = 60
START_TIMEOUT_S = 30.0
HEALTH_TIMEOUT_S = 1.0
_log = logging.getLogger(__name__)
# Handles of servers this process spawned: they are never waited for (they outlive us),
# but holding them lets ``poll`` reap the ones that exited.
_spawned: list[subprocess.Popen[bytes]] = []


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


def _read_state(folder: Path) -> dict[str, Any]:
    try:
        state = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def _write_state(folder: Path, url: str, pid: int | None) -> None:
    temporary = folder / (STATE_FILE + ".tmp")
    temporary.write_text(json.dumps({"url": url, "pid": pid}), encoding="utf-8")
    os.replace(temporary, folder / STATE_FILE)


def _port_is_free(port: int) -> bool:
    if port == 0:
        return True
    try:
        with socket.create_server(("127.0.0.1", port)):
            return True
    except OSError:
        return False


def _server_command(folder: Path, port: int) -> list[str]:
    # A frozen (PyInstaller) app has no ``-m``: its executable dispatches ``parley server``.
    entry = (
        [sys.executable, "server"]
        if getattr(sys, "frozen", False)
        else [sys.executable, "-m", "app.server"]
    )
    return [
        *entry,
        "--local",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--exit-when-idle",
        str(IDLE_EXIT_S),
        "--database-url",
        f"sqlite+aiosqlite:///{(folder / DATABASE_FILE).as_posix()}",
        "--secret-file",
        str(folder / SECRET_FILE),
    ]


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    if not getattr(sys, "frozen", False):
        # Import this very copy of Parley in the child (source checkouts, tests).
        source_root = str(Path(app_package.__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (source_root, env.get("PYTHONPATH")) if p)
    return env


def _detach_options() -> dict[str, Any]:
    if sys.platform == "win32":
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP | subprocess.DETACHED_PROCESS}
    return {"start_new_session": True}


def _started_url(log_path: Path, offset: int) -> str | None:
    """The URL of the ``server.started`` line written to the log after ``offset``."""
    with open(log_path, "rb") as log:
        log.seek(offset)
        for line in log.read().splitlines():
            if not line.startswith(b"{"):
                continue
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if isinstance(event, dict) and event.get("event") == "server.started":
                url = event.get("url")
                return url if isinstance(url, str) else None
    return None


def _log_tail(log_path: Path, offset: int, limit: int = 2000) -> str:
    with open(log_path, "rb") as log:
        log.seek(offset)
        return log.read().decode("utf-8", "replace")[-limit:]


def _start_process(folder: Path, port: int, log_path: Path) -> tuple[subprocess.Popen[bytes], int]:
    """Spawn the detached server writing to ``log_path``; the process and the log offset
    its output starts at."""
    if log_path.exists() and log_path.stat().st_size > LOG_ROTATE_BYTES:
        os.replace(log_path, log_path.with_suffix(".log.1"))
    with open(log_path, "ab") as log:
        offset = log.tell()
        process = subprocess.Popen(
            _server_command(folder, port),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            env=_child_env(),
            close_fds=True,
            **_detach_options(),
        )
    return process, offset


async def _spawn(folder: Path, port: int, timeout_s: float) -> tuple[str, int] | None:
    """Start a coordinator on ``port``; ``(url, pid)`` once healthy, None when it exited
    before listening (e.g. the port was taken meanwhile). Raises ``CoordinatorStartError``
    on timeout."""
    for process in list(_spawned):
        if process.poll() is not None:
            _spawned.remove(process)
    log_path = folder / LOG_FILE
    process, offset = _start_process(folder, port, log_path)
    _spawned.append(process)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        url = _started_url(log_path, offset)
        if url is not None and await is_local_coordinator(url):
            return url, process.pid
        if process.poll() is not None:
            _log.warning(
                "local coordinator exited (%s): %s", process.returncode, _log_tail(log_path, offset)
            )
            return None
        await asyncio.sleep(0.05)
    process.terminate()
    raise CoordinatorStartError(
        f"the local coordinator did not start within {timeout_s} s:\n{_log_tail(log_path, offset)}"
    )


async def ensure_local_coordinator(
    data_dir: Path | str | None = None,
    *,
    port: int = DEFAULT_PORT,
    start_timeout_s: float = START_TIMEOUT_S,
) -> str:
    """The URL (``http://127.0.0.1:PORT``) of this machine's local coordinator for
    ``data_dir`` (``default_data_dir()`` when None), started if none answers.

    Reuses the coordinator of ``coordinator.json`` or one already answering on ``port``;
    otherwise spawns one on ``port``, or on a free port when ``port`` is held by something
    that is not Parley. Raises ``CoordinatorStartError`` when it does not come up within
    ``start_timeout_s`` and ``TimeoutError`` when another starter holds the lock that long.
    """
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    async with file_lock(folder / LOCK_FILE, timeout_s=start_timeout_s):
        known = _read_state(folder).get("url")
        if isinstance(known, str) and await is_local_coordinator(known):
            return known
        on_port = f"http://127.0.0.1:{port}"
        if port != 0 and await is_local_coordinator(on_port):
            _write_state(folder, on_port, None)
            return on_port
        started = None
        if _port_is_free(port):
            started = await _spawn(folder, port, start_timeout_s)
        if started is None:
            started = await _spawn(folder, 0, start_timeout_s)
        if started is None:
            raise CoordinatorStartError(
                f"the local coordinator exited at start; see {folder / LOG_FILE}"
            )
        url, pid = started
        _write_state(folder, url, pid)
        return url
