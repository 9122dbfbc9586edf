"""The embedded coordinator: spawning, reusing, port fallback, one server for two
starters; ``run_server``'s idle exit and listening socket; the CLI's loopback rule."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import socket
from pathlib import Path

import httpx
import pytest

from app.server import ServerSettings, ensure_local_coordinator, run_server
from app.server.cli import main as server_main
from app.server.local import STATE_FILE, is_local_coordinator
from app.server.runner import bind_socket
from tests.fixtures.coordinator import pid_alive as _pid_alive


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _wait_dead(pid: int, timeout_s: float = 10.0) -> bool:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while loop.time() < deadline:
        if not _pid_alive(pid):
            return True
        await asyncio.sleep(0.05)
    return False


async def test_spawns_then_reuses(data_dir: Path) -> None:
    port = _free_port()
    url = await ensure_local_coordinator(data_dir, port=port)
    assert url == f"http://127.0.0.1:{port}"
    assert await is_local_coordinator(url)
    state = json.loads((data_dir / STATE_FILE).read_text())
    assert state["url"] == url
    pid = state["pid"]
    assert pid != os.getpid() and _pid_alive(pid)
    assert oct((data_dir / "coordinator.secret").stat().st_mode & 0o777) == "0o600"
    # A second app gets the same server.
    assert await ensure_local_coordinator(data_dir, port=port) == url
    assert json.loads((data_dir / STATE_FILE).read_text())["pid"] == pid
    # Guests can use it.
    async with httpx.AsyncClient(base_url=url, trust_env=False) as client:
        answer = await client.post("/api/v1/auth/guest", json={"user": {"name": "A"}})
        assert answer.status_code == 200


async def test_two_starters_at_once_share_one_server(data_dir: Path) -> None:
    port = _free_port()
    urls = await asyncio.gather(
        ensure_local_coordinator(data_dir, port=port), ensure_local_coordinator(data_dir, port=port)
    )
    assert urls[0] == urls[1]
    log = (data_dir / "coordinator.log").read_text()
    assert log.count('"server.started"') == 1


async def test_port_taken_by_something_else_falls_back(data_dir: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as squatter:
        taken = squatter.getsockname()[1]
        url = await ensure_local_coordinator(data_dir, port=taken)
        assert url != f"http://127.0.0.1:{taken}"
        assert url.startswith("http://127.0.0.1:")
        assert await is_local_coordinator(url)


async def test_restarts_after_the_server_is_gone(data_dir: Path) -> None:
    port = _free_port()
    url = await ensure_local_coordinator(data_dir, port=port)
    pid = json.loads((data_dir / STATE_FILE).read_text())["pid"]
    os.kill(pid, signal.SIGTERM)
    assert await _wait_dead(pid)
    again = await ensure_local_coordinator(data_dir, port=port)
    assert again == url
    assert json.loads((data_dir / STATE_FILE).read_text())["pid"] != pid


async def test_run_server_exits_when_idle(tmp_path: Path) -> None:
    settings = ServerSettings(
        secret=secrets.token_urlsafe(32),
        database_url=f"sqlite+aiosqlite:///{(tmp_path / 'idle.db').as_posix()}",
        local_mode=True,
    )
    ports: list[int] = []
    await asyncio.wait_for(
        run_server(settings, exit_when_idle_s=0.3, on_started=ports.append), timeout=20
    )
    assert len(ports) == 1 and ports[0] > 0


async def test_run_server_stays_while_a_websocket_is_open(tmp_path: Path) -> None:
    # Long enough for a loaded machine to get from start-up to its first request.
    idle_s = 1.0
    from tests.server.ws_client import WsClient

    settings = ServerSettings(
        secret=secrets.token_urlsafe(32),
        database_url=f"sqlite+aiosqlite:///{(tmp_path / 'busy.db').as_posix()}",
        local_mode=True,
    )
    started: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    server = asyncio.create_task(
        run_server(settings, exit_when_idle_s=idle_s, on_started=started.set_result)
    )
    port = await asyncio.wait_for(started, 10)
    # The keep-alive HTTP connection holds the server until the WebSocket is open, however
    # slowly this machine gets there.
    async with httpx.AsyncClient(trust_env=False) as client:
        answer = await client.post(f"http://127.0.0.1:{port}/api/v1/auth/guest")
        ws = await WsClient.connect(
            f"ws://127.0.0.1:{port}/api/v1/ws", answer.json()["access_token"]
        )
    # Two idle periods with a connection open: the server must still answer.
    for _ in range(2):
        await asyncio.sleep(idle_s)
        assert not server.done()
        await ws.barrier()
    await ws.close()
    await asyncio.wait_for(server, timeout=20)


@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
async def test_accepted_connections_send_without_nagle(host: str) -> None:
    """uvicorn serves on ``bind_socket``'s socket through ``loop.create_server(sock=...)``;
    asyncio turns Nagle off on what it accepts only when the socket says TCP. With Nagle
    on, an answer written in two parts (uvicorn: head, then body) waited ~40 ms for the
    client's delayed ACK on every request after a connection's first."""
    try:
        listener = bind_socket(host, 0)
    except OSError as exc:  # a machine without IPv6 on loopback
        pytest.skip(f"cannot listen on {host}: {exc}")
    accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    class Probe(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            sock = transport.get_extra_info("socket")
            accepted.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    loop = asyncio.get_running_loop()
    server = await loop.create_server(Probe, sock=listener)
    try:
        port = listener.getsockname()[1]
        _, writer = await asyncio.open_connection(host, port)
        assert await asyncio.wait_for(accepted, timeout=10) != 0
        writer.close()
    finally:
        server.close()
        await server.wait_closed()


def test_bind_socket_refuses_a_taken_port() -> None:
    with bind_socket("127.0.0.1", 0) as first:
        port = first.getsockname()[1]
        with pytest.raises(OSError):
            bind_socket("127.0.0.1", port)


def test_cli_refuses_non_loopback_host_in_local_mode(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        server_main(["--local", "--host", "0.0.0.0"])
    assert exited.value.code == 2
    assert "loopback" in capsys.readouterr().err
