"""Parley's side of the benchmarks: ``python -m app.bot`` processes in one call on loopback.

Each bot is one whole Parley participant (capture from the file camera, encode per peer,
decode every remote video) in its own process, so its CPU and PSS are read straight from
/proc. ``instrumented`` bots also stamp every outgoing frame, read the stamps back and
compute PSNR on every 3rd received frame (``app.bot``): the price of measuring latency and
quality, which the plain bots of the mesh runs don't pay.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.processes import cpu_seconds, pss_kib

START_TIMEOUT_S = 60.0


@dataclass
class _Output:
    joined: bool = False
    last_stats: dict[str, Any] = field(default_factory=dict)
    history: list[tuple[float, dict[str, Any]]] = field(
        default_factory=list
    )  # (monotonic s, stats)


class BotProcess:
    """One ``app.bot`` process; its JSON stdout lines are read on a thread (a full pipe
    would stall the bot). Leaves when its stdin closes (``leave``)."""

    def __init__(self, argv: list[str]) -> None:
        self.process = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.output = _Output()
        self._stderr: list[str] = []
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    @property
    def pid(self) -> int:
        return self.process.pid

    def _read_stdout(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if not line.startswith("{"):
                continue
            record = json.loads(line)
            if record.get("event") == "bot.joined":
                self.output.joined = True
            elif record.get("event") == "bot.stats":
                self.output.last_stats = record
                self.output.history.append((time.monotonic(), record))

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self._stderr = [*self._stderr[-39:], line]

    def remotes_receiving(self) -> int:
        """Remote participants whose video arrived in the last reported second."""
        return sum(1 for r in self.output.last_stats.get("remote", []) if r.get("fps", 0) > 0)

    def leave(self) -> None:
        """Close stdin (the bot leaves) and wait; ``RuntimeError`` with its stderr when it
        exits with an error."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.returncode != 0:
            raise RuntimeError(f"bot failed ({self.process.returncode}):\n{''.join(self._stderr)}")


def bot_argv(
    server_url: str,
    call_id: str,
    name: str,
    clip: Path,
    audio: Path,
    *,
    instrumented: bool,
    stats_json: Path | None = None,
    paint: bool = True,
) -> list[str]:
    """``paint``: run ``bench.rendering_bot`` (the bot plus the in-call screen painting
    every video, as the app does) rather than the headless ``app.bot``."""
    module = "bench.rendering_bot" if paint else "app.bot"
    argv = [
        sys.executable, "-m", module, "--server", server_url,
        "--call", f"default:{call_id}", "--name", name,
        "--video-file", str(clip), "--audio-file", str(audio), "--control-stdin",
    ]  # fmt: skip
    if instrumented:
        argv += ["--stamp-frames", "--read-stamps", "--reference-video", str(clip)]
    if stats_json is not None:
        argv += ["--stats-json", str(stats_json)]
    return argv


@dataclass
class WindowReading:
    """CPU cores and PSS (KiB) of each bot over a measurement window, by bot name."""

    cpu_cores: dict[str, float]
    pss_kib: dict[str, int]
    wall_s: float


async def wait_all_receiving(
    bots: dict[str, BotProcess], peers: int, *, required: bool = True
) -> bool:
    """Wait until every bot reports video from ``peers`` remotes: True. After
    ``START_TIMEOUT_S`` raise ``RuntimeError`` when ``required``, else return False (a
    saturated machine may never get every stream going at once; the caller reports
    what it got). ``RuntimeError`` when a bot exits."""
    started = time.monotonic()
    while not all(b.remotes_receiving() >= peers for b in bots.values()):
        for name, bot in bots.items():
            if bot.process.poll() is not None:
                raise RuntimeError(f"bot {name} exited: {''.join(bot._stderr)[-2000:]}")
        if time.monotonic() - started > START_TIMEOUT_S:
            if required:
                raise RuntimeError(
                    f"bots did not all receive {peers} videos in {START_TIMEOUT_S} s"
                )
            return False
        await asyncio.sleep(0.2)
    return True


async def measure_window(bots: dict[str, BotProcess], seconds: float) -> WindowReading:
    """CPU cores of each bot over ``seconds`` of wall time, and PSS at the end."""
    start = {n: cpu_seconds(b.pid) for n, b in bots.items()}
    wall_start = time.monotonic()
    await asyncio.sleep(seconds)
    end = {n: cpu_seconds(b.pid) for n, b in bots.items()}
    wall_s = time.monotonic() - wall_start
    return WindowReading(
        cpu_cores={n: (end[n] - start[n]) / wall_s for n in bots},
        pss_kib={n: pss_kib(b.pid) for n, b in bots.items()},
        wall_s=wall_s,
    )
