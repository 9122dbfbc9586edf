"""The engine against a real coordinator: two VideoClients in one process, real aiortc
peers on loopback, real file media. States are asserted on snapshots, media on sinks."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from app.call import CallError, CallState, CallStatusKind, DisconnectReason, LocalMedia
from app.client import VideoClient
from app.protocol import TrackType

pytestmark = pytest.mark.asyncio

WAIT_S = 30.0


async def wait_for(condition: Callable[[], bool], what: str, timeout_s: float = WAIT_S) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def sign_in(url: str, name: str, video, audio) -> VideoClient:
    media = LocalMedia(video_file=str(video), audio_file=str(audio), audio_output="null")
    return await VideoClient.sign_in_guest(url, name, local_media=media)


async def test_two_clients_join_see_each_other_mute_and_leave(coordinator, vtest_avi, speech_wav):
    alice = await sign_in(coordinator.url, "Alice", vtest_avi, speech_wav)
    bob = await sign_in(coordinator.url, "Bob", vtest_avi, speech_wav)
    try:
        a_call = alice.make_call("default", "lifecycle")
        b_call = bob.make_call("default", "lifecycle")
        snapshots: list[CallState] = []
        a_call.subscribe(snapshots.append)
        for call in (a_call, b_call):
            await call.set_camera_enabled(True)
            await call.set_microphone_enabled(True)
        await a_call.join()
        assert a_call.state.status.kind is CallStatusKind.CONNECTED
        assert a_call.state.created_by_user_id == alice.user.id
        await b_call.join(create=False)

        await wait_for(lambda: len(a_call.state.participants) == 2, "alice to see bob")
        bob_session = b_call.state.session_id
        assert bob_session is not None
        await wait_for(
            lambda: (sink := a_call.video_sink(bob_session)) is not None and sink.frame_count > 5,
            "bob's video at alice",
        )
        assert a_call.video_sink(bob_session).frame_size == (768, 576)
        await wait_for(
            lambda: a_call.state.participant(bob_session).is_speaking, "bob speaking at alice"
        )

        await b_call.set_microphone_enabled(False)
        await wait_for(
            lambda: TrackType.AUDIO not in a_call.state.participant(bob_session).published_tracks,
            "bob's mute at alice",
        )
        assert TrackType.VIDEO in a_call.state.participant(bob_session).published_tracks

        await b_call.leave()
        assert b_call.state.status.reason is DisconnectReason.LEFT
        await wait_for(lambda: len(a_call.state.participants) == 1, "bob gone at alice")
        # snapshots are immutable history: the first ones still show the old status
        assert snapshots[0].status.kind is CallStatusKind.CONNECTING
    finally:
        await alice.disconnect()
        await bob.disconnect()


async def test_ending_a_call_disconnects_everyone_with_reason_ended(
    coordinator, vtest_avi, speech_wav
):
    alice = await sign_in(coordinator.url, "Alice", vtest_avi, speech_wav)
    bob = await sign_in(coordinator.url, "Bob", vtest_avi, speech_wav)
    try:
        a_call = alice.make_call("default", "to-end")
        b_call = bob.make_call("default", "to-end")
        await a_call.join()
        await b_call.join(create=False)
        await a_call.end()
        await wait_for(lambda: b_call.state.status.is_disconnected, "bob disconnected")
        assert b_call.state.status.reason is DisconnectReason.ENDED
        assert a_call.state.status.reason is DisconnectReason.ENDED
    finally:
        await alice.disconnect()
        await bob.disconnect()


async def test_joining_a_missing_call_without_create_fails_clearly(
    coordinator, vtest_avi, speech_wav
):
    alice = await sign_in(coordinator.url, "Alice", vtest_avi, speech_wav)
    try:
        call = alice.make_call("default", "does-not-exist")
        with pytest.raises(CallError) as error:
            await call.join(create=False)
        assert error.value.code == "call_not_found"
        assert call.state.status.kind is CallStatusKind.DISCONNECTED
        assert call.state.status.reason is DisconnectReason.FAILURE
        assert call.state.status.error
    finally:
        await alice.disconnect()


async def test_joining_a_second_call_replaces_the_first(coordinator, vtest_avi, speech_wav):
    alice = await sign_in(coordinator.url, "Alice", vtest_avi, speech_wav)
    try:
        first = alice.make_call("default", "first")
        second = alice.make_call("default", "second")
        await first.join()
        await second.join()
        await wait_for(lambda: first.state.status.is_disconnected, "first call left")
        assert first.state.status.reason is DisconnectReason.REPLACED
        assert alice.active_call is second
    finally:
        await alice.disconnect()


async def test_two_people_joining_at_the_same_instant_connect_once(
    coordinator, vtest_avi, speech_wav
):
    """Both join answers list the other; the greater session id offers, so offers never
    cross and both sides get video (regression: simultaneous joins used to glare)."""
    clients = [await sign_in(coordinator.url, n, vtest_avi, speech_wav) for n in ("A", "B")]
    try:
        calls = [c.make_call("default", "same-instant") for c in clients]
        for call in calls:
            await call.set_camera_enabled(True)
        await asyncio.gather(*(call.join() for call in calls))
        for me, other in ((calls[0], calls[1]), (calls[1], calls[0])):
            other_session = other.state.session_id
            await wait_for(
                lambda me=me, s=other_session: (
                    (sink := me.video_sink(s)) is not None and sink.frame_count > 3
                ),
                "video both ways",
            )
    finally:
        for client in clients:
            await client.disconnect()


async def test_a_loaded_call_shows_who_is_in_it_before_joining(coordinator, vtest_avi, speech_wav):
    """get_or_create watches the call (Stream's watch): the Lobby sees people come and go."""
    alice = await sign_in(coordinator.url, "Alice", vtest_avi, speech_wav)
    bob = await sign_in(coordinator.url, "Bob", vtest_avi, speech_wav)
    try:
        a_call = alice.make_call("default", "lobby-view")
        await a_call.join()
        b_call = bob.make_call("default", "lobby-view")
        await b_call.get_or_create()
        assert [p.name for p in b_call.state.participants] == ["Alice"]
        assert not b_call.state.participants[0].is_local
        await a_call.leave()
        await wait_for(lambda: not b_call.state.participants, "Alice gone from bob's view")
        await a_call.join(create=False)
        await wait_for(lambda: len(b_call.state.participants) == 1, "Alice back in bob's view")
    finally:
        await alice.disconnect()
        await bob.disconnect()


async def test_a_dropped_event_stream_reconnects_and_media_resumes(
    coordinator, vtest_avi, speech_wav
):
    """The coordinator drops a session with its socket; the client reconnects, rejoins with
    a new session and the other side gets its video again."""
    alice = await sign_in(coordinator.url, "Alice", vtest_avi, speech_wav)
    bob = await sign_in(coordinator.url, "Bob", vtest_avi, speech_wav)
    try:
        a_call = alice.make_call("default", "drop")
        b_call = bob.make_call("default", "drop")
        await a_call.set_camera_enabled(True)
        await a_call.join()
        await b_call.join(create=False)
        old_session = a_call.state.session_id
        statuses: list[CallStatusKind] = []
        a_call.subscribe(lambda s: statuses.append(s.status.kind))

        await alice._events._ws.close()  # the network drops under the client

        await wait_for(
            lambda: a_call.state.status.is_connected and a_call.state.session_id != old_session,
            "alice back with a new session",
        )
        assert CallStatusKind.RECONNECTING in statuses
        new_session = a_call.state.session_id
        await wait_for(
            lambda: [p.session_id for p in b_call.state.remote_participants] == [new_session],
            "bob sees only alice's new session",
        )
        await wait_for(
            lambda: (sink := b_call.video_sink(new_session)) is not None and sink.frame_count > 3,
            "alice's video at bob again",
        )
    finally:
        await alice.disconnect()
        await bob.disconnect()


async def test_the_video_filter_reports_its_timing_in_the_call_stats(
    coordinator, vtest_avi, speech_wav
):
    from app.media.filters import GrayscaleFilter

    alice = await sign_in(coordinator.url, "Alice", vtest_avi, speech_wav)
    try:
        call = alice.make_call("default", "filter-stats")
        await call.set_camera_enabled(True)
        await call.join()

        def filtered() -> int:
            stats = call.local_stats()["video_filter"]
            return stats["frames_filtered"] if stats else 0

        assert filtered() == 0
        alice.local_media.set_video_filters([GrayscaleFilter()])
        await wait_for(lambda: filtered() > 5, "filtered frames counted")
        assert call.local_stats()["video_filter"]["filter_ms"] > 0
    finally:
        await alice.disconnect()
