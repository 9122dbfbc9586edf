"""Fixtures shared by the end-to-end tests: real ``parley bot`` processes."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.bot_process import BotProcess


@pytest.fixture
def start_bot(
    coordinator, vtest_avi: Path, speech_wav: Path
) -> Iterator[Callable[..., BotProcess]]:
    """``start_bot(name, user_id, *args)`` runs ``python -m app.bot`` on the test's
    coordinator with vtest.avi and espeak speech as its camera and microphone, steerable
    on stdin; every bot is stopped at teardown."""
    started: list[BotProcess] = []

    def start(name: str, user_id: str, *args: str) -> BotProcess:
        command = [sys.executable, "-m", "app.bot", "--server", coordinator.url]
        command += ["--name", name, "--user-id", user_id]
        command += ["--video-file", str(vtest_avi), "--audio-file", str(speech_wav)]
        command += ["--control-stdin", *args]
        process = BotProcess(command)
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()
