"""CallBridge emits selector signals only on real changes and turns failures into text."""

from __future__ import annotations

import gc

import pytest
import qasync
import shiboken6
from pytestqt.qtbot import QtBot

from app.call import CallError, CallStatus
from tests.ui.scripted_call import ScriptedCall, participant
from ui.bridge import CallBridge


@pytest.fixture
def call() -> ScriptedCall:
    scripted = ScriptedCall()
    scripted.publish(
        scripted.state.with_changes(
            participants=(participant("a", "Ada", local=True), participant("b", "Bob"))
        )
    )
    return scripted


def test_signals_fire_only_for_their_part(qtbot: QtBot, call: ScriptedCall) -> None:
    bridge = CallBridge(call)
    seen: dict[str, list[object]] = {"state": [], "status": [], "participants": [], "media": []}
    bridge.state_changed.connect(seen["state"].append)
    bridge.status_changed.connect(seen["status"].append)
    bridge.participants_changed.connect(seen["participants"].append)
    bridge.media_changed.connect(seen["media"].append)

    call.publish(call.state)  # the same snapshot again: nothing changed
    assert seen == {"state": [], "status": [], "participants": [], "media": []}

    louder = tuple(p.with_changes(audio_level=0.4) for p in call.state.participants)
    call.publish(call.state.with_changes(participants=louder))
    assert len(seen["participants"]) == 1 and seen["participants"][0] == louder
    assert seen["status"] == [] and seen["media"] == []

    call.publish(call.state.with_changes(status=CallStatus.connected()))
    assert seen["status"] == [CallStatus.connected()]
    assert len(seen["participants"]) == 1

    call.publish(call.state.with_changes(microphone_enabled=True))
    assert seen["media"] == [(True, False)]
    assert len(seen["state"]) == 3
    assert bridge.state is call.state


def test_failed_command_becomes_error_signal(
    qtbot: QtBot, qt_loop: qasync.QEventLoop, call: ScriptedCall
) -> None:
    bridge = CallBridge(call)
    call.fail_with = CallError("device_unavailable", "the camera is in use by another app")
    with qtbot.waitSignal(bridge.error_occurred, timeout=2000) as blocker:
        bridge.run(call.set_camera_enabled(True), action="Camera")
    assert blocker.args == ["Camera: the camera is in use by another app"]
    qtbot.waitUntil(lambda: bridge.pending_commands == 0, timeout=2000)


def test_deleted_bridge_unsubscribes(qtbot: QtBot, call: ScriptedCall) -> None:
    bridge = CallBridge(call)
    assert call.listener_count == 1
    alive = [bridge]
    bridge.deleteLater()
    del bridge
    qtbot.waitUntil(lambda: not shiboken6.isValid(alive[0]), timeout=2000)
    alive.clear()
    gc.collect()
    assert call.listener_count == 0
    call.publish(call.state.with_changes(status=CallStatus.connecting()))  # must not raise
