"""Video layers end to end: a receiver says what size it paints a camera at
(``Call.update_subscriptions_partial``), the sender sends that peer the layer that fits,
and the peers asking for one layer share one encode. Three VideoClients against a real
coordinator, real aiortc peers on loopback, vtest.avi (768x576) as Alice's camera."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from app.call import Call
from app.media import VideoDimension
from app.media.webrtc import existing_shared_encoding, layer_stream_id
from tests.call.test_call_lifecycle import wait_for

pytestmark = pytest.mark.asyncio

FULL = (768, 576)
HALF = (384, 288)


def _size_at(receiver: Call, session_id: str) -> tuple[int, int] | None:
    sink = receiver.video_sink(session_id)
    frame = sink.latest() if sink is not None else None
    return (frame.width, frame.height) if frame is not None else None


async def test_each_receiver_gets_the_layer_it_paints_and_a_layer_is_encoded_once(
    clients: Callable,
) -> None:
    alice, bob, carol = await clients("Alice"), await clients("Bob"), await clients("Carol")
    a_call = alice.make_call("default", "layers")
    b_call, c_call = bob.make_call("default", "layers"), carol.make_call("default", "layers")
    await a_call.set_camera_enabled(True)
    await a_call.join()
    await b_call.join(create=False)
    await c_call.join(create=False)
    alice_session = a_call.state.session_id
    assert alice_session is not None
    for receiver in (b_call, c_call):
        await wait_for(lambda r=receiver: _size_at(r, alice_session) == FULL, "full size first")

    # Bob and Carol paint Alice in a small grid tile: both get the half layer.
    tile = VideoDimension(370, 280)  # within 10 % of 384x288: the half still covers it
    await b_call.update_subscriptions_partial("video", {alice_session: tile})
    await c_call.update_subscriptions_partial("video", {alice_session: tile})
    for receiver in (b_call, c_call):
        await wait_for(lambda r=receiver: _size_at(r, alice_session) == HALF, "the half layer")

    camera_id = alice.local_media.camera_stream_id
    assert camera_id is not None
    half = existing_shared_encoding(layer_stream_id(camera_id, *HALF))
    assert half is not None
    before = half.stats()
    await wait_for(lambda: half.stats()["frames_encoded"] >= before["frames_encoded"] + 20, "")
    after = half.stats()
    encoded = after["frames_encoded"] - before["frames_encoded"]
    sent = after["frames_sent"] - before["frames_sent"]
    # one encode per picture of the layer for both peers (a skipped picture excepted)
    assert sent >= 2 * encoded - 4, (before, after)
    assert after["senders"] == 2 and after["detached"] == 0, after

    # Bob goes full screen (no preference: the camera's own size); Carol keeps the half.
    await b_call.update_subscriptions_partial("video", {alice_session: None})
    await wait_for(lambda: _size_at(b_call, alice_session) == FULL, "bob back at full size")
    for _ in range(10):  # Carol's frames keep coming at the half layer meanwhile
        await wait_for(lambda: _size_at(c_call, alice_session) == HALF, "carol at half")
    assert a_call._media is not None
    assert a_call._media.wanted_video_dimension(b_call.state.session_id) is None
    assert a_call._media.wanted_video_dimension(c_call.state.session_id) == tile


async def test_only_video_subscriptions_take_a_dimension(clients: Callable) -> None:
    call = (await clients("Dave")).make_call("default", "layers-bad")
    with pytest.raises(ValueError, match="only 'video'"):
        await call.update_subscriptions_partial("screen_share", {"x": VideoDimension(10, 10)})
