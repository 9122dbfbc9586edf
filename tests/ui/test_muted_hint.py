"""The "You're muted" hint, fed by the real microphone (a speech file) through
``LocalMedia.raw_microphone_level``, which keeps measuring while muted."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import av
import pytest
import qasync
from pytestqt.qtbot import QtBot

from app.call import LocalMedia
from tests.fixtures.qt import complete
from tests.ui.call_scenes import five_people_call
from tests.ui.helpers import grab_rgb
from ui.bridge import CallBridge, LocalMediaBridge
from ui.call_content import CallContent
from ui.muted_hint import SPEECH_RMS


@pytest.fixture
def speaking_media(
    qtbot: QtBot, qt_loop: qasync.QEventLoop, speech_wav: Path
) -> Iterator[LocalMedia]:
    """LocalMedia whose microphone is espeak-ng speech, opened once and then muted."""
    media = LocalMedia(audio_file=str(speech_wav), audio_output="null")
    complete(qtbot, qt_loop, media.set_microphone_enabled(True), timeout_s=10)
    qtbot.waitUntil(lambda: media.microphone_level >= SPEECH_RMS, timeout=10000)
    complete(qtbot, qt_loop, media.set_microphone_enabled(False), timeout_s=10)
    yield media
    closing = asyncio.ensure_future(media.close(), loop=qt_loop)
    qtbot.waitUntil(closing.done, timeout=5000)


def test_raw_level_keeps_measuring_while_muted(qtbot: QtBot, speaking_media: LocalMedia) -> None:
    assert speaking_media.microphone_level == 0.0  # muted: nothing for meters or senders
    assert speaking_media.audio_track_for_sender() is None
    qtbot.waitUntil(lambda: speaking_media.raw_microphone_level >= SPEECH_RMS, timeout=5000)
    assert speaking_media.microphone_level == 0.0


def test_hint_appears_when_speaking_while_muted(
    qtbot: QtBot,
    qt_loop: qasync.QEventLoop,
    speaking_media: LocalMedia,
    vtest_frames: list[av.VideoFrame],
    artifacts_dir: Path,
) -> None:
    call = five_people_call(vtest_frames)
    content = CallContent(CallBridge(call), LocalMediaBridge(speaking_media))
    qtbot.addWidget(content)
    content.resize(1280, 800)
    content.show()
    qtbot.waitExposed(content)
    hint = content.muted_hint
    # unmuted: talking is what the microphone is for
    qtbot.waitUntil(lambda: speaking_media.raw_microphone_level >= SPEECH_RMS, timeout=5000)
    for _ in range(5):
        hint.poll()
    assert hint.isHidden()

    call.publish(call.state.with_changes(microphone_enabled=False))
    qtbot.waitUntil(hint.isVisible, timeout=5000)
    assert "muted" in hint.text_label.text() and "Ctrl+D" in hint.text_label.text()
    geometry = hint.geometry()
    controls_top = content.controls.mapTo(content, content.controls.rect().topLeft()).y()
    assert geometry.bottom() < controls_top  # above the control bar, not over it
    assert abs(geometry.center().x() - content.width() / 2) <= 2
    grab_rgb(content, artifacts_dir / "call_muted_hint.png")

    call.publish(call.state.with_changes(microphone_enabled=True))
    assert hint.isHidden()
