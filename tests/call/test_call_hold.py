"""Hold that reaches the others (issue 4, beyond Stream), with real peers on loopback:
the held side stops sending its camera and microphone and plays nothing; the others see
``is_on_hold`` and stop sending it video and audio; taking the call off hold restores
everything. "Stopped" is judged against a stream that keeps flowing (another peer's
video frames), never against the wall clock."""

from __future__ import annotations

import pytest

from app.call import LocalMedia
from app.client import VideoClient
from app.protocol import TrackType
from tests.call.test_call_lifecycle import wait_for
from tests.call.tone_calls import MY_TONE_HZ, MixTap, expect_heard

pytestmark = pytest.mark.asyncio

FRAMES_AS_CLOCK = 10  # 1 s of the 10 fps test video


@pytest.fixture
async def clients(coordinator, vtest_avi, tone_wav):
    made: list[VideoClient] = []

    async def make(name: str, tone_hz: float) -> VideoClient:
        media = LocalMedia(
            video_file=str(vtest_avi), audio_file=str(tone_wav(tone_hz)), audio_output="null"
        )
        client = await VideoClient.sign_in_guest(coordinator.url, name, local_media=media)
        made.append(client)
        await media.set_camera_enabled(True)
        await media.set_microphone_enabled(True)
        return client

    yield make
    for client in made:
        await client.disconnect()


def frames(call, session_id: str) -> int:
    sink = call.video_sink(session_id)
    return sink.frame_count if sink is not None else 0


def held(call, session_id: str) -> bool:
    participant = call.state.participant(session_id)
    return participant is not None and participant.is_on_hold


def level(call, session_id: str) -> float:
    participant = call.state.participant(session_id)
    return participant.audio_level if participant is not None else 0.0


async def test_a_held_call_stops_media_both_ways_and_tells_the_others(clients) -> None:
    me, bob, carol = (
        await clients("Parley", MY_TONE_HZ),
        await clients("Bob", 440.0),
        await clients("Carol", 660.0),
    )
    tap = MixTap()
    me.local_media.mixer.add_tap(tap)
    m_call, b_call, c_call = (c.make_call("default", "hold") for c in (me, bob, carol))
    for call in (b_call, c_call, m_call):
        await call.join()
    m, b, c = (call.state.session_id for call in (m_call, b_call, c_call))
    await wait_for(lambda: frames(b_call, m) > 3 and frames(m_call, b) > 3, "video both ways")
    await wait_for(lambda: level(b_call, m) > 0.2, "bob hears me")
    await expect_heard(tap, 440, 660, what="both peers before the hold")

    await m_call.set_on_hold(True)
    await m_call.set_on_hold(True)  # idempotent
    assert m_call.state.is_on_hold and m_call.state.local_participant.is_on_hold
    for call in (b_call, c_call):
        await wait_for(lambda call=call: call.state.participant(m).is_on_hold, "hold seen")
        await wait_for(
            lambda call=call: (
                not call.state.participant(m).published_tracks & {TrackType.AUDIO, TrackType.VIDEO}
            ),
            "my audio and video unpublished",
        )
    await wait_for(lambda: level(b_call, m) == 0.0, "bob hears silence from me")
    await expect_heard(tap, what="the held call plays nothing")

    # One second of Carol's video at Bob is the clock: nothing of mine reaches Bob, and
    # nothing of Bob's reaches me (he paused his senders to me), meanwhile.
    mine_at_bob, bobs_at_me, clock = frames(b_call, m), frames(m_call, b), frames(b_call, c)
    await wait_for(lambda: frames(b_call, c) >= clock + FRAMES_AS_CLOCK, "carol's video at bob")
    assert frames(b_call, m) <= mine_at_bob + 1  # at most one frame in flight at the hold
    assert frames(m_call, b) <= bobs_at_me + 1
    frozen_mine, frozen_bobs = frames(b_call, m), frames(m_call, b)
    clock = frames(b_call, c)
    await wait_for(lambda: frames(b_call, c) >= clock + FRAMES_AS_CLOCK, "carol's video at bob")
    assert (frames(b_call, m), frames(m_call, b)) == (frozen_mine, frozen_bobs)
    assert level(b_call, m) == 0.0 and level(m_call, b) == 0.0
    assert level(b_call, c) > 0.2  # bob and carol carry on between themselves

    await m_call.set_on_hold(False)
    for call in (b_call, c_call):
        await wait_for(lambda call=call: not call.state.participant(m).is_on_hold, "unhold seen")
    await wait_for(lambda: frames(b_call, m) > frozen_mine + 3, "my video at bob again")
    await wait_for(lambda: frames(m_call, b) > frozen_bobs + 3, "bob's video at me again")
    await wait_for(lambda: level(b_call, m) > 0.2, "bob hears me again")
    await expect_heard(tap, 440, 660, what="both peers after the hold")
    await wait_for(
        lambda: TrackType.VIDEO in b_call.state.participant(m).published_tracks, "video published"
    )


async def test_someone_joining_a_call_on_hold_sends_the_held_side_nothing(clients) -> None:
    me, bob, dave = (
        await clients("Parley", MY_TONE_HZ),
        await clients("Bob", 440.0),
        await clients("Dave", 880.0),
    )
    m_call, b_call, d_call = (c.make_call("default", "late") for c in (me, bob, dave))
    await b_call.join()
    await m_call.join()
    await m_call.set_on_hold(True)
    m = m_call.state.session_id

    await d_call.join()
    assert d_call.state.participant(m).is_on_hold  # from the join answer
    d = d_call.state.session_id
    await wait_for(lambda: frames(b_call, d) > 3, "dave's video at bob")
    clock = frames(b_call, d)
    await wait_for(lambda: frames(b_call, d) >= clock + FRAMES_AS_CLOCK, "dave's video at bob")
    assert frames(m_call, d) == 0 and level(m_call, d) == 0.0  # never sent to the held side
    assert frames(d_call, m) == 0  # nor from it


async def test_a_hold_set_before_joining_lasts_through_a_reconnect_and_a_rejoin(
    clients,
) -> None:
    """Hold is call state, like the audio suspension: set before the join, it is
    announced by each new session until it is taken off."""
    me, bob = await clients("Parley", MY_TONE_HZ), await clients("Bob", 440.0)
    m_call, b_call = me.make_call("default", "reconnect"), bob.make_call("default", "reconnect")
    await b_call.join()
    await m_call.set_on_hold(True)
    await m_call.join()
    old_session = m_call.state.session_id
    await wait_for(lambda: held(b_call, old_session), "held from the join")
    assert not b_call.state.participant(old_session).published_tracks

    await me._events._ws.close()  # the network drops under the client: it rejoins

    await wait_for(
        lambda: m_call.state.status.is_connected and m_call.state.session_id != old_session,
        "a new session",
    )
    new_session = m_call.state.session_id
    assert m_call.state.is_on_hold and m_call.state.local_participant.is_on_hold
    await wait_for(lambda: held(b_call, new_session), "bob sees the new session on hold")

    await m_call.leave()
    await m_call.join(create=False)
    session = m_call.state.session_id
    await wait_for(lambda: held(b_call, session), "still held")
    await m_call.set_on_hold(False)
    await wait_for(lambda: level(b_call, session) > 0.2, "bob hears me once off hold")
    assert not b_call.state.participant(session).is_on_hold
