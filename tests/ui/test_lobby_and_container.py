"""Lobby with the real LocalMedia (vtest.avi as the camera) and CallContainer's screens."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np
import pytest
import qasync
from pytestqt.qtbot import QtBot

from app.call import CallStatus, DisconnectReason, LocalMedia
from tests.ui.conftest import VTEST_AVI
from tests.ui.helpers import grab_rgb
from tests.ui.scripted_call import ScriptedCall, participant
from ui.call_container import CallContainer


@pytest.fixture
def local_media(qtbot: QtBot, qt_loop: qasync.QEventLoop) -> Iterator[LocalMedia]:
    media = LocalMedia(video_file=str(VTEST_AVI), audio_output="null")
    yield media
    closing = asyncio.ensure_future(media.close(), loop=qt_loop)
    qtbot.waitUntil(closing.done, timeout=5000)


def _container(qtbot: QtBot, call: ScriptedCall, media: LocalMedia) -> CallContainer:
    container = CallContainer(call, media, "Ada Lovelace")  # type: ignore[arg-type]
    qtbot.addWidget(container)
    container.resize(1200, 720)
    container.show()
    qtbot.waitExposed(container)
    return container


def test_lobby_preview_pickers_and_presence(
    qtbot: QtBot, local_media: LocalMedia, artifacts_dir: Path
) -> None:
    call = ScriptedCall(call_id="design-review")
    call.running_session_id = "session-1"
    container = _container(qtbot, call, local_media)
    lobby = container.lobby
    assert container.current_screen == "lobby"
    qtbot.waitUntil(lambda: ("get_or_create", None) in call.commands, timeout=3000)
    qtbot.waitUntil(lambda: lobby.presence_label.text() != "", timeout=3000)
    assert "already" in lobby.presence_label.text()
    assert lobby.camera_picker.device_ids()[0] == f"file:{VTEST_AVI}"
    assert not lobby.preview.renderer.has_video
    assert lobby.preview.camera_off_label.isVisibleTo(lobby)

    lobby.preview.toggles.camera_button.click()
    qtbot.waitUntil(lambda: local_media.preview_sink.frame_count >= 2, timeout=10000)
    qtbot.waitUntil(lambda: lobby.preview.renderer.painted_frame_count >= 1, timeout=5000)
    assert local_media.camera_enabled and lobby.preview.toggles.camera_button.isChecked()
    assert not lobby.preview.camera_off_label.isVisibleTo(lobby)
    pixels = grab_rgb(lobby, artifacts_dir / "lobby_camera_on.png")
    video = lobby.preview.renderer.geometry()
    region = pixels[video.top() + 80 : video.bottom() - 80, video.left() + 80 : video.right() - 80]
    assert region.std() > 25  # a real scene, not the flat placeholder
    assert (
        np.abs(region.astype(float).mean(axis=(0, 1)) - [117, 124, 110]).max() < 40
    )  # vtest's grey-green


def test_container_follows_call_status(
    qtbot: QtBot, local_media: LocalMedia, artifacts_dir: Path, vtest_frames: list[av.VideoFrame]
) -> None:
    call = ScriptedCall()
    container = _container(qtbot, call, local_media)
    assert container.current_screen == "lobby"

    container.lobby.join_button.click()
    qtbot.waitUntil(lambda: container.current_screen == "connecting", timeout=2000)
    assert call.commands[-1] == ("join", True)
    grab_rgb(container, artifacts_dir / "container_connecting.png")

    people = (participant("me", "Ada Lovelace", local=True), participant("b", "Bob"))
    call.publish(call.state.with_changes(status=CallStatus.connected(), participants=people))
    assert container.current_screen == "content"
    assert container.content is not None and len(container.content.participants_view.tiles) == 2

    call.publish(call.state.with_changes(status=CallStatus.reconnecting(1)))
    assert container.current_screen == "content"
    assert not container.content.status_chip.isHidden()

    failure = CallStatus.disconnected(DisconnectReason.FAILURE, "ICE failed: no route to peer")
    call.publish(call.state.with_changes(status=failure))
    assert container.current_screen == "ended"
    assert container.ended_headline.text() == "Couldn't stay connected to the call"
    assert container.ended_detail.text() == "ICE failed: no route to peer"
    grab_rgb(container, artifacts_dir / "container_ended_failure.png")

    call.publish(call.state.with_changes(status=CallStatus.disconnected(DisconnectReason.ENDED)))
    assert container.ended_headline.text() == "The call has ended"

    container.rejoin_button.click()
    qtbot.waitUntil(lambda: container.current_screen == "connecting", timeout=2000)
    assert [c for c in call.commands if c[0] == "join"] == [("join", True), ("join", True)]

    with qtbot.waitSignal(container.home_requested, timeout=1000):
        container.home_button.click()


def test_reconnecting_before_first_connect_shows_spinner(
    qtbot: QtBot, local_media: LocalMedia
) -> None:
    call = ScriptedCall()
    container = _container(qtbot, call, local_media)
    call.publish(call.state.with_changes(status=CallStatus.reconnecting(1)))
    assert container.current_screen == "connecting"
    assert container.connecting_label.text() == "Reconnecting…"
