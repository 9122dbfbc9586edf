"""Multiple active calls and the audio policy, against a real coordinator with real peers
on loopback (Stream's multicall cookbook: suspend_existing, suspend_incoming, manual,
switch focus). After every join, leave and switch the test asserts which calls are
suspended on the state and on the media: by spectrum, the client's output mix carries
only the focused call's tone; by level, only the focused call's peer receives our
microphone. Helpers and thresholds: ``tests/call/tone_calls.py``."""

from __future__ import annotations

import numpy as np
import pytest

from app.call import CallStatusKind, MultiCallAudioPolicy
from app.protocol import TrackType
from tests.call.test_call_lifecycle import wait_for
from tests.call.tone_calls import (
    RATE,
    Room,
    ToneCalls,
    expect_heard,
    expect_sending,
    suspended,
    tone_share,
)

pytestmark = pytest.mark.asyncio


async def test_suspend_existing_newest_wins_and_a_leave_resumes_the_call_focused_last(
    tone_calls: ToneCalls,
) -> None:
    me = await tone_calls.client(policy=MultiCallAudioPolicy.SUSPEND_EXISTING)
    a, b, c = [await tone_calls.room(me, f, f"se-{f:g}") for f in (440.0, 660.0, 880.0)]
    rooms = [a, b, c]

    await a.call.join()
    assert me.active_calls == (a.call,) and me.focused_call is a.call
    await expect_heard(tone_calls.tap, 440, what="A alone")
    await expect_sending([a], [a], "A alone")

    await b.call.join()
    assert suspended(rooms) == [440]
    await expect_heard(tone_calls.tap, 660, what="B joined, A suspended")
    await expect_sending([a, b], [b], "B joined")
    me_at_a = a.peer_call.state.participant(a.call.state.session_id)
    assert TrackType.AUDIO not in me_at_a.published_tracks  # A's peer sees us muted
    assert a.call.state.microphone_enabled  # the user's own choice is untouched

    await c.call.join()  # three calls
    assert suspended(rooms) == [440, 660]
    assert me.active_calls == (a.call, b.call, c.call) and me.focused_call is c.call
    await expect_heard(tone_calls.tap, 880, what="C joined")
    await expect_sending(rooms, [c], "C joined")

    # Focus C -> B -> A: A is now focused, B the call focused before it, C the last added.
    await me.switch_focus(c.call, b.call)
    assert suspended(rooms) == [440, 880]
    await expect_heard(tone_calls.tap, 660, what="focus on B")
    await expect_sending(rooms, [b], "focus on B")
    await me.switch_focus(b.call, a.call)
    assert suspended(rooms) == [660, 880]
    await expect_heard(tone_calls.tap, 440, what="focus on A")
    await expect_sending(rooms, [a], "focus on A")

    # Stream would resume C (most recently added); Parley resumes B (focused last).
    await a.call.leave()
    assert suspended(rooms) == [880]
    assert me.focused_call is b.call
    await expect_heard(tone_calls.tap, 660, what="A left, B resumed")
    await expect_sending([b, c], [b], "A left")

    await b.call.leave()
    assert suspended(rooms) == []
    await expect_heard(tone_calls.tap, 880, what="B left, C resumed")
    await expect_sending([c], [c], "B left")

    await c.call.leave()  # the last call
    assert me.active_calls == () and me.focused_call is None
    assert c.call.state.status.kind is CallStatusKind.DISCONNECTED
    await expect_heard(tone_calls.tap, what="no call left: silence")


async def test_suspend_incoming_keeps_the_first_call_and_never_resumes_by_itself(
    tone_calls: ToneCalls,
) -> None:
    me = await tone_calls.client(policy=MultiCallAudioPolicy.SUSPEND_INCOMING)
    a, b = [await tone_calls.room(me, f, f"si-{f:g}") for f in (440.0, 660.0)]
    b.watch_my_level()

    await a.call.join()
    assert suspended([a, b]) == []
    await expect_heard(tone_calls.tap, 440, what="A alone")

    mark = tone_calls.tap.seconds()
    await b.call.join()  # suspended before it connects: not one block of it is heard
    assert suspended([a, b]) == [660]
    assert me.focused_call is a.call
    b_session = b.call.state.session_id
    assert b_session is not None
    await wait_remote_audio_arrived(b)
    await expect_heard(tone_calls.tap, 440, what="B joined in the background")
    assert tone_share(tone_calls.tap.since(mark), 660) < 0.01
    await expect_sending([a, b], [a], "B joined in the background")
    assert b.max_level_heard[0] == 0.0  # B's peer never received our microphone

    await a.call.leave()
    assert suspended([b]) == [660]  # nothing resumes by itself
    await expect_heard(tone_calls.tap, what="A left, B still suspended")
    assert b.max_level_heard[0] == 0.0

    await me.switch_focus(None, b.call)  # the app takes B to the foreground
    assert suspended([b]) == []
    await expect_heard(tone_calls.tap, 660, what="B focused")
    await expect_sending([b], [b], "B focused")


async def test_manual_suspends_nothing_and_leaves_it_to_the_app(tone_calls: ToneCalls) -> None:
    me = await tone_calls.client(policy=MultiCallAudioPolicy.MANUAL)
    a, b, c = [await tone_calls.room(me, f, f"m-{f:g}") for f in (440.0, 660.0, 880.0)]
    c.watch_my_level()

    await a.call.join()
    await b.call.join()
    assert suspended([a, b]) == []
    await expect_heard(tone_calls.tap, 440, 660, what="both calls")
    await expect_sending([a, b], [a, b], "both calls")

    await c.call.suspend_audio()  # before it is even joined: applied on join
    assert c.call.state.is_audio_suspended
    await c.call.join()
    await wait_remote_audio_arrived(c)
    await expect_heard(tone_calls.tap, 440, 660, what="C joined suspended")
    assert c.max_level_heard[0] == 0.0

    await a.call.suspend_audio()
    await b.call.suspend_audio()
    await c.call.resume_audio()  # tracks that arrived while suspended start playing now
    assert suspended([a, b, c]) == [440, 660]
    await expect_heard(tone_calls.tap, 880, what="C resumed by hand")
    await expect_sending([a, b, c], [c], "C resumed by hand")

    await c.call.leave()
    assert suspended([a, b]) == [440, 660]  # manual: no automatic resume
    await expect_heard(tone_calls.tap, what="C left, nothing resumed")


async def test_ducking_plays_background_calls_at_the_set_volume(tone_calls: ToneCalls) -> None:
    me = await tone_calls.client(background_call_volume=0.25)
    a, b = [await tone_calls.room(me, f, f"duck-{f:g}") for f in (440.0, 660.0)]
    await a.call.join()
    await expect_heard(tone_calls.tap, 440, what="A alone")
    await b.call.join()
    assert a.call.state.is_audio_suspended and a.call.state.audio_playout_volume == 0.25
    held = await expect_heard(tone_calls.tap, 440, 660, what="A ducked under B")
    ratio = tone_amplitude(held, 440) / tone_amplitude(held, 660)
    print(f"ducked/focused tone amplitude: {ratio:.3f} (set 0.25)")
    assert 0.2 < ratio < 0.3
    await expect_sending([a, b], [b], "A ducked")  # ducking never sends the microphone


async def wait_remote_audio_arrived(room: Room) -> None:
    """Wait until the peer's audio reaches us (in the mixer, at any gain), so a check that
    it is *not heard* is not passed merely because nothing arrived yet."""
    peer_session = room.peer_call.state.session_id
    await wait_for(
        lambda: (
            (p := room.call.state.participant(peer_session)) is not None and p.audio_level > 0.2
        ),
        f"the {room.tone_hz:g} Hz tone to arrive",
    )


def tone_amplitude(samples: np.ndarray, freq_hz: float) -> float:
    """Peak FFT magnitude (Hann window) within 5 Hz of ``freq_hz``."""
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float64) * np.hanning(samples.size)))
    freqs = np.fft.rfftfreq(samples.size, 1 / RATE)
    return float(spectrum[np.abs(freqs - freq_hz) <= 5].max())
