"""Edge cases of multiple active calls (issue 4): joining a call twice, single-call mode
``replaced``, a failed join under ``suspend_existing``, a user mute during a suspension,
idempotence, bad arguments, a media failure that is logged and raised, and the mix
proven once through the real device path (PulseAudio null sink). Real coordinator, real
peers on loopback; see ``tests/call/tone_calls.py``."""

from __future__ import annotations

import asyncio
import logging

import numpy as np
import pytest

from app.call import ActiveCalls, CallError, CallState, DisconnectReason, MultiCallAudioPolicy
from app.media import MicrophoneTrack
from app.media.portaudio import refresh_devices
from app.protocol import TrackType
from tests.call.test_call_lifecycle import wait_for
from tests.call.tone_calls import (
    HOLD_S,
    RATE,
    ToneCalls,
    expect_heard,
    expect_sending,
    mix_carries,
    suspended,
)

pytestmark = pytest.mark.asyncio


async def test_joining_the_same_call_twice_fails_clearly(tone_calls: ToneCalls) -> None:
    me = await tone_calls.client()
    call = me.make_call("default", "twice")
    first, second = await asyncio.gather(call.join(), call.join(), return_exceptions=True)
    assert first is None
    assert isinstance(second, CallError) and second.code == "already_joined"
    with pytest.raises(CallError) as again:
        await call.join()
    assert again.value.code == "already_joined"
    assert call.state.status.is_connected
    assert me.active_calls == (call,)
    assert me.make_call("default", "twice") is call  # one Call object per cid


async def test_single_call_mode_replaces_and_multi_mode_has_no_single_active_call(
    tone_calls: ToneCalls,
) -> None:
    single = await tone_calls.client(allow_multiple=False)
    first, second = single.make_call("default", "one"), single.make_call("default", "two")
    await first.join()
    assert single.active_call is first
    await second.join()
    assert first.state.status.reason is DisconnectReason.REPLACED  # left before B joined
    assert single.active_call is second and single.active_calls == (second,)
    assert not second.state.is_audio_suspended  # no policy in single-call mode

    multi = await tone_calls.client(allow_multiple=True)
    with pytest.raises(CallError) as raised:
        _ = multi.active_call
    assert raised.value.code == "multiple_active_calls"
    assert multi.active_calls == ()


async def test_a_failed_join_resumes_the_call_it_suspended(tone_calls: ToneCalls) -> None:
    """Stream suspends the others at the top of join; a join that then fails removes the
    new call again, and ``suspend_existing`` resumes the call focused last."""
    me = await tone_calls.client()
    a = await tone_calls.room(me, 440.0, "fail-a")
    await a.call.join()
    await expect_heard(tone_calls.tap, 440, what="A alone")
    seen: list[bool] = [a.call.state.is_audio_suspended]
    a.call.subscribe(
        lambda s: seen.append(s.is_audio_suspended) if s.is_audio_suspended != seen[-1] else None
    )

    missing = me.make_call("default", "does-not-exist")
    with pytest.raises(CallError):
        await missing.join(create=False)

    assert seen == [False, True, False]  # suspended while B joined, resumed when it failed
    assert me.active_calls == (a.call,) and me.focused_call is a.call
    await expect_heard(tone_calls.tap, 440, what="A back")
    await expect_sending([a], [a], "A back")


async def test_a_mute_during_a_suspension_stays_after_the_resume(tone_calls: ToneCalls) -> None:
    me = await tone_calls.client()
    a, b = [await tone_calls.room(me, f, f"mute-{f:g}") for f in (440.0, 660.0)]
    await a.call.join()
    await expect_sending([a], [a], "A alone")  # the link works before it is silenced
    await b.call.join()
    assert suspended([a, b]) == [440]

    await b.call.set_microphone_enabled(False)  # the user mutes while A is suspended
    await b.call.leave()  # suspend_existing resumes A...
    assert not a.call.state.is_audio_suspended
    assert not a.call.state.microphone_enabled  # ...with the microphone still muted
    await expect_heard(tone_calls.tap, 440, what="A resumed, playing")
    await expect_sending([a], [], "A resumed muted")
    session = a.call.state.session_id
    await wait_for(
        lambda: TrackType.AUDIO not in a.peer_call.state.participant(session).published_tracks,
        "A's peer to see us muted",
    )

    await a.call.set_microphone_enabled(True)
    await expect_sending([a], [a], "unmuted")
    await wait_for(
        lambda: TrackType.AUDIO in a.peer_call.state.participant(session).published_tracks,
        "A's peer to see us unmuted",
    )


async def test_suspend_and_resume_are_idempotent_and_check_their_arguments(
    tone_calls: ToneCalls,
) -> None:
    me = await tone_calls.client(policy=MultiCallAudioPolicy.MANUAL)
    call = me.make_call("default", "idempotent")
    changes: list[tuple[bool, float]] = []

    def on_state(state: CallState) -> None:
        change = (state.is_audio_suspended, state.audio_playout_volume)
        if change != (changes[-1] if changes else (False, 1.0)):
            changes.append(change)

    call.subscribe(on_state)
    await call.resume_audio()  # never suspended, not joined: nothing happens
    assert changes == []
    await call.suspend_audio()
    await call.suspend_audio()
    assert changes == [(True, 0.0)]
    await call.suspend_audio(playout_volume=0.5)  # a new volume is a change
    await call.resume_audio()
    await call.resume_audio()
    assert changes == [(True, 0.0), (True, 0.5), (False, 1.0)]

    with pytest.raises(CallError) as bad:
        await call.suspend_audio(playout_volume=1.5)
    assert bad.value.code == "invalid_request"
    with pytest.raises(ValueError):
        ActiveCalls(background_call_volume=-0.1)
    with pytest.raises(CallError) as inactive:
        await me.switch_focus(None, call)
    assert inactive.value.code == "not_active"


async def test_a_media_failure_while_suspending_is_logged_and_raised(
    tone_calls: ToneCalls, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    me = await tone_calls.client(policy=MultiCallAudioPolicy.MANUAL)
    a = await tone_calls.room(me, 440.0, "broken-mixer")
    await a.call.join()
    await expect_heard(tone_calls.tap, 440, what="A playing")

    def broken(_key: str, _gain: float) -> None:
        raise RuntimeError("mixer gone")

    monkeypatch.setattr(me.local_media.mixer, "set_gain", broken)
    with caplog.at_level(logging.ERROR, logger="app.call.audio_suspension"):
        with pytest.raises(CallError) as failed:
            await a.call.suspend_audio()
    assert failed.value.code == "media_error" and "mixer gone" in failed.value.message
    assert any("could not suspend" in r.getMessage() for r in caplog.records)
    assert a.call.state.is_audio_suspended  # the wish is kept; a later resume retries
    monkeypatch.undo()
    await a.call.resume_audio()
    await expect_heard(tone_calls.tap, 440, what="A after the failure")


@pytest.mark.audio
@pytest.mark.filterwarnings("ignore:Setting the shape on a NumPy array:DeprecationWarning")
async def test_the_device_output_carries_only_the_focused_call(
    tone_calls: ToneCalls, pulse_null_sink: str
) -> None:
    """Once through the real device path: the mix plays to PulseAudio's null sink and is
    recorded back from its monitor (``parley_mic``); the spectrum shows the focused call."""
    refresh_devices()  # PortAudio may have started before PulseAudio did
    me = await tone_calls.client(audio_output="device")
    a, b = [await tone_calls.room(me, f, f"device-{f:g}") for f in (440.0, 660.0)]
    microphone = MicrophoneTrack()  # parley_mic: what the sink plays
    recorded: list[np.ndarray] = []

    async def record() -> None:
        while True:
            frame = await microphone.recv()
            recorded.append(frame.to_ndarray().reshape(-1))

    recorder = asyncio.ensure_future(record())
    try:
        await a.call.join()
        await wait_for(lambda: mix_carries(last(recorded, 0.4), (440.0,)), "A at the sink")
        await b.call.join()
        await wait_for(lambda: mix_carries(last(recorded, 0.4), (660.0,)), "only B at the sink")
        mark = len(recorded)
        await wait_for(lambda: len(recorded) >= mark + HOLD_S * 50, "more recording")
        assert mix_carries(np.concatenate(recorded[mark:]), (660.0,))
    finally:
        recorder.cancel()
        microphone.stop()


def last(blocks: list[np.ndarray], seconds: float) -> np.ndarray:
    if not blocks:
        return np.zeros(0, np.int16)
    return np.concatenate(blocks[-(round(seconds * 50) + 1) :])[-round(seconds * RATE) :]
