"""Publishing a screen share needs the ``screenshare`` capability and the call's
``settings.screensharing.enabled`` (Stream's "Screen sharing settings"): checked by the
coordinator at join and at every ``track.update``, over a real WebSocket and real HTTP."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from app.protocol import ErrorEvent, TrackPublishedEvent
from tests.server.test_events import Peer

SCREENSHARING_OFF = {"screensharing": {"enabled": False}}


@pytest.fixture
def peers(connect_peer: Callable) -> Callable:
    """``await peers("Alice")``: a guest as a :class:`Peer`."""
    return lambda name: connect_peer(name, Peer)


def track_update(cid: str, session_id: str, *tracks: str) -> dict[str, object]:
    return {
        "type": "track.update",
        "call_cid": cid,
        "session_id": session_id,
        "published_tracks": list(tracks),
    }


async def test_screen_share_is_announced_beside_the_camera(peers: Callable) -> None:
    alice, bob = await peers("Alice"), await peers("Bob")
    session_a = alice.join("default:share", create=True, published_tracks=["video"]).session_id
    bob.join("default:share")
    await bob.ws.barrier()

    await alice.ws.send(track_update("default:share", session_a, "video", "screen_share"))

    published = await bob.ws.next_event("call.track_published")
    assert isinstance(published, TrackPublishedEvent)
    assert published.track_type == "screen_share"
    assert published.participant.published_tracks == ["video", "screen_share"]


async def test_a_viewer_without_the_capability_is_refused(peers: Callable) -> None:
    host, viewer = await peers("Host"), await peers("Viewer")
    host.join("livestream:show", create=True)
    host.rest.post("/api/v1/calls/livestream/show/go_live")
    joined = viewer.join("livestream:show")
    assert "screenshare" not in joined.own_capabilities
    await host.ws.barrier()

    await viewer.ws.send(track_update("livestream:show", joined.session_id, "screen_share"))

    error = await viewer.ws.next_event("error")
    assert isinstance(error, ErrorEvent)
    assert (error.code, error.request_type) == ("forbidden", "track.update")
    assert error.message == "missing capability 'screenshare' to publish screen_share"
    assert await host.ws.barrier() == []  # nothing was announced
    participants = host.rest.get("/api/v1/calls/livestream/show").json()["participants"]
    assert all(p["published_tracks"] == [] for p in participants)


async def test_screen_sharing_turned_off_in_the_settings_refuses_even_the_host(
    peers: Callable,
) -> None:
    host, guest = await peers("Host"), await peers("Guest")
    joined = host.join(
        "default:no-share",
        create=True,
        data={"settings_override": SCREENSHARING_OFF},
        published_tracks=["audio"],
    )
    assert "screenshare" in joined.own_capabilities  # the role has it; the call says no
    assert joined.call.settings.screensharing.enabled is False
    guest.join("default:no-share")
    await guest.ws.barrier()

    await host.ws.send(track_update("default:no-share", joined.session_id, "screen_share"))

    error = await host.ws.next_event("error")
    assert isinstance(error, ErrorEvent) and error.code == "forbidden"
    assert "settings.screensharing.enabled" in error.message
    assert await guest.ws.barrier() == []
    # the camera is still allowed: only screen-share tracks are gated by the setting
    await host.ws.send(track_update("default:no-share", joined.session_id, "audio", "video"))
    published = await guest.ws.next_event("call.track_published")
    assert isinstance(published, TrackPublishedEvent) and published.track_type == "video"


async def test_joining_with_a_refused_screen_share_is_a_403_not_a_5xx(peers: Callable) -> None:
    host, viewer = await peers("Host"), await peers("Viewer")
    host.join("default:closed", create=True, data={"settings_override": SCREENSHARING_OFF})
    refused = host.rest.post(
        "/api/v1/calls/default/closed/join",
        json={"connection_id": host.ws.connection_id, "published_tracks": ["screen_share"]},
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"
    assert "settings.screensharing.enabled" in refused.json()["message"]

    host.join("livestream:stage", create=True)
    host.rest.post("/api/v1/calls/livestream/stage/go_live")
    no_capability = viewer.rest.post(
        "/api/v1/calls/livestream/stage/join",
        json={"connection_id": viewer.ws.connection_id, "published_tracks": ["screen_share"]},
    )
    assert no_capability.status_code == 403
    assert no_capability.json() == {
        "code": "forbidden",
        "message": "missing capability 'screenshare' to publish screen_share",
        "field": None,
    }
