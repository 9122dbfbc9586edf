"""Headless Debian Chromium driven over the DevTools protocol (no npm, no downloads).

``ChromiumPage`` starts ``/usr/bin/chromium`` on a fresh profile with the fake camera
playing a Y4M file, opens ``peers.html`` from a loopback HTTP server (getUserMedia needs a
secure context; http://127.0.0.1 is one) and evaluates JavaScript in it. Flags: the
no-network set of /work/shared/TESTING.md ("Browsers as reference peers") plus loopback
ICE (``--allow-loopback-in-peer-connection``, mDNS host names off).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import http.server
import itertools
import json
import logging
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

import websockets

log = logging.getLogger(__name__)

PAGE_DIR = Path(__file__).parent
CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
    "--allow-loopback-in-peer-connection", "--disable-features=WebRtcHideLocalIpsWithMdns",
    "--autoplay-policy=no-user-gesture-required",
    # a headless page is never "in the background", but make sure timers and rendering
    # are not throttled either
    "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows", "--window-size=2560,2400",
]  # fmt: skip


class ChromiumError(RuntimeError):
    """Chromium failed to start, or JavaScript in the page threw."""


def _serve(directory: Path) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, name="bench-http", daemon=True).start()
    return server


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class ChromiumPage:
    """One Chromium process with ``peers.html`` open; use as ``async with``.

    ``pid`` is the browser process (the root of the tree whose CPU and PSS the benchmark
    reads). Raises ``ChromiumError`` when Chromium is missing or does not start in 30 s.
    """

    def __init__(self, fake_camera_y4m: Path) -> None:
        if not Path(CHROMIUM).exists():
            raise ChromiumError(f"{CHROMIUM} is missing: apt-get install -y chromium")
        self._camera = fake_camera_y4m
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.console: list[str] = []

    async def __aenter__(self) -> ChromiumPage:
        self._profile = Path(tempfile.mkdtemp(prefix="parley-bench-chromium-"))
        self._http = _serve(PAGE_DIR)
        url = f"http://127.0.0.1:{self._http.server_address[1]}/peers.html"
        self._process = await asyncio.create_subprocess_exec(
            CHROMIUM, *FLAGS, f"--use-file-for-fake-video-capture={self._camera}",
            f"--user-data-dir={self._profile}", "--remote-debugging-port=0", url,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.pid = self._process.pid
        self._reader: asyncio.Task[None] | None = None
        try:
            self._socket = await websockets.connect(
                await self._page_socket_url(url), max_size=64 * 1024 * 1024
            )
            self._reader = asyncio.create_task(self._read())
            await self._call("Runtime.enable")
            await self.wait_for_expression("typeof window.bench === 'object'", timeout_s=30)
        except BaseException as exc:
            await self.__aexit__(type(exc), exc, exc.__traceback__)  # no browser left behind
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(Exception):
                await self._socket.close()
        self._process.terminate()
        try:
            await asyncio.wait_for(self._process.wait(), 10)
        except TimeoutError:
            self._process.kill()
            await self._process.wait()
        self._http.shutdown()
        shutil.rmtree(self._profile, ignore_errors=True)

    async def _page_socket_url(self, url: str) -> str:
        # Chromium writes "<port>\n<browser path>" once its DevTools server listens.
        port_file = self._profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self._process.returncode is not None:
                raise ChromiumError(f"chromium exited with {self._process.returncode}")
            if port_file.exists() and port_file.read_text().count("\n") >= 1:
                port = int(port_file.read_text().split()[0])
                targets = await asyncio.to_thread(_json_list, port)
                for target in targets:
                    if target.get("type") == "page" and target.get("url") == url:
                        return str(target["webSocketDebuggerUrl"])
            await asyncio.sleep(0.1)
        raise ChromiumError("chromium did not open the page within 30 s")

    async def _read(self) -> None:
        try:
            await self._dispatch()
        finally:  # a closed socket must not leave callers waiting forever
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(ChromiumError("the DevTools connection closed"))

    async def _dispatch(self) -> None:
        async for raw in self._socket:
            message = json.loads(raw)
            future = self._pending.pop(message.get("id", -1), None)
            if future is not None and not future.done():
                future.set_result(message)
            elif message.get("method") == "Runtime.consoleAPICalled":
                args = message["params"]["args"]
                self.console.append(
                    " ".join(str(a.get("value", a.get("description"))) for a in args)
                )
            elif message.get("method") == "Runtime.exceptionThrown":
                self.console.append(json.dumps(message["params"]["exceptionDetails"])[:500])

    async def _call(self, method: str, **params: Any) -> dict[str, Any]:
        message_id = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[message_id] = future
        await self._socket.send(json.dumps({"id": message_id, "method": method, "params": params}))
        reply = await future
        if "error" in reply:
            raise ChromiumError(f"{method}: {reply['error']}")
        return dict(reply["result"])

    async def evaluate(self, expression: str) -> Any:
        """Value of a JavaScript expression (promises awaited), as JSON-decoded Python.
        Raises ``ChromiumError`` with the exception text when it throws."""
        result = await self._call(
            "Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            raise ChromiumError(f"{expression[:80]}: {text}\nconsole: {self.console[-5:]}")
        return result["result"].get("value")

    async def wait_for_expression(self, expression: str, *, timeout_s: float) -> None:
        """Poll until ``expression`` is truthy; ``ChromiumError`` after ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        while not await self.evaluate(expression):
            if time.monotonic() > deadline:
                raise ChromiumError(f"timed out waiting for {expression}")
            await asyncio.sleep(0.1)


def _json_list(port: int) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5) as reply:
        return list(json.loads(reply.read()))
