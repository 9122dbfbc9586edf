"""The ringing pieces on their own: synthesised tones, the outcome words of an outgoing
ring, the incoming pop-up's choices, and the tray's missed-call badge."""

from __future__ import annotations

import wave
from datetime import UTC, datetime

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from app.call import (
    CallState,
    CallStatus,
    DisconnectReason,
    RingingState,
    RingUser,
)
from app.protocol import RejectReason
from tests.ui.scripted_call import ScriptedCall
from ui.bridge import CallBridge
from ui.incoming_call_window import IncomingCallWindow
from ui.outgoing_call import callee_names, ring_outcome_text
from ui.ringtones import RINGBACK, RINGTONE, SAMPLE_RATE_HZ, TonePlayer, render, tone_file
from ui.tray import TrayStatus, status_icon


def test_ringback_is_440_plus_480_hz_for_two_seconds_of_six() -> None:
    samples = render(RINGBACK).astype(np.float64)
    assert samples.size == 6 * SAMPLE_RATE_HZ
    on, off = samples[: 2 * SAMPLE_RATE_HZ], samples[2 * SAMPLE_RATE_HZ + 480 :]
    assert np.abs(off).max() == 0
    spectrum = np.abs(np.fft.rfft(on))
    peaks = np.fft.rfftfreq(on.size, 1 / SAMPLE_RATE_HZ)[np.argsort(spectrum)[-2:]]
    assert sorted(np.round(peaks)) == [440.0, 480.0]
    assert np.abs(samples).max() <= 0.2 * 32767 + 1  # the pattern's gain, no clipping


def test_tone_files_are_wavs_and_played_in_a_loop(qtbot: QtBot, themed_app) -> None:
    path = tone_file(RINGTONE)
    with wave.open(str(path)) as wav:
        assert (wav.getnchannels(), wav.getframerate(), wav.getsampwidth()) == (1, 48_000, 2)
        assert wav.getnframes() == 3 * SAMPLE_RATE_HZ
    player = TonePlayer(RINGTONE)
    player.start()
    qtbot.waitUntil(lambda: player.is_playing, timeout=5000)
    player.stop()
    assert not player.is_playing
    player.enabled = False
    player.start()
    qtbot.wait(50)  # a muted ringtone must stay silent: nothing to wait for
    assert not player.is_playing


def _state(status: CallStatus, rejected: dict[str, RejectReason] | None = None) -> CallState:
    ring = RingingState(
        caller=RingUser("ada", "Ada"),
        callees=(RingUser("bob", "Bob"),),
        rejected_by=rejected or {},
    )
    return CallState("default:x", "default", "x", status=status, ringing=ring)


@pytest.mark.parametrize(
    ("reason", "rejected", "text"),
    [
        (DisconnectReason.REJECTED, {"bob": RejectReason.DECLINE}, "Declined"),
        (DisconnectReason.REJECTED, {"bob": RejectReason.BUSY}, "Busy"),
        (DisconnectReason.TIMEOUT, {"bob": RejectReason.TIMEOUT}, "No answer"),
        (DisconnectReason.CANCELLED, {}, "Cancelled"),
    ],
)
def test_outgoing_ring_outcomes_in_words(
    themed_app, reason: DisconnectReason, rejected: dict[str, RejectReason], text: str
) -> None:
    assert ring_outcome_text(_state(CallStatus.disconnected(reason), rejected)) == text


def test_callee_names(themed_app) -> None:
    people = tuple(RingUser(n.lower(), n) for n in ("Bob", "Eve", "Mo", "Li"))
    assert callee_names(people[:1]) == "Bob"
    assert callee_names(people[:2]) == "Bob and Eve"
    assert callee_names(people) == "Bob, Eve and 2 others"


def _ringing_call(state: CallState) -> ScriptedCall:
    call = ScriptedCall("default", "x")
    call.publish(state)
    return call


@pytest.mark.parametrize("busy", [False, True])
def test_incoming_popup_offers_busy_while_in_another_call(
    qtbot: QtBot, themed_app, busy: bool
) -> None:
    call = _ringing_call(_state(CallStatus.incoming()))
    popup = IncomingCallWindow(CallBridge(call), in_other_call=busy)  # type: ignore[arg-type]
    qtbot.addWidget(popup)
    popup.show()
    assert popup.caller_name == "Ada"
    assert popup.decline_choice.caption.text() == ("Busy" if busy else "Decline")
    with qtbot.waitSignal(popup.decline_requested) as declined:
        qtbot.mouseClick(popup.decline_button, Qt.MouseButton.LeftButton)
    assert declined.args == ["busy" if busy else "decline"]
    assert not popup.accept_video_button.isEnabled()  # one answer per ring
    with qtbot.waitSignal(popup.finished):
        call.publish(_state(CallStatus.disconnected(DisconnectReason.REJECTED)))


def test_an_audio_call_offers_no_video_answer(qtbot: QtBot, themed_app) -> None:
    state = _state(CallStatus.incoming())
    assert state.ringing is not None
    audio = state.with_changes(
        ringing=RingingState(caller=state.ringing.caller, video=False, started_at=datetime.now(UTC))
    )
    popup = IncomingCallWindow(CallBridge(_ringing_call(audio)))  # type: ignore[arg-type]
    qtbot.addWidget(popup)
    popup.show()
    assert not popup.accept_video_button.isVisible()
    # it shows without taking the focus; once the user clicks into it, Enter answers
    popup.activateWindow()
    qtbot.waitUntil(popup.isActiveWindow, timeout=5000)
    with qtbot.waitSignal(popup.accept_requested) as accepted:
        qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert accepted.args == [False]


def test_tray_badge_counts_missed_calls(themed_app) -> None:
    plain = status_icon(TrayStatus.IDLE).pixmap(64, 64).toImage()
    badged = status_icon(TrayStatus.IDLE, missed_calls=3).pixmap(64, 64).toImage()
    corner = badged.pixelColor(48, 6)  # inside the red count disc, top right
    assert (corner.red(), corner.green(), corner.blue()) == (0xD9, 0x30, 0x25)
    assert plain.convertToFormat(QImage.Format.Format_RGB32) != badged.convertToFormat(
        QImage.Format.Format_RGB32
    )
