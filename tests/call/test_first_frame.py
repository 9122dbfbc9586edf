"""A new peer's first frame: the sender's camera encoder is set up while the connection is
negotiated (ICE, DTLS), not when the first picture is due. Real clients against a real
coordinator, real aiortc peers on loopback, vtest.avi as the camera."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from app.media.webrtc import stream_encoding_stats
from tests.call.test_call_lifecycle import wait_for

pytestmark = pytest.mark.asyncio


async def test_the_camera_encoder_is_ready_before_a_new_peer_gets_its_first_picture(
    clients: Callable,
) -> None:
    alice, bob = await clients("Alice"), await clients("Bob")
    a_call, b_call = (
        alice.make_call("default", "first-frame"),
        bob.make_call("default", "first-frame"),
    )
    await a_call.set_camera_enabled(True)
    await a_call.join()
    camera_id = alice.local_media.camera_stream_id
    assert camera_id is not None
    await wait_for(lambda: alice.local_media.preview_sink.latest() is not None, "a camera picture")
    assert "source" not in stream_encoding_stats(camera_id)  # alone: nothing is encoded

    await b_call.join(create=False)
    alice_session = a_call.state.session_id
    assert alice_session is not None

    def received() -> int:
        sink = b_call.video_sink(alice_session)
        return sink.frame_count if sink is not None else 0

    await wait_for(lambda: received() >= 5, "Bob receives Alice's camera")
    stats = stream_encoding_stats(camera_id)["source"]
    # libvpx was set up for Bob's link before the group encoded its first picture, and only
    # once: the first picture did not wait for it.
    assert stats["prepared_ahead"] == 1, stats
    assert stats["frames_encoded"] >= 5 and stats["keyframes_encoded"] >= 1, stats
