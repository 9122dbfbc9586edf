"""``BotProcess``: a real ``parley bot`` child process that a test can steer and watch.

The bot prints one JSON object per line on stdout (``bot.joined``, ``bot.stats`` every
second, ``bot.command_done``, ``bot.error``, ``bot.left``; see ``app/bot/runner.py``) and,
with ``--control-stdin``, reads commands (``mute``, ``unmute``, ``camera-off``,
``camera-on``, ``leave``) from stdin. Two daemon threads drain stdout and stderr, so the
test thread never blocks on a pipe and can keep Qt's event loop turning while it waits
(``qtbot.waitUntil(lambda: bot.last("bot.joined") is not None)``).
"""

from __future__ import annotations

import collections
import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any

STOP_TIMEOUT_S = 20.0
_STDERR_TAIL_LINES = 200


class BotProcess:
    """One running bot. Query methods are thread-safe snapshots; :meth:`stop` is
    idempotent and always leaves the process dead."""

    def __init__(self, command: list[str]) -> None:
        self.command = command
        self._lock = threading.Lock()
        self._events: list[dict[str, Any]] = []
        self._stderr: collections.deque[str] = collections.deque(maxlen=_STDERR_TAIL_LINES)
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,  # line-buffered stdin: a command reaches the bot when sent
        )
        assert self._process.stdout is not None and self._process.stderr is not None
        self._readers = [
            threading.Thread(target=self._read_events, args=(self._process.stdout,), daemon=True),
            threading.Thread(target=self._read_stderr, args=(self._process.stderr,), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    @classmethod
    def start(
        cls,
        server_url: str,
        call_cid: str,
        *,
        name: str,
        video_file: Path,
        audio_file: Path,
        stats_json: Path,
    ) -> BotProcess:
        """Start ``python -m app.bot`` in ``call_cid`` (``"type:id"``) with file media,
        commands on stdin and per-second stats written to ``stats_json``."""
        command = [sys.executable, "-m", "app.bot", "--server", server_url, "--call", call_cid]
        command += ["--name", name, "--video-file", str(video_file)]
        command += ["--audio-file", str(audio_file), "--control-stdin"]
        command += ["--stats-json", str(stats_json)]
        return cls(command)

    # --- what the bot said --------------------------------------------------------------

    def events(self, kind: str | None = None) -> list[dict[str, Any]]:
        """The JSON lines received so far (only those whose ``event`` is ``kind``)."""
        with self._lock:
            return [e for e in self._events if kind is None or e.get("event") == kind]

    def last(self, kind: str) -> dict[str, Any] | None:
        """The newest line of ``kind``, or None."""
        found = self.events(kind)
        return found[-1] if found else None

    def count(self, kind: str) -> int:
        return len(self.events(kind))

    @property
    def returncode(self) -> int | None:
        """The exit status once the process has ended, else None."""
        return self._process.poll()

    def describe(self) -> str:
        """The bot's recent output, for assertion messages."""
        with self._lock:
            events = self._events[-8:]
            stderr = list(self._stderr)[-40:]
        return (
            f"bot exit status: {self._process.poll()}\n"
            f"last events: {json.dumps(events)[-3000:]}\n"
            "stderr tail:\n" + "".join(stderr)[-4000:]
        )

    # --- steering -----------------------------------------------------------------------

    def send(self, command: str) -> None:
        """Write one command line to the bot's stdin (``BrokenPipeError`` if it exited)."""
        stdin = self._process.stdin
        assert stdin is not None
        stdin.write(command + "\n")
        stdin.flush()

    def stop(self, timeout_s: float = STOP_TIMEOUT_S) -> int:
        """Ask the bot to leave, wait up to ``timeout_s`` seconds, kill it if it is still
        running; return its exit status (negative: killed by that signal)."""
        if self._process.poll() is None:
            try:
                self.send("leave")
                self._process.wait(timeout_s)
            except (BrokenPipeError, OSError, subprocess.TimeoutExpired):
                self._process.kill()
                self._process.wait(timeout_s)
        if self._process.stdin is not None:
            try:
                self._process.stdin.close()
            except BrokenPipeError:  # the bot exited with unread input; nothing to flush
                pass
        for reader in self._readers:
            reader.join(timeout_s)  # the pipes close with the process
        return self._process.returncode

    # --- readers (daemon threads) -------------------------------------------------------

    def _read_events(self, stream: IO[str]) -> None:
        for line in stream:
            try:
                record = json.loads(line)
            except ValueError:  # not one of the bot's records (e.g. a library's print)
                record = {"event": "bot.text", "text": line.rstrip("\n")}
            with self._lock:
                self._events.append(record)

    def _read_stderr(self, stream: IO[str]) -> None:
        for line in stream:
            with self._lock:
                self._stderr.append(line)
