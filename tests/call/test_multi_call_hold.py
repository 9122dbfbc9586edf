"""The "livestream + 1:1" flow in the engine (Stream's ``video_livestream_with_call``
sample, issue 4): a ring arrives during a call, is accepted, the first call is suspended
and put on hold where its participants see it, and the hang-up resumes it. Real
coordinator, real peers on loopback, tones and the test video as media."""

from __future__ import annotations

import pytest

from app.call import LocalMedia, MultiCallAudioPolicy
from app.client import VideoClient
from tests.call.test_call_hold import FRAMES_AS_CLOCK, frames, level
from tests.call.test_call_lifecycle import wait_for
from tests.call.tone_calls import MY_TONE_HZ, MixTap, ToneCalls, expect_heard, expect_sending

pytestmark = pytest.mark.asyncio


async def test_a_ring_during_a_call_holds_it_and_the_hang_up_resumes_it(
    coordinator, vtest_avi, tone_wav
) -> None:
    made: list[VideoClient] = []

    async def client(name: str, tone_hz: float, **options: object) -> VideoClient:
        media = LocalMedia(
            video_file=str(vtest_avi), audio_file=str(tone_wav(tone_hz)), audio_output="null"
        )
        made.append(
            await VideoClient.sign_in_guest(
                coordinator.url,
                name,
                local_media=media,
                **options,
            )
        )
        await media.set_camera_enabled(True)
        await media.set_microphone_enabled(True)
        return made[-1]

    try:
        me = await client(
            "Host",
            MY_TONE_HZ,
            allow_multiple_active_calls=True,
            multi_call_audio_policy=MultiCallAudioPolicy.SUSPEND_EXISTING,
            hold_background_calls=True,
        )
        viewer, caller = await client("Viewer", 440.0), await client("Caller", 660.0)
        tap = MixTap()
        me.local_media.mixer.add_tap(tap)
        v_show = viewer.make_call("default", "show")
        await v_show.join()
        show = me.make_call("default", "show")
        await show.join()
        m = show.state.session_id
        await wait_for(lambda: frames(v_show, m) > 3 and level(v_show, m) > 0.2, "the show")
        await expect_heard(tap, 440, what="the show")

        c_call = caller.make_call("default", "one-to-one")
        await c_call.get_or_create(members=[me.user.id], ring=True)
        await wait_for(lambda: bool(me.incoming_calls), "the ring during the show")
        one = me.incoming_calls[0]
        await one.accept()

        assert me.active_calls == (show, one) and me.focused_call is one
        assert show.state.is_audio_suspended and show.state.is_on_hold
        await wait_for(lambda: v_show.state.participant(m).is_on_hold, "the viewer sees the hold")
        await expect_heard(tap, 660, what="the 1:1 only")
        await wait_for(lambda: level(v_show, m) == 0.0, "the viewer hears nothing of me")
        m1 = one.state.session_id
        await wait_for(lambda: frames(c_call, m1) > 3, "my video at the caller")
        paused_at_viewer, viewers_at_me = frames(v_show, m), frames(show, v_show.state.session_id)
        clock = frames(c_call, m1)
        await wait_for(lambda: frames(c_call, m1) >= clock + FRAMES_AS_CLOCK, "1 s of the 1:1")
        assert frames(v_show, m) <= paused_at_viewer + 1  # the camera paused for the show
        assert frames(show, v_show.state.session_id) <= viewers_at_me + 1  # none downloaded
        assert level(c_call, m1) > 0.2  # the caller hears me

        await one.leave()  # hang up: suspend_existing resumes the show, off hold
        assert me.active_calls == (show,)
        assert not show.state.is_audio_suspended and not show.state.is_on_hold
        await wait_for(lambda: not v_show.state.participant(m).is_on_hold, "the hold lifted")
        await expect_heard(tap, 440, what="the show again")
        resumed = frames(v_show, m)
        await wait_for(lambda: frames(v_show, m) > resumed + 3, "my video at the viewer again")
        await wait_for(lambda: level(v_show, m) > 0.2, "the viewer hears me again")
    finally:
        for each in made:
            await each.disconnect()


async def test_taking_a_call_off_hold_keeps_its_suspension(coordinator, tone_wav) -> None:
    """Hold and suspension are separate: a suspended call put on hold and taken off it is
    still suspended (manual policy, so nothing else moves)."""
    tone_calls = ToneCalls(coordinator.url, tone_wav)
    try:
        me = await tone_calls.client(policy=MultiCallAudioPolicy.MANUAL)
        a = await tone_calls.room(me, 440.0, "hold-suspended")
        await a.call.join()
        await expect_heard(tone_calls.tap, 440, what="A")
        await expect_sending([a], [a], "A")
        await a.call.suspend_audio(playout_volume=0.25)
        await a.call.set_on_hold(True)
        await expect_heard(tone_calls.tap, what="held: nothing, not even ducked")
        await a.call.set_on_hold(False)
        assert a.call.state.is_audio_suspended and a.call.state.audio_playout_volume == 0.25
        await wait_for(
            lambda: not a.peer_call.state.participant(a.call.state.session_id).is_on_hold,
            "the hold lifted at the peer",
        )
        await expect_heard(tone_calls.tap, 440, what="ducked again after the hold")
        await expect_sending([a], [], "still suspended: no microphone")
    finally:
        await tone_calls.close()
