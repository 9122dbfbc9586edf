"""Fixtures shared by the end-to-end tests: real ``parley bot`` processes, signed-in
clients on the Qt loop, and the artefacts folder."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import qasync
from pytestqt.qtbot import QtBot

from app.call import LocalMedia
from app.client import VideoClient
from tests.e2e.bot_process import BotProcess
from tests.fixtures.qt import complete


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


@pytest.fixture
def e2e_artifacts(artifacts_root: Path) -> Path:
    """Where the end-to-end tests' screenshots go: ``artifacts_root / "e2e"``."""
    path = artifacts_root / "e2e"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def sign_in(
    qtbot: QtBot, qt_loop: qasync.QEventLoop, coordinator
) -> Iterator[Callable[..., VideoClient]]:
    """``sign_in(name, user_id, media, **client_options)`` signs a guest in on the test's
    coordinator from the Qt loop; every client is disconnected at teardown."""
    made: list[VideoClient] = []

    def make(name: str, user_id: str, media: LocalMedia, **options: Any) -> VideoClient:
        client = complete(
            qtbot,
            qt_loop,
            VideoClient.sign_in_guest(
                coordinator.url, name, user_id=user_id, local_media=media, **options
            ),
            timeout_s=20,
        )
        made.append(client)
        return client

    yield make
    for client in made:
        complete(qtbot, qt_loop, client.disconnect(), timeout_s=20)


@pytest.fixture
def file_media(vtest_avi: Path, speech_wav: Path) -> Callable[[], LocalMedia]:
    """``file_media()``: vtest.avi as the camera, espeak speech as the microphone, no
    speaker."""
    return lambda: LocalMedia(
        video_file=str(vtest_avi), audio_file=str(speech_wav), audio_output="null"
    )
