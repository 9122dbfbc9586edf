"""Parley's main job through its window: a person in the desktop app and a real bot process.

Acceptance of the main-call issue, driven only through the widgets a user touches: the home
window (signed in to a real coordinator, vtest.avi as the camera, espeak speech as the
microphone) → the call code typed into the join field → Join → the Lobby → "Join now" →
the call screen. A ``parley bot`` child process, with the same real media, is in the call
first. Checked: the bot's tile shows the bot's video (its pixels are vtest.avi's, not just
"something") and its speech lights the tile's speaking outline; the bot sees the user's
camera and microphone; muting the bot shows the muted badge on its tile; leaving takes the
app back home while the bot sees the person go. Screenshots go to ``<artifacts>/e2e``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.client import VideoClient
from app.protocol import TrackType
from tests.e2e.bot_process import BotProcess
from tests.e2e.video_match import SourceClip, best_match, load_clip
from tests.fixtures.qt import OFFSCREEN_NOISE
from tests.ui.helpers import grab_rgb
from ui.home_window import HomeWindow
from ui.participant_view import ParticipantView

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

CALL_ID = "gui-with-bot"
BOT_NAME = "Robot"
JOIN_TIMEOUT_MS = 45_000  # sign-in, ICE and DTLS on loopback on a busy 2-core machine
EVENT_TIMEOUT_MS = 20_000
# What a VP8 round trip at the bot's bitrate may do to the picture's statistics.
MIN_CORRELATION = 0.8
MAX_MEAN_ERROR = 12.0  # per channel, 0–255
MAX_STD_RATIO_ERROR = 0.2  # |std(view) / std(source) - 1| per channel
BADGE_RGB = (32, 33, 36)  # the muted badge's disc, drawn at 72% opacity (participant_view.py)


@pytest.fixture(scope="module")
def vtest_clip(vtest_avi: Path) -> SourceClip:
    return load_clip(vtest_avi)


@pytest.fixture
def bot(coordinator, vtest_avi: Path, speech_wav: Path, tmp_path: Path) -> Iterator[BotProcess]:
    """The bot, already joining ``default:CALL_ID``; it is always ended at teardown."""
    process = BotProcess.start(
        coordinator.url,
        f"default:{CALL_ID}",
        name=BOT_NAME,
        video_file=vtest_avi,
        audio_file=speech_wav,
        stats_json=tmp_path / "bot-stats.json",
    )
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def gui_client(sign_in: Callable[..., VideoClient], file_media) -> VideoClient:
    """The desktop user's engine, signed in as a guest with file media and no speaker."""
    return sign_in("Ada Lovelace", "ada", file_media())


def _wait(qtbot: QtBot, bot: BotProcess, condition: Callable[[], bool], timeout_ms: int) -> None:
    """``qtbot.waitUntil`` (Qt events and the qasync loop keep running) that fails with
    the bot's recent output, which is where a call-level failure shows up first."""
    try:
        qtbot.waitUntil(condition, timeout=timeout_ms)
    except qtbot.TimeoutError as exc:
        raise AssertionError(f"{exc}\n{bot.describe()}") from None


def _published(stats: dict, session_id: str) -> set[str]:
    return set(stats["remote_published_tracks"].get(session_id, ()))


def _disc_masks(size_px: int) -> tuple[np.ndarray, np.ndarray]:
    """Masks of a ``size_px`` square: well inside its inscribed disc, and its corners well
    outside it (antialiased edges belong to neither)."""
    rows, cols = np.mgrid[0:size_px, 0:size_px] + 0.5
    distance = np.hypot(rows - size_px / 2, cols - size_px / 2)
    return distance <= size_px / 2 - 2, distance >= size_px / 2 + 0.5


def _badge_pixels(tile: ParticipantView, tile_rgb: np.ndarray) -> np.ndarray:
    badge = tile.findChild(QLabel, "micMutedBadge")
    assert badge is not None
    rect = badge.geometry()
    return tile_rgb[rect.top() : rect.bottom() + 1, rect.left() : rect.right() + 1]


def test_gui_user_sees_and_hears_a_bot_sees_it_mute_and_leaves(
    qtbot: QtBot,
    qt_loop: qasync.QEventLoop,
    bot: BotProcess,
    gui_client: VideoClient,
    vtest_clip: SourceClip,
    e2e_artifacts: Path,
) -> None:
    _wait(qtbot, bot, lambda: bot.last("bot.joined") is not None, JOIN_TIMEOUT_MS)
    joined = bot.last("bot.joined")
    assert joined is not None, bot.describe()
    bot_session_id = joined["session_id"]

    # --- home → Lobby → call, only through the widgets ---------------------------------
    window = HomeWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.set_client(gui_client)
    qtbot.keyClicks(window.call_field, CALL_ID)
    assert window.join_button.isEnabled()
    qtbot.mouseClick(window.join_button, Qt.MouseButton.LeftButton)
    container = window.container
    assert container is not None and container.current_screen == "lobby"
    lobby = container.lobby
    _wait(qtbot, bot, lambda: "already" in lobby.presence_label.text(), EVENT_TIMEOUT_MS)
    # the default call type says camera_default_on and mic_default_on: the Lobby obeys
    media = gui_client.local_media
    _wait(qtbot, bot, lambda: media.camera_enabled and media.microphone_enabled, EVENT_TIMEOUT_MS)
    assert lobby.preview.toggles.camera_button.isChecked()
    qtbot.mouseClick(lobby.join_button, Qt.MouseButton.LeftButton)
    _wait(qtbot, bot, lambda: container.current_screen == "content", JOIN_TIMEOUT_MS)
    content = container.content
    assert content is not None

    # --- (a) the bot's tile shows the bot's video ---------------------------------------
    def bot_tile() -> ParticipantView | None:
        return content.participants_view.tile(bot_session_id)

    _wait(
        qtbot,
        bot,
        lambda: (tile := bot_tile()) is not None and tile.renderer.painted_frame_count >= 5,
        JOIN_TIMEOUT_MS,
    )
    tile = bot_tile()
    assert tile is not None
    assert tile.display_name == BOT_NAME
    assert not tile.mic_muted_visible  # the bot publishes its speech
    grab_rgb(window, e2e_artifacts / "gui_bot_call.png")
    video = grab_rgb(tile.renderer, e2e_artifacts / "gui_bot_tile.png")
    match = best_match(video, vtest_clip)
    detail = (
        f"frame {match.frame_index}: r={match.correlation:.3f} "
        f"mean {match.view_mean.round(1)} vs {match.frame_mean.round(1)}, "
        f"std {match.view_std.round(1)} vs {match.frame_std.round(1)}"
    )
    assert match.correlation >= MIN_CORRELATION, detail
    assert np.abs(match.view_mean - match.frame_mean).max() <= MAX_MEAN_ERROR, detail
    assert np.abs(match.view_std / match.frame_std - 1).max() <= MAX_STD_RATIO_ERROR, detail

    # its speech arrives: the level measured from the received audio lights the speaking
    # outline (the bot's file is espeak-ng speech, loud from its first second)
    _wait(
        qtbot,
        bot,
        lambda: tile.participant.audio_level > 0.01 and tile.speaking_visible,
        EVENT_TIMEOUT_MS,
    )

    # the bot, in turn, has the desktop user in its call with camera and microphone
    gui_session_id = container.call.state.session_id
    assert gui_session_id is not None
    want = {TrackType.AUDIO.value, TrackType.VIDEO.value}
    _wait(
        qtbot,
        bot,
        lambda: (
            (stats := bot.last("bot.stats")) is not None
            and _published(stats, gui_session_id) >= want
        ),
        EVENT_TIMEOUT_MS,
    )

    # --- (b) the bot mutes: the badge appears on its tile ------------------------------
    bot.send("mute")
    _wait(
        qtbot,
        bot,
        lambda: any(e["command"] == "mute" for e in bot.events("bot.command_done")),
        EVENT_TIMEOUT_MS,
    )
    _wait(qtbot, bot, lambda: tile.mic_muted_visible, EVENT_TIMEOUT_MS)
    grab_rgb(window, e2e_artifacts / "gui_bot_muted_call.png")
    # One synchronous pass: no frame can arrive between the two grabs (the sink is filled
    # on this thread), so they differ only by the tile's overlays.
    with_badge = _badge_pixels(tile, grab_rgb(tile, e2e_artifacts / "gui_bot_muted_tile.png"))
    under_badge = _badge_pixels(tile, grab_rgb(tile.renderer))
    disc, corners = _disc_masks(with_badge.shape[0])
    veiled = 0.72 * np.array(BADGE_RGB) + 0.28 * under_badge  # the disc composited over video
    is_veil = np.all(np.abs(with_badge - veiled) <= 8, axis=-1)
    is_icon = np.all(with_badge >= 180, axis=-1)  # the white mic-off strokes
    is_video = np.all(np.abs(with_badge.astype(int) - under_badge) <= 3, axis=-1)
    shares = f"veil {is_veil[disc].mean():.2f}, icon {is_icon[disc].mean():.2f}"
    assert is_veil[disc].mean() >= 0.6 and is_icon[disc].mean() >= 0.05, shares
    assert is_video[corners].mean() >= 0.95  # outside the disc the video shows through

    # --- (c) leave: the app goes home, the bot sees the user go -------------------------
    qtbot.mouseClick(content.controls.leave_button, Qt.MouseButton.LeftButton)
    _wait(qtbot, bot, lambda: container.current_screen == "ended", EVENT_TIMEOUT_MS)
    assert container.ended_headline.text() == "You left the call"
    qtbot.mouseClick(container.home_button, Qt.MouseButton.LeftButton)
    _wait(
        qtbot,
        bot,
        lambda: window.container is None and window.home_page.isVisible(),
        EVENT_TIMEOUT_MS,
    )
    seen_before = bot.count("bot.stats")
    _wait(
        qtbot,
        bot,
        lambda: any(
            stats["remote_published_tracks"] == {} and stats["status"] == "connected"
            for stats in bot.events("bot.stats")[seen_before:]
        ),
        EVENT_TIMEOUT_MS,
    )
    assert bot.returncode is None, bot.describe()  # the bot stays in the call alone
    assert bot.stop() == 0, bot.describe()
    left = bot.last("bot.left")
    # "reason" is why the call dropped the bot before it left: nothing did, it left on "leave"
    assert left is not None and not left["reason"] and not left["error"], bot.describe()
