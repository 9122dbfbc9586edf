"""The "livestream + 1:1" flow (issue 4; Stream's ``video_livestream_with_call`` sample)
through the desktop app's widgets, against a real coordinator and real bot processes.

Ada ("ada") is in a ``HomeWindow`` signed in as ``ParleyApp`` signs in
(``MULTI_CALL_OPTIONS``: several active calls, ``suspend_existing``, background calls on
hold). She joins "show" where a Viewer bot is; a Caller bot rings her; she accepts in the
pop-up; "show" waits on hold (engine state, the switcher's chip) while the 1:1 is on
screen; the split view shows both rooms; she hangs up the 1:1 and "show" resumes and is
on screen again. Screenshots go to ``<artifacts>/e2e``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from app.call import Call, CallState
from app.client import VideoClient
from tests.e2e.bot_process import BotProcess
from tests.fixtures.qt import OFFSCREEN_NOISE
from tests.ui.conftest import OFFSCREEN_WINDOW_NOISE
from ui.application import MULTI_CALL_OPTIONS
from ui.call_container import CallContainer
from ui.home_window import HomeWindow
from ui.participant_view import ParticipantView
from ui.settings import Settings
from ui.tray import ParleyTray

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE, OFFSCREEN_WINDOW_NOISE)

GUI_USER = "ada"
JOIN_TIMEOUT_MS = 45_000  # a bot process starting, ICE and DTLS on a busy 2-core machine
EVENT_TIMEOUT_MS = 20_000


@pytest.fixture
def gui_client(sign_in: Callable[..., VideoClient], file_media) -> VideoClient:
    return sign_in("Ada Lovelace", GUI_USER, file_media(), **MULTI_CALL_OPTIONS)


@pytest.fixture
def window(qtbot: QtBot, gui_client: VideoClient, tmp_path: Path) -> HomeWindow:
    settings = Settings(QSettings(str(tmp_path / "parley.ini"), QSettings.Format.IniFormat))
    home = HomeWindow(settings)
    qtbot.addWidget(home)
    home.set_client(gui_client)
    home.show()
    qtbot.waitExposed(home)
    return home


def _wait(qtbot: QtBot, condition: Callable[[], bool], timeout_ms: int, *bots: BotProcess) -> None:
    try:
        qtbot.waitUntil(condition, timeout=timeout_ms)
    except qtbot.TimeoutError as exc:
        detail = "\n".join(bot.describe() for bot in bots)
        raise AssertionError(f"{exc}\n{detail}") from None


def _bot_tile(container: CallContainer | None, call: Call) -> ParticipantView | None:
    """The (one) remote participant's tile in ``container``'s call screen."""
    if container is None or container.content is None:
        return None
    remote = call.state.remote_participants
    return container.content.participants_view.tile(remote[0].session_id) if remote else None


def _painted(tile: ParticipantView | None) -> int:
    return tile.renderer.painted_frame_count if tile is not None else 0


def test_a_ring_during_a_call_holds_it_shows_the_new_call_and_the_hang_up_resumes_it(
    qtbot: QtBot, window: HomeWindow, start_bot, gui_client: VideoClient, e2e_artifacts: Path
) -> None:
    shown_states: list[CallState | None] = []
    window.call_state_changed.connect(shown_states.append)
    tray = ParleyTray(window)
    viewer = start_bot("Viewer", "viewer", "--call", "default:show")
    _wait(qtbot, lambda: viewer.last("bot.joined") is not None, JOIN_TIMEOUT_MS, viewer)

    # --- in "show" with the Viewer, through the home page and the Lobby -----------------
    qtbot.keyClicks(window.call_field, "show")
    qtbot.mouseClick(window.join_button, Qt.MouseButton.LeftButton)
    show_container = window.container
    assert show_container is not None and show_container.current_screen == "lobby"
    show = show_container.call
    qtbot.mouseClick(show_container.lobby.join_button, Qt.MouseButton.LeftButton)
    _wait(qtbot, lambda: show_container.current_screen == "content", JOIN_TIMEOUT_MS, viewer)
    _wait(qtbot, lambda: _painted(_bot_tile(show_container, show)) >= 3, JOIN_TIMEOUT_MS, viewer)
    switcher = window.calls.switcher
    assert switcher.isHidden()  # one call: nothing to switch

    # --- the Caller rings; the pop-up says answering holds "show" ------------------------
    caller = start_bot("Caller", "caller", "--call", "default:one-to-one", "--ring", GUI_USER)
    assert window.ringing is not None
    ringing = window.ringing
    _wait(qtbot, lambda: bool(ringing.popups), JOIN_TIMEOUT_MS, caller)
    popup = next(iter(ringing.popups.values()))
    assert popup.caller_name == "Caller"
    assert popup.detail_label.text() == "Answering puts your current call on hold"
    assert popup.decline_reason == "busy"
    qtbot.mouseClick(popup.accept_video_button, Qt.MouseButton.LeftButton)

    # --- the 1:1 is on screen; "show" waits on hold (engine and switcher) ----------------
    _wait(
        qtbot,
        lambda: (
            (c := window.container) is not None
            and c.call is not show
            and c.current_screen == "content"
        ),
        JOIN_TIMEOUT_MS,
        caller,
    )
    one_container = window.container
    assert one_container is not None
    one = one_container.call
    assert one.id == "one-to-one"
    _wait(
        qtbot,
        lambda: show.state.is_on_hold and show.state.is_audio_suspended,
        EVENT_TIMEOUT_MS,
        viewer,
    )
    assert gui_client.active_calls == (show, one) and gui_client.focused_call is one
    assert show.state.status.is_active  # held, not left
    assert window.calls.container_for(show) is show_container  # its screen is kept
    assert show_container.content is not None
    my_tile = show_container.content.participants_view.tile(show.state.session_id or "")
    assert my_tile is not None  # the held call's self-view is dimmed with "On hold"
    _wait(qtbot, lambda: my_tile.on_hold_visible, EVENT_TIMEOUT_MS)
    _wait(qtbot, lambda: _painted(_bot_tile(one_container, one)) >= 3, JOIN_TIMEOUT_MS, caller)
    assert switcher.isVisible()
    show_chip, one_chip = switcher.chip(show), switcher.chip(one)
    assert show_chip is not None and one_chip is not None
    _wait(qtbot, lambda: show_chip.state_text == "On hold", EVENT_TIMEOUT_MS)
    assert show_chip.action_button.text() == "Resume" and show_chip.action_button.isVisible()
    assert one_chip.state_text == "On screen" and not one_chip.action_button.isVisible()
    assert show_chip.name_label.text() == "Viewer" and one_chip.name_label.text() == "Caller"
    # the tray, the PiP window and the controls follow the call on screen
    last = shown_states[-1]
    assert last is not None and last.call_cid == one.cid
    assert window.active_call is one
    assert tray.call_action.text() == "In call: one-to-one"
    pip = window.open_pip()
    assert pip is not None and pip.windowTitle() == "one-to-one – Parley"
    window.grab().save(str(e2e_artifacts / "multicall_switcher_on_hold.png"))

    window.close_pip()

    # --- the switcher: "Resume" on "show" swaps the calls, "Resume" on the 1:1 swaps back
    qtbot.mouseClick(show_chip.action_button, Qt.MouseButton.LeftButton)
    _wait(qtbot, lambda: window.container is show_container, EVENT_TIMEOUT_MS, viewer)
    _wait(qtbot, lambda: one.state.is_on_hold and not show.state.is_on_hold, EVENT_TIMEOUT_MS)
    assert gui_client.focused_call is show and not show.state.is_audio_suspended
    assert (show_chip.state_text, one_chip.state_text) == ("On screen", "On hold")
    assert tray.call_action.text() == "In call: show"
    qtbot.mouseClick(one_chip.action_button, Qt.MouseButton.LeftButton)
    _wait(qtbot, lambda: window.container is one_container, EVENT_TIMEOUT_MS, caller)
    _wait(qtbot, lambda: show.state.is_on_hold and not one.state.is_on_hold, EVENT_TIMEOUT_MS)
    assert gui_client.focused_call is one and show_chip.state_text == "On hold"

    # --- the split view watches both rooms: "show" comes off hold, video flows again ----
    qtbot.mouseClick(switcher.split_button, Qt.MouseButton.LeftButton)
    assert window.calls.split_view_shown
    panes = window.calls.split_view.panes
    assert [pane.call for pane in panes] == [one, show]
    assert panes[0].focused and panes[0].state_text == "On screen"
    _wait(qtbot, lambda: not show.state.is_on_hold, EVENT_TIMEOUT_MS, viewer)
    assert show.state.is_audio_suspended  # watched, not heard: only the 1:1 is heard

    def pane_painted(index: int) -> int:
        tiles = panes[index].participants_view.tiles
        remote = [t for t in tiles if not t.participant.is_local]
        return _painted(remote[0]) if remote else 0

    _wait(qtbot, lambda: pane_painted(0) >= 3 and pane_painted(1) >= 3, JOIN_TIMEOUT_MS, viewer)
    window.grab().save(str(e2e_artifacts / "multicall_split_view.png"))
    # clicking the other side focuses it; the sides stay put, both keep their video
    qtbot.mouseClick(panes[1].name_label, Qt.MouseButton.LeftButton)
    _wait(qtbot, lambda: gui_client.focused_call is show, EVENT_TIMEOUT_MS, viewer)
    assert window.calls.split_view.panes == panes and panes[1].focused
    assert window.container is show_container  # controls, PiP and tray follow
    _wait(qtbot, lambda: not one.state.is_on_hold, EVENT_TIMEOUT_MS, caller)  # still watched
    assert one.state.is_audio_suspended and not show.state.is_audio_suspended
    qtbot.mouseClick(panes[0].name_label, Qt.MouseButton.LeftButton)
    _wait(qtbot, lambda: gui_client.focused_call is one, EVENT_TIMEOUT_MS, caller)
    _wait(qtbot, lambda: not show.state.is_on_hold, EVENT_TIMEOUT_MS, viewer)
    qtbot.mouseClick(switcher.split_button, Qt.MouseButton.LeftButton)  # back: "show" held
    assert not window.calls.split_view_shown and window.container is one_container
    _wait(qtbot, lambda: show.state.is_on_hold, EVENT_TIMEOUT_MS, viewer)

    # --- hang up the 1:1: "show" resumes, off hold, and is on screen again --------------
    assert one_container.content is not None
    window.open_pip()  # the PiP window follows the call on screen
    qtbot.mouseClick(one_container.content.controls.leave_button, Qt.MouseButton.LeftButton)
    _wait(qtbot, lambda: window.container is show_container, EVENT_TIMEOUT_MS, caller)
    _wait(
        qtbot,
        lambda: not show.state.is_on_hold and not show.state.is_audio_suspended,
        EVENT_TIMEOUT_MS,
        viewer,
    )
    assert gui_client.active_calls == (show,) and gui_client.focused_call is show
    assert show_container.current_screen == "content"
    _wait(qtbot, lambda: not my_tile.on_hold_visible, EVENT_TIMEOUT_MS)
    # its ended screen would stand between Ada and "show": it closes by itself
    _wait(qtbot, lambda: window.calls.container_for(one) is None, EVENT_TIMEOUT_MS, caller)
    assert switcher.isHidden()
    last = shown_states[-1]
    assert last is not None and last.call_cid == show.cid
    assert tray.call_action.text() == "In call: show"
    assert window.pip_window is not None and window.pip_window.windowTitle() == "show – Parley"
    window.close_pip()
    resumed_at = _painted(_bot_tile(show_container, show))
    _wait(
        qtbot,
        lambda: _painted(_bot_tile(show_container, show)) >= resumed_at + 3,
        JOIN_TIMEOUT_MS,
        viewer,
    )
    window.grab().save(str(e2e_artifacts / "multicall_resumed.png"))
