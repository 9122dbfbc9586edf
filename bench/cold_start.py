"""``python -m bench cold-start``: process launch → the Lobby shown, median of N.

Two cases, as a user meets them: *first* — no Parley runs, so the app also starts the
embedded coordinator (a fresh data folder each trial); *second* — a coordinator already
answers (another Parley window, or a previous run within its idle minute). The app runs as
``parley --call default:ID`` with vtest.avi as its camera, on Xvfb's display when
``DISPLAY`` is set, else offscreen; the clock stops at its log line "lobby shown" (written
by ``ui.lobby.Lobby.showEvent``). The goal (media-performance issue): ≤ 2 s.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from app.server.local import DEFAULT_PORT
from bench.media import VTEST

GOAL_S = 2.0
TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0


def launch_to_lobby_s(data_dir: Path, call_id: str) -> float:
    """Seconds from ``Popen`` of ``parley`` to its "lobby shown" log line; the app is
    killed afterwards. Raises ``RuntimeError`` when it exits or times out first."""
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "xcb" if env.get("DISPLAY") else "offscreen")
    command = [sys.executable, "-m", "ui.cli", "--user", "Bench", "--call", f"default:{call_id}",
               "--video-file", str(VTEST), "--data-dir", str(data_dir)]  # fmt: skip
    start = time.monotonic()
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env
    )
    tail: list[str] = []
    try:
        assert process.stderr is not None
        for line in process.stderr:
            if "lobby shown:" in line:
                return time.monotonic() - start
            tail = [*tail[-19:], line]
            if time.monotonic() - start > TIMEOUT_S:
                break
        raise RuntimeError(
            f"parley did not show the Lobby (exit code {process.poll()}):\n" + "".join(tail)
        )
    finally:
        process.kill()
        process.wait()


def stop_coordinator(data_dir: Path) -> None:
    """Stop the coordinator a trial spawned (it would exit after its idle minute) and wait
    until it is gone, so the next *first* trial starts its own."""
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError, ProcessLookupError):
        pid = int(json.loads((data_dir / "coordinator.json").read_text())["pid"])
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while time.monotonic() < deadline:
            os.kill(pid, 0)  # ProcessLookupError once it has exited
            time.sleep(0.05)


def require_no_coordinator() -> None:
    """Raise ``RuntimeError`` when something answers on the local coordinator's port: a
    *first* start would reuse it and measure a second start."""
    with socket.socket() as probe:
        probe.settimeout(0.5)
        if probe.connect_ex(("127.0.0.1", DEFAULT_PORT)) == 0:
            raise RuntimeError(
                f"something already listens on 127.0.0.1:{DEFAULT_PORT} (a running Parley's "
                "coordinator?): quit it, or wait its idle minute, for a cold first start"
            )


def run(trials: int) -> dict[str, list[float]]:
    first: list[float] = []
    second: list[float] = []
    with tempfile.TemporaryDirectory(prefix="parley-cold-") as root:
        for trial in range(trials):
            data_dir = Path(root) / f"first-{trial}"
            data_dir.mkdir()
            require_no_coordinator()
            try:
                first.append(launch_to_lobby_s(data_dir, f"cold-{trial}"))
            finally:
                stop_coordinator(data_dir)
        shared = Path(root) / "shared"
        shared.mkdir()
        try:
            launch_to_lobby_s(shared, "warm-up")  # starts the coordinator the others reuse
            for trial in range(trials):
                second.append(launch_to_lobby_s(shared, f"warm-{trial}"))
        finally:
            stop_coordinator(shared)
    return {"first_s": first, "second_s": second}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench cold-start", description=__doc__)
    parser.add_argument("--trials", type=int, default=5)
    args = parser.parse_args()
    results = run(args.trials)
    out = Path("bench/results")
    out.mkdir(parents=True, exist_ok=True)
    (out / "cold_start.json").write_text(json.dumps(results, indent=2))
    print(f"\n## Cold start: launch → Lobby shown, median of {args.trials}")
    print(f"{'case':<44}{'median s':>10}{'max s':>8}{'goal s':>8}")
    for label, key in (
        ("first Parley (starts the coordinator)", "first_s"),
        ("a coordinator already running", "second_s"),
    ):
        values = results[key]
        print(f"{label:<44}{statistics.median(values):>10.2f}{max(values):>8.2f}{GOAL_S:>8.1f}")


if __name__ == "__main__":
    main()
