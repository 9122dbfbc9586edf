"""Events, signalling relay and track updates over real WebSockets."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from app.protocol import (
    CallSignalEvent,
    ErrorEvent,
    JoinCallResponse,
    ParticipantJoinedEvent,
    ParticipantLeftEvent,
    TrackPublishedEvent,
    TrackUnpublishedEvent,
)
from tests.fixtures.coordinator import RunningCoordinator
from tests.server.rest import api
from tests.server.ws_client import WsClient

OFFER = {"kind": "offer", "sdp": "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n"}


class Peer:
    def __init__(self, rest: httpx.Client, ws: WsClient) -> None:
        self.rest, self.ws, self.user_id = rest, ws, ws.user_id

    def join(self, cid: str, **body: object) -> JoinCallResponse:
        call_type, call_id = cid.split(":")
        answer = self.rest.post(
            f"/api/v1/calls/{call_type}/{call_id}/join",
            json={"connection_id": self.ws.connection_id, **body},
        )
        assert answer.status_code == 200, answer.text
        return JoinCallResponse.model_validate_json(answer.content)


@pytest.fixture
def peers(connect_peer: Callable) -> Callable:
    """``await peers("Alice")``: a guest as a :class:`Peer`."""
    return lambda name: connect_peer(name, Peer)


def _types(events: list) -> list[str]:
    return [event.type for event in events]


async def test_call_events_reach_members_and_participants_not_strangers(peers: Callable) -> None:
    alice, bob, mallory = await peers("Alice"), await peers("Bob"), await peers("Mallory")
    created = alice.rest.post(
        "/api/v1/calls/default/team", json={"data": {"members": [{"user_id": bob.user_id}]}}
    )
    assert created.status_code == 200
    assert "call.created" in _types(await bob.ws.barrier())
    alice.join("default:team")
    alice.rest.patch("/api/v1/calls/default/team", json={"custom": {"topic": "plans"}})
    alice.rest.post("/api/v1/calls/default/team/event", json={"custom": {"wave": True}})
    expected = ["call.session_participant_joined", "call.updated", "custom"]
    assert _types(await bob.ws.barrier()) == expected
    assert _types(await alice.ws.barrier()) == ["call.created", *expected]  # the creator hears all
    assert await mallory.ws.barrier() == []


async def test_watchers_get_events(peers: Callable) -> None:
    alice, watcher = await peers("Alice"), await peers("Watcher")
    alice.rest.post("/api/v1/calls/default/public", json={})
    refused = watcher.rest.get(
        "/api/v1/calls/default/public", params={"connection_id": alice.ws.connection_id}
    )
    assert refused.status_code == 403  # one cannot make another user's connection watch
    watched = watcher.rest.get(
        "/api/v1/calls/default/public", params={"connection_id": watcher.ws.connection_id}
    )
    assert watched.status_code == 200
    session = alice.join("default:public").session_id
    joined = await watcher.ws.next_event("call.session_participant_joined")
    assert isinstance(joined, ParticipantJoinedEvent) and joined.session_id == session


async def test_member_added_event(peers: Callable) -> None:
    alice, bob = await peers("Alice"), await peers("Bob")
    alice.rest.post("/api/v1/calls/default/grow", json={})
    alice.rest.post(
        "/api/v1/calls/default/grow/members", json={"update_members": [{"user_id": bob.user_id}]}
    )
    event = await bob.ws.next_event("call.member_added")
    assert [m.user_id for m in event.members] == [bob.user_id]


async def test_signal_relayed_between_sessions_of_one_call(peers: Callable) -> None:
    alice, bob = await peers("Alice"), await peers("Bob")
    session_a = alice.join("default:p2p", create=True).session_id
    session_b = bob.join("default:p2p").session_id
    await alice.ws.send(
        {
            "type": "signal",
            "call_cid": "default:p2p",
            "from_session_id": session_a,
            "to_session_id": session_b,
            "signal": OFFER,
        }
    )
    signal = await bob.ws.next_event("call.signal")
    assert isinstance(signal, CallSignalEvent)
    assert (signal.from_session_id, signal.to_session_id) == (session_a, session_b)
    assert signal.signal.sdp == OFFER["sdp"]
    assert "call.signal" not in _types(await alice.ws.barrier())


async def test_signal_to_another_call_is_refused_and_not_delivered(peers: Callable) -> None:
    alice, carol = await peers("Alice"), await peers("Carol")
    session_a = alice.join("default:one", create=True).session_id
    session_c = carol.join("default:two", create=True).session_id
    await alice.ws.send(
        {
            "type": "signal",
            "call_cid": "default:one",
            "from_session_id": session_a,
            "to_session_id": session_c,
            "signal": OFFER,
        }
    )
    error = await alice.ws.next_event("error")
    assert isinstance(error, ErrorEvent) and error.code == "forbidden"
    assert error.request_type == "signal"
    # Claiming the target's call does not help: the sender's session is not in it.
    await alice.ws.send(
        {
            "type": "signal",
            "call_cid": "default:two",
            "from_session_id": session_a,
            "to_session_id": session_c,
            "signal": OFFER,
        }
    )
    error = await alice.ws.next_event("error")
    assert error.code == "not_joined"
    assert "call.signal" not in _types(await carol.ws.barrier())


async def test_signal_from_a_session_of_another_connection_is_refused(peers: Callable) -> None:
    alice, bob = await peers("Alice"), await peers("Bob")
    session_a = alice.join("default:spoof", create=True).session_id
    session_b = bob.join("default:spoof").session_id
    await bob.ws.send(
        {
            "type": "signal",
            "call_cid": "default:spoof",
            "from_session_id": session_a,
            "to_session_id": session_b,
            "signal": OFFER,
        }
    )
    assert (await bob.ws.next_event("error")).code == "not_joined"
    assert "call.signal" not in _types(await alice.ws.barrier())


async def test_track_update_broadcasts_differences(peers: Callable) -> None:
    alice, bob = await peers("Alice"), await peers("Bob")
    session_a = alice.join("default:tracks", create=True, published_tracks=["audio"]).session_id
    bob.join("default:tracks")
    await bob.ws.barrier()
    await alice.ws.send(
        {
            "type": "track.update",
            "call_cid": "default:tracks",
            "session_id": session_a,
            "published_tracks": ["video", "screen_share"],
        }
    )
    events = [await bob.ws.next_event() for _ in range(3)]
    published = [e for e in events if isinstance(e, TrackPublishedEvent)]
    unpublished = [e for e in events if isinstance(e, TrackUnpublishedEvent)]
    assert sorted(e.track_type for e in published) == ["screen_share", "video"]
    assert [e.track_type for e in unpublished] == ["audio"]
    assert all(e.session_id == session_a for e in events)
    assert published[-1].participant.published_tracks == ["video", "screen_share"]


async def test_track_update_needs_capability_and_ownership(peers: Callable) -> None:
    host, viewer = await peers("Host"), await peers("Viewer")
    host.join("livestream:tv", create=True)
    host.rest.post("/api/v1/calls/livestream/tv/go_live")
    session_v = viewer.join("livestream:tv").session_id
    await host.ws.barrier()
    await viewer.ws.send(
        {
            "type": "track.update",
            "call_cid": "livestream:tv",
            "session_id": session_v,
            "published_tracks": ["video"],
        }
    )
    error = await viewer.ws.next_event("error")
    assert error.code == "forbidden" and "send-video" in error.message
    assert await host.ws.barrier() == []


async def test_ws_close_makes_sessions_leave(
    peers: Callable, coordinator: RunningCoordinator
) -> None:
    alice, bob = await peers("Alice"), await peers("Bob")
    alice.join("default:bye", create=True)
    session_b = bob.join("default:bye").session_id
    await bob.ws.close()
    left = await alice.ws.next_event("call.session_participant_left")
    assert isinstance(left, ParticipantLeftEvent) and left.session_id == session_b
    assert api(coordinator).get("/api/v1/health").json()["active_sessions"] == 1


async def test_call_ended_reaches_participants_and_drops_sessions(
    peers: Callable, coordinator: RunningCoordinator
) -> None:
    alice, bob = await peers("Alice"), await peers("Bob")
    alice.join("default:fin", create=True)
    bob.join("default:fin")
    alice.rest.post("/api/v1/calls/default/fin/end")
    ended = await bob.ws.next_event("call.ended")
    assert ended.user is not None and ended.user.id == alice.user_id
    assert api(coordinator).get("/api/v1/health").json()["active_sessions"] == 0


async def test_malformed_messages_get_errors_and_connection_stays(peers: Callable) -> None:
    alice = await peers("Alice")
    for bad in ("{not json", '{"type": "dance"}', '{"type": "signal"}', "[]", '"x"'):
        await alice.ws.send(bad)
        error = await alice.ws.next_event("error")
        assert error.code == "invalid_request"
    await alice.ws.socket.send(b"\x00binary")
    assert (await alice.ws.next_event("error")).code == "invalid_request"
    assert alice.join("default:still-here", create=True).session_id


async def test_health_check_is_sent_periodically(make_coordinator: Callable) -> None:
    server = make_coordinator(health_check_interval_s=0.1)
    ws = await WsClient.connect(server.ws_url, server.guest("Alice").access_token)
    try:
        first = await ws.next_event("health.check")
        second = await ws.next_event("health.check")
        assert first.connection_id == ws.connection_id
        assert second.created_at > first.created_at
    finally:
        await ws.close()
