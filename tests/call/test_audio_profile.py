"""Per-call audio profiles over the client default (Stream's audioConfigurationPolicy):
a viewer call never gets our microphone but plays its room, a broadcaster call sends it
through echo cancellation, and a profile can change mid-call."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from app.call import AudioProfile, MultiCallAudioPolicy
from app.protocol import TrackType
from tests.call.test_call_lifecycle import wait_for
from tests.call.tone_calls import ToneCalls, expect_heard, expect_sending

pytestmark = pytest.mark.asyncio


async def test_a_viewer_call_plays_its_room_and_never_gets_the_microphone(
    tone_calls: ToneCalls,
) -> None:
    # manual policy: only the profiles decide who gets the microphone here
    me = await tone_calls.client(policy=MultiCallAudioPolicy.MANUAL)
    watched = await tone_calls.room(me, 440.0, "profile-viewer")
    talking = await tone_calls.room(me, 660.0, "profile-talk")
    watched.call.set_audio_profile(AudioProfile.VIEWER)  # before joining
    await watched.call.join()
    await talking.call.join()

    await expect_sending([watched, talking], [talking], "viewer call gets no microphone")
    await expect_heard(tone_calls.tap, 440.0, 660.0, what="both rooms play")
    session = watched.call.state.session_id
    assert session is not None
    await wait_for(
        lambda: (
            (p := watched.peer_call.state.participant(session)) is not None
            and TrackType.AUDIO not in p.published_tracks
        ),
        "the viewer publishes no audio",
    )

    watched.call.set_audio_profile(None)  # mid-call: send the microphone after all
    await expect_sending([watched, talking], [watched, talking], "both get the microphone")


async def test_the_client_default_makes_calls_broadcasters_through_echo_cancellation(
    clients: Callable,
) -> None:
    alice, bob = await clients("Alice"), await clients("Bob")
    alice.default_audio_profile = AudioProfile.BROADCASTER
    a_call, b_call = alice.make_call("default", "on-air"), bob.make_call("default", "on-air")
    assert a_call.state.audio_profile is AudioProfile.BROADCASTER
    await alice.local_media.set_microphone_enabled(True)
    await bob.local_media.set_microphone_enabled(True)
    await a_call.join()
    await b_call.join()

    def alice_heard_by_bob() -> float:
        session = a_call.state.session_id
        p = b_call.state.participant(session) if session else None
        return p.audio_level if p is not None else 0.0

    # Alice's speech reaches Bob, and it went through the processing module.
    await wait_for(lambda: alice_heard_by_bob() > 0.02, "Bob hears Alice's speech")
    processor = alice.local_media.voice_processor
    assert processor is not None
    await wait_for(lambda: processor.chunks_processed > 100, "a second of processed audio")
    # Bob's client has no default profile: his microphone goes out as it is
    bob_session = b_call.state.session_id
    await wait_for(
        lambda: (p := a_call.state.participant(bob_session)) is not None and p.audio_level > 0.02,
        "Alice hears Bob",
    )
    assert b_call.state.audio_profile is None and bob.local_media.voice_processor is None
