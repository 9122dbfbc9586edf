"""Ringing through the desktop app's windows, against a real coordinator.

The person at the desktop is "Ada Lovelace" (user ``ada``) in a ``HomeWindow`` that is
hidden, as when Parley sits in the tray. Callers and callees are real: a ``parley bot``
child process (``--ring ada`` / ``--auto-accept``) with vtest.avi and espeak speech, or a
second in-process ``VideoClient`` ("Eve") when the test must steer the other side (cancel,
decline, a short ring timeout). Checked through the widgets a user touches: the incoming
pop-up (caller, ringtone, accept/decline), the OutgoingCall screen ("Calling…", ringback,
how the ring ended), the home window's missed calls and the tray's count. Screenshots go
to ``<artifacts>/e2e``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from app.call import Call, DisconnectReason, LocalMedia
from app.client import VideoClient
from tests.e2e.bot_process import BotProcess
from tests.fixtures.qt import OFFSCREEN_NOISE, complete
from tests.ui.conftest import OFFSCREEN_WINDOW_NOISE
from ui.home_window import HomeWindow
from ui.incoming_call_window import IncomingCallWindow
from ui.settings import Settings
from ui.tray import ParleyTray

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE, OFFSCREEN_WINDOW_NOISE)

GUI_USER = "ada"
BOT_USER = "robot"
BOT_NAME = "Robot"
JOIN_TIMEOUT_MS = 45_000  # a bot process starting, ICE and DTLS on a busy 2-core machine
EVENT_TIMEOUT_MS = 20_000
SHORT_RING_MS = 1500  # the missed-call test's ring timeout (call settings override)


@pytest.fixture
def gui_client(sign_in: Callable[..., VideoClient], file_media) -> VideoClient:
    return sign_in("Ada Lovelace", GUI_USER, file_media())


@pytest.fixture
def eve(sign_in: Callable[..., VideoClient]) -> VideoClient:
    """A second person in this process, without devices (the rings need no media)."""
    return sign_in("Eve Example", "eve", LocalMedia(audio_output="null"))


@pytest.fixture
def window(qtbot: QtBot, gui_client: VideoClient, tmp_path: Path) -> HomeWindow:
    """The main window, signed in and hidden (Parley in the tray)."""
    settings = Settings(QSettings(str(tmp_path / "parley.ini"), QSettings.Format.IniFormat))
    home = HomeWindow(settings)
    qtbot.addWidget(home)
    home.set_client(gui_client)
    assert not home.isVisible()
    return home


@pytest.fixture
def bots(start_bot: Callable[..., BotProcess]) -> Callable[..., BotProcess]:
    """``bots(*args)`` runs a bot as Robot (see ``start_bot``)."""
    return lambda *args: start_bot(BOT_NAME, BOT_USER, *args)


def _wait(
    qtbot: QtBot, condition: Callable[[], bool], timeout_ms: int, bot: BotProcess | None = None
) -> None:
    try:
        qtbot.waitUntil(condition, timeout=timeout_ms)
    except qtbot.TimeoutError as exc:
        raise AssertionError(f"{exc}\n{bot.describe() if bot else ''}") from None


def _popup(window: HomeWindow) -> IncomingCallWindow | None:
    assert window.ringing is not None
    popups = list(window.ringing.popups.values())
    return popups[0] if popups else None


def _ringtone_playing(window: HomeWindow) -> bool:
    assert window.ringing is not None
    return window.ringing.ringtone.is_playing


def test_bot_rings_the_hidden_window_and_accepting_with_video_shows_its_tile(
    qtbot: QtBot, window: HomeWindow, bots, gui_client: VideoClient, e2e_artifacts: Path
) -> None:
    bot = bots("--call", "default:ring-accept", "--ring", GUI_USER)
    _wait(qtbot, lambda: (p := _popup(window)) is not None and p.isVisible(), JOIN_TIMEOUT_MS, bot)
    popup = _popup(window)
    assert popup is not None
    assert popup.caller_name == BOT_NAME and popup.name_label.text() == BOT_NAME
    assert popup.is_video and popup.accept_video_button.isVisible()
    assert popup.decline_reason == "decline"  # not in another call
    assert bool(popup.windowFlags() & Qt.WindowType.WindowStaysOnTopHint)
    assert not window.isVisible()  # the pop-up came without the main window
    _wait(qtbot, lambda: _ringtone_playing(window), EVENT_TIMEOUT_MS)
    popup.grab().save(str(e2e_artifacts / "ringing_incoming_popup.png"))

    qtbot.mouseClick(popup.accept_video_button, Qt.MouseButton.LeftButton)
    assert window.isVisible()
    container = window.container
    assert container is not None
    _wait(qtbot, lambda: container.current_screen == "content", JOIN_TIMEOUT_MS, bot)
    assert _popup(window) is None and not _ringtone_playing(window)
    assert gui_client.local_media.camera_enabled  # accepted with video
    content = container.content
    assert content is not None

    def bot_tile_painted() -> bool:
        tiles = [
            content.participants_view.tile(p.session_id)
            for p in container.call.state.remote_participants
        ]
        return any(t is not None and t.renderer.painted_frame_count >= 3 for t in tiles)

    _wait(qtbot, bot_tile_painted, JOIN_TIMEOUT_MS, bot)
    _wait(qtbot, lambda: bot.last("bot.joined") is not None, EVENT_TIMEOUT_MS, bot)
    window.grab().save(str(e2e_artifacts / "ringing_accepted_call.png"))


def test_declining_a_bot_ring_ends_it_rejected_for_the_bot(
    qtbot: QtBot, window: HomeWindow, bots
) -> None:
    bot = bots("--call", "default:ring-decline", "--ring", GUI_USER)
    _wait(qtbot, lambda: _popup(window) is not None, JOIN_TIMEOUT_MS, bot)
    popup = _popup(window)
    assert popup is not None
    _wait(qtbot, lambda: _ringtone_playing(window), EVENT_TIMEOUT_MS)
    qtbot.mouseClick(popup.decline_button, Qt.MouseButton.LeftButton)
    _wait(qtbot, lambda: _popup(window) is None, EVENT_TIMEOUT_MS, bot)
    assert not _ringtone_playing(window)
    assert window.container is None and not window.isVisible()
    _wait(qtbot, lambda: bot.last("bot.left") is not None, EVENT_TIMEOUT_MS, bot)
    left = bot.last("bot.left")
    assert left is not None and left["reason"] == DisconnectReason.REJECTED.value, bot.describe()
    assert bot.last("bot.joined") is None
    ringing = bot.last("bot.ringing")
    assert ringing is not None and ringing["direction"] == "outgoing"


def test_calling_an_auto_accepting_bot_shows_calling_then_connects(
    qtbot: QtBot, window: HomeWindow, bots, coordinator, e2e_artifacts: Path
) -> None:
    coordinator.guest(BOT_NAME, BOT_USER)  # the callee exists before it is rung
    window.show()
    qtbot.waitExposed(window)
    dialog = window.open_call_someone()
    qtbot.keyClicks(dialog.user_field, BOT_USER)
    assert dialog.video_button.isEnabled()
    qtbot.mouseClick(dialog.video_button, Qt.MouseButton.LeftButton)
    container = window.container
    assert container is not None and container.current_screen == "outgoing"
    outgoing = container.outgoing
    _wait(qtbot, lambda: container.call.state.status.is_outgoing, EVENT_TIMEOUT_MS)
    _wait(qtbot, lambda: outgoing.names_label.text() == BOT_NAME, EVENT_TIMEOUT_MS)
    assert outgoing.status_label.text() == "Calling…"
    _wait(qtbot, lambda: outgoing.ringback.is_playing, EVENT_TIMEOUT_MS)
    window.grab().save(str(e2e_artifacts / "ringing_outgoing_screen.png"))

    # the bot signs in now; the coordinator replays the ring to its new connection
    bot = bots("--auto-accept")
    _wait(qtbot, lambda: container.current_screen == "content", JOIN_TIMEOUT_MS, bot)
    assert not outgoing.ringback.is_playing
    _wait(qtbot, lambda: bot.last("bot.joined") is not None, JOIN_TIMEOUT_MS, bot)
    _wait(qtbot, lambda: len(container.call.state.remote_participants) == 1, EVENT_TIMEOUT_MS)


def test_the_caller_cancelling_closes_the_popup(
    qtbot: QtBot, qt_loop: qasync.QEventLoop, window: HomeWindow, eve: VideoClient
) -> None:
    call = eve.make_call("default", "ring-cancel")
    complete(qtbot, qt_loop, call.get_or_create(members=[GUI_USER], ring=True), 20)
    _wait(qtbot, lambda: _popup(window) is not None, EVENT_TIMEOUT_MS)
    popup = _popup(window)
    assert popup is not None and popup.caller_name == "Eve Example"
    _wait(qtbot, lambda: _ringtone_playing(window), EVENT_TIMEOUT_MS)
    with qtbot.waitSignal(popup.finished, timeout=EVENT_TIMEOUT_MS):
        complete(qtbot, qt_loop, call.cancel(), 20)
    assert _popup(window) is None and not _ringtone_playing(window)


def test_a_declined_outgoing_ring_says_declined(
    qtbot: QtBot, qt_loop: qasync.QEventLoop, window: HomeWindow, eve: VideoClient
) -> None:
    rung: list[Call] = []
    unsubscribe = eve.subscribe_incoming_calls(lambda calls: rung.extend(calls[:1]))
    window.ring_user("eve", video=False)
    container = window.container
    assert container is not None
    _wait(qtbot, lambda: bool(rung), EVENT_TIMEOUT_MS)
    unsubscribe()
    complete(qtbot, qt_loop, rung[0].reject("decline"), 20)
    outgoing = container.outgoing
    _wait(qtbot, lambda: outgoing.status_label.text() == "Declined", EVENT_TIMEOUT_MS)
    assert container.current_screen == "outgoing"
    assert outgoing.call_again_button.isVisibleTo(container)
    assert not outgoing.ringback.is_playing


def test_a_missed_call_is_listed_at_home_and_counted_by_the_tray(
    qtbot: QtBot,
    qt_loop: qasync.QEventLoop,
    window: HomeWindow,
    eve: VideoClient,
    e2e_artifacts: Path,
) -> None:
    tray = ParleyTray(window)
    call = eve.make_call("default", "ring-missed")
    short_ring = {
        "ring": {"incoming_call_timeout_ms": SHORT_RING_MS, "auto_cancel_timeout_ms": SHORT_RING_MS}
    }
    complete(
        qtbot,
        qt_loop,
        call.get_or_create(members=[GUI_USER], ring=True, settings_override=short_ring),
        20,
    )
    _wait(qtbot, lambda: _popup(window) is not None, EVENT_TIMEOUT_MS)
    # nobody answers: the coordinator's timer ends the ring and the popup goes
    _wait(qtbot, lambda: _popup(window) is None, EVENT_TIMEOUT_MS)
    assert not _ringtone_playing(window)
    panel = window.missed_panel
    _wait(qtbot, lambda: panel.caller_names == ["Eve Example"], EVENT_TIMEOUT_MS)
    assert panel.count_label.text() == "1"
    assert window.unseen_missed_calls == 1 and tray.missed_calls == 1
    assert "1 missed call" in tray.icon.toolTip() and tray.missed_action.isVisible()

    window.show()
    qtbot.waitExposed(window)
    # the card is as tall as its one row, the recent calls get the rest of the column
    _wait(qtbot, lambda: panel.height() == panel.sizeHint().height() < 200, EVENT_TIMEOUT_MS)
    window.grab().save(str(e2e_artifacts / "ringing_missed_calls_home.png"))
    # calling back from the list rings Eve
    rung: list[Call] = []
    unsubscribe = eve.subscribe_incoming_calls(lambda calls: rung.extend(calls[:1]))
    qtbot.mouseClick(panel.rows[0].call_back_button, Qt.MouseButton.LeftButton)
    _wait(qtbot, lambda: bool(rung), EVENT_TIMEOUT_MS)
    unsubscribe()
    ringing = rung[0].state.ringing
    assert ringing is not None and ringing.caller.user_id == GUI_USER
