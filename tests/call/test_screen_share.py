"""Screen sharing through the engine against a real coordinator: two VideoClients in one
process, real aiortc peers on loopback. Alice shares a test picture (text and fine lines)
pushed like a screen capture; Bob receives it as a second video track beside her camera.
Media is asserted on Bob's sinks, leaks by counting threads, tasks, tracks and
transceivers. Tests wait on conditions, never on the clock."""

from __future__ import annotations

import asyncio
import gc
import threading
from collections.abc import Callable

import pytest

from app.call import Call, CallError
from app.media import ScreenShareTrack
from app.protocol import OwnCapability, TrackType, UpdateCallRequest, call_path
from tests.call.test_call_lifecycle import wait_for
from tests.media.screen_pattern import PatternPusher, luma, screen_pattern
from tests.media.signal_checks import psnr_db

pytestmark = pytest.mark.asyncio

SHARE_SIZE = (1920, 1080)  # the profile's largest: the shared screen arrives unscaled
SHARE_CYCLES = 10
MIN_PSNR_DB = 30.0


async def joined_pair(clients: Callable, call_id: str) -> tuple[Call, Call, str]:
    """Alice (camera on) and Bob in one call, Alice's camera flowing at Bob; returns
    both calls and Alice's session id."""
    alice, bob = await clients("Alice"), await clients("Bob")
    a_call, b_call = alice.make_call("default", call_id), bob.make_call("default", call_id)
    await a_call.set_camera_enabled(True)
    await a_call.join()
    await b_call.join(create=False)
    alice_session = a_call.state.session_id
    assert alice_session is not None
    await wait_for(
        lambda: (sink := b_call.video_sink(alice_session)) is not None and sink.frame_count > 3,
        "alice's camera at bob",
    )
    return a_call, b_call, alice_session


def peer_connections(*calls: Call) -> list:
    """Every RTCPeerConnection of these calls (the engine's own, counted for leaks)."""
    pcs = []
    for call in calls:
        media = call._media
        assert media is not None
        pcs += [media._mesh.link(s).pc for s in media._mesh.session_ids]
    return pcs


def screen_senders(call: Call) -> list:
    media = call._media
    assert media is not None
    return [media._mesh.link(s).screen_share_out for s in media._mesh.session_ids]


async def test_a_shared_screen_arrives_at_its_resolution_and_matches(clients: Callable) -> None:
    a_call, b_call, alice_session = await joined_pair(clients, "share-psnr")
    image = screen_pattern(*SHARE_SIZE)
    track = ScreenShareTrack()
    pusher = PatternPusher(track, image)
    try:
        await a_call.start_screen_share(track)
        assert a_call.is_screen_sharing
        assert a_call.state.local_participant.is_screen_sharing

        await wait_for(
            lambda: b_call.state.participant(alice_session).is_screen_sharing,
            "alice's share announced at bob",
        )
        assert b_call.state.participant(alice_session).published_tracks == {
            TrackType.VIDEO,
            TrackType.SCREEN_SHARE,
        }
        sink = b_call.screen_share_sink(alice_session)
        assert sink is not None and sink is not b_call.video_sink(alice_session)
        await wait_for(lambda: sink.frame_count >= 20, "20 frames of the share at bob")
        received = sink.latest()
        assert received is not None
        assert (received.width, received.height) == SHARE_SIZE
        psnr = psnr_db(received.to_ndarray(format="yuv420p")[: SHARE_SIZE[1]], luma(image))
        print(f"screen share {SHARE_SIZE}: luma PSNR {psnr:.1f} dB after {sink.frame_count}")
        assert psnr >= MIN_PSNR_DB
        # the camera is a separate track and still shows the camera
        assert b_call.video_sink(alice_session).frame_size == (768, 576)
        # the sharer sees what it sends
        assert a_call.screen_share_sink(alice_session).frame_size == SHARE_SIZE
    finally:
        await a_call.stop_screen_share()
        pusher.stop()
    assert track.readyState == "ended"  # the call owned the track and stopped it
    await wait_for(
        lambda: not b_call.state.participant(alice_session).is_screen_sharing,
        "alice's share gone at bob",
    )


def _counted_threads() -> set[threading.Thread]:
    # The loop's default executor ("asyncio_N": aiortc encodes and decodes there) is a
    # bounded pool that grows on demand; it is not a per-share resource.
    return {
        t
        for t in threading.enumerate()
        if not t.name.startswith(("asyncio_", "ThreadPoolExecutor"))
    }


async def test_sharing_ten_times_keeps_the_camera_and_leaks_nothing(clients: Callable) -> None:
    a_call, b_call, alice_session = await joined_pair(clients, "share-cycles")
    camera = b_call.video_sink(alice_session)
    assert camera is not None
    pcs = peer_connections(a_call, b_call)
    assert [len(pc.getTransceivers()) for pc in pcs] == [3, 3]
    threads_before = _counted_threads()
    tasks_before = len(asyncio.all_tasks())
    camera_counts = [camera.frame_count]
    shares_received = []

    for cycle in range(SHARE_CYCLES):
        track = ScreenShareTrack()
        pusher = PatternPusher(track, screen_pattern(1280, 720, f"share {cycle}"))
        await a_call.start_screen_share(track)
        sink = b_call.screen_share_sink(alice_session)
        assert sink is not None
        start = sink.frame_count
        await wait_for(lambda: sink.frame_count >= start + 3, f"share {cycle} at bob")  # noqa: B023
        await wait_for(
            lambda: b_call.state.participant(alice_session).is_screen_sharing,
            f"share {cycle} announced",
        )
        await a_call.stop_screen_share()
        await wait_for(
            lambda: not b_call.state.participant(alice_session).is_screen_sharing,
            f"share {cycle} gone",
        )
        pusher.stop()  # its thread ends on its own once the track has ended
        assert track.readyState == "ended"
        shares_received.append(sink.frame_count - start)
        seen = camera.frame_count
        await wait_for(lambda: camera.frame_count > seen, f"camera after share {cycle}")  # noqa: B023
        camera_counts.append(camera.frame_count)

    print(f"camera frames at bob per cycle: {camera_counts}; share frames: {shares_received}")
    assert camera_counts == sorted(set(camera_counts))  # grew through every cycle
    assert peer_connections(a_call, b_call) == pcs  # no renegotiation, no new connection
    assert [len(pc.getTransceivers()) for pc in pcs] == [3, 3]
    assert all(sender.source is None for sender in screen_senders(a_call))
    assert not a_call.is_screen_sharing
    await wait_for(
        lambda: _counted_threads() <= threads_before,
        f"share threads to end: {_counted_threads() - threads_before}",
    )
    await wait_for(lambda: len(asyncio.all_tasks()) <= tasks_before, "share tasks to end")
    gc.collect()
    live_shares = [
        o for o in gc.get_objects() if isinstance(o, ScreenShareTrack) and o.readyState == "live"
    ]
    assert live_shares == []


async def test_sharing_is_refused_without_capability_setting_or_call(clients: Callable) -> None:
    alice, bob = await clients("Alice"), await clients("Bob")
    # the call's settings turn screen sharing off: even its host may not share
    closed = alice.make_call("default", "share-off")
    await closed.get_or_create(settings_override={"screensharing": {"enabled": False}})
    await closed.join()
    track = ScreenShareTrack()
    with pytest.raises(CallError) as off:
        await closed.start_screen_share(track)
    assert off.value.code == "forbidden"
    assert closed.screen_share_refusal() == "Screen sharing is turned off for this call"
    assert track.readyState == "live" and not closed.is_screen_sharing

    # outside a call
    viewer = bob.make_call("livestream", "share-show")
    assert viewer.screen_share_refusal() == "Join the call to share your screen"
    with pytest.raises(CallError) as outside:
        await viewer.start_screen_share(track)
    assert outside.value.code == "not_joined"

    # a livestream viewer lacks the screenshare capability
    show = alice.make_call("livestream", "share-show")
    await show.join()
    await show._request("POST", call_path("livestream", "share-show", "go_live"), None, dict)
    await viewer.join(create=False)
    assert OwnCapability.SCREENSHARE not in viewer.state.own_capabilities
    with pytest.raises(CallError) as no_capability:
        await viewer.start_screen_share(track)
    assert no_capability.value.code == "forbidden"
    assert no_capability.value.message == "You are not allowed to share your screen in this call"
    assert track.readyState == "live" and not viewer.is_screen_sharing
    track.stop()


async def test_a_late_joiner_receives_a_share_in_progress(clients: Callable) -> None:
    alice, bob = await clients("Alice"), await clients("Bob")
    a_call = alice.make_call("default", "share-late")
    await a_call.join()
    track = ScreenShareTrack()
    pusher = PatternPusher(track, screen_pattern(1280, 720))
    try:
        await a_call.start_screen_share(track)  # nobody to send to yet
        alice_session = a_call.state.session_id
        b_call = bob.make_call("default", "share-late")
        await b_call.join(create=False)

        assert b_call.state.participant(alice_session).is_screen_sharing  # from the join
        await wait_for(
            lambda: (
                (sink := b_call.screen_share_sink(alice_session)) is not None
                and sink.frame_count >= 3
            ),
            "the share at the late joiner",
        )
        assert b_call.screen_share_sink(alice_session).frame_size == (1280, 720)
        assert b_call.video_sink(alice_session).frame_count == 0  # her camera is off
    finally:
        await a_call.leave()  # leaving ends the share and stops its track
        pusher.stop()
    assert track.readyState == "ended" and not a_call.is_screen_sharing


async def test_every_receiver_of_a_three_way_call_gets_the_share(clients: Callable) -> None:
    alice, bob, carol = await clients("Alice"), await clients("Bob"), await clients("Carol")
    calls = [c.make_call("default", "share-three") for c in (alice, bob, carol)]
    await calls[0].join()
    for call in calls[1:]:
        await call.join(create=False)
    alice_session = calls[0].state.session_id
    image = screen_pattern(1280, 720, "three-way")
    track = ScreenShareTrack()
    pusher = PatternPusher(track, image)
    try:
        await calls[0].start_screen_share(track)  # one picture, encoded once for both peers
        for receiver in calls[1:]:
            await wait_for(
                lambda r=receiver: (
                    (s := r.screen_share_sink(alice_session)) is not None and s.frame_count >= 15
                ),
                "the share at every receiver",
            )
        for receiver in calls[1:]:
            received = receiver.screen_share_sink(alice_session).latest()
            psnr = psnr_db(received.to_ndarray(format="yuv420p")[:720], luma(image))
            print(f"three-way share at {receiver.state.session_id[:8]}: {psnr:.1f} dB")
            assert psnr >= MIN_PSNR_DB
    finally:
        await calls[0].stop_screen_share()
        pusher.stop()


async def test_sharing_something_else_replaces_the_share(clients: Callable) -> None:
    a_call, b_call, alice_session = await joined_pair(clients, "share-switch")
    first, second = ScreenShareTrack(), ScreenShareTrack()
    second_image = screen_pattern(1280, 720, "the second window")
    pushers = [PatternPusher(first, screen_pattern(640, 360)), PatternPusher(second, second_image)]
    try:
        await a_call.start_screen_share(first)
        await wait_for(
            lambda: (
                (s := b_call.screen_share_sink(alice_session)) is not None
                and s.frame_size == (640, 360)
            ),
            "the first share at bob",
        )

        await a_call.start_screen_share(second)  # no stop in between

        assert first.readyState == "ended" and a_call.screen_share_track is second
        sink = b_call.screen_share_sink(alice_session)
        await wait_for(lambda: sink.frame_size == (1280, 720), "the second share at bob")
        await wait_for(
            lambda: psnr_db(sink.latest().to_ndarray()[:720], luma(second_image)) >= MIN_PSNR_DB,
            "the second share to match",
        )
        assert b_call.state.participant(alice_session).is_screen_sharing
    finally:
        await a_call.stop_screen_share()
        for pusher in pushers:
            pusher.stop()
    assert second.readyState == "ended"


async def test_the_share_stops_when_the_call_turns_screen_sharing_off(clients: Callable) -> None:
    a_call, b_call, alice_session = await joined_pair(clients, "share-revoked")
    track = ScreenShareTrack()
    pusher = PatternPusher(track, screen_pattern(640, 360))
    try:
        await a_call.start_screen_share(track)
        await wait_for(
            lambda: b_call.state.participant(alice_session).is_screen_sharing, "the share"
        )

        # the host (Alice, the creator) turns screen sharing off for the call
        await a_call._request(
            "PATCH",
            call_path("default", "share-revoked"),
            UpdateCallRequest(settings_override={"screensharing": {"enabled": False}}),
            dict,
        )

        await wait_for(lambda: not a_call.is_screen_sharing, "the share to stop at alice")
        assert track.readyState == "ended"
        await wait_for(
            lambda: not b_call.state.participant(alice_session).is_screen_sharing,
            "the share gone at bob",
        )
        assert a_call.screen_share_refusal() == "Screen sharing is turned off for this call"
    finally:
        await a_call.stop_screen_share()
        pusher.stop()


async def test_holding_the_call_pauses_the_share_and_taking_it_off_resumes_it(
    clients: Callable,
) -> None:
    """A held call sends nobody its screen (as Teams pauses a share on hold): a share in
    progress must not keep showing a screen to a call the user has stepped away from."""
    a_call, b_call, alice_session = await joined_pair(clients, "share-hold")
    track = ScreenShareTrack()
    pusher = PatternPusher(track, screen_pattern(640, 360))
    try:
        await a_call.start_screen_share(track)
        sink = b_call.screen_share_sink(alice_session)
        assert sink is not None
        await wait_for(lambda: sink.frame_count >= 5, "the share at bob")

        await a_call.set_on_hold(True)
        assert a_call.is_screen_sharing  # paused, not ended: the capture stays open
        assert track.readyState == "live"
        assert all(sender.source is None for sender in screen_senders(a_call))
        await wait_for(
            lambda: (
                TrackType.SCREEN_SHARE
                not in b_call.state.participant(alice_session).published_tracks
            ),
            "the share unpublished at bob",
        )
        held_count = sink.frame_count
        pushed = pusher.pushed
        await wait_for(lambda: pusher.pushed >= pushed + 15, "15 more captured screens")
        assert sink.frame_count <= held_count + 2  # at most what was already on the wire

        await a_call.set_on_hold(False)
        await wait_for(
            lambda: b_call.state.participant(alice_session).is_screen_sharing,
            "the share announced again",
        )
        await wait_for(lambda: sink.frame_count >= held_count + 10, "the share flowing again")
    finally:
        await a_call.stop_screen_share()
        pusher.stop()
