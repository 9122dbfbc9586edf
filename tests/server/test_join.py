"""Joining and leaving calls over REST with real WebSocket connections."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from app.protocol import ErrorResponse, ICEServer, JoinCallResponse, ParticipantLeftEvent
from tests.fixtures.coordinator import RunningCoordinator
from tests.server.rest import api
from tests.server.ws_client import WsClient


class Peer:
    """A signed-in user with a REST client and one WebSocket connection."""

    def __init__(self, rest: httpx.Client, ws: WsClient) -> None:
        self.rest = rest
        self.ws = ws
        self.user_id = ws.user_id

    def join(self, cid: str, **body: object) -> httpx.Response:
        call_type, call_id = cid.split(":")
        payload = {"connection_id": self.ws.connection_id, **body}
        return self.rest.post(f"/api/v1/calls/{call_type}/{call_id}/join", json=payload)


@pytest.fixture
def peers(connect_peer: Callable) -> Callable:
    """``await peers("Alice")``: a guest as a :class:`Peer`."""
    return lambda name: connect_peer(name, Peer)


def _error(answer: httpx.Response) -> ErrorResponse:
    return ErrorResponse.model_validate_json(answer.content)


async def test_join_with_create_returns_session_and_mesh_credentials(
    coordinator: RunningCoordinator, peers: Callable
) -> None:
    alice = await peers("Alice")
    answer = alice.join("default:room", create=True, published_tracks=["audio", "video"])
    assert answer.status_code == 200, answer.text
    joined = JoinCallResponse.model_validate_json(answer.content)
    assert joined.created is True
    assert joined.session_id
    assert joined.credentials.mode == "mesh"
    assert joined.credentials.loopback_only is True
    assert [p.session_id for p in joined.participants] == [joined.session_id]
    assert joined.participants[0].published_tracks == ["audio", "video"]
    assert joined.call.session_id  # the call now has a live session
    health = api(coordinator).get("/api/v1/health").json()
    assert (health["active_calls"], health["active_sessions"]) == (1, 1)


async def test_ice_servers_come_from_settings(make_coordinator: Callable) -> None:
    stun = ICEServer(urls=["stun:127.0.0.1:3478"])
    server = make_coordinator(ice_servers=[stun], local_mode=True)
    token = server.guest("Alice").access_token
    ws = await WsClient.connect(server.ws_url, token)
    try:
        answer = api(server, token).post(
            "/api/v1/calls/default/ice/join",
            json={"connection_id": ws.connection_id, "create": True},
        )
        assert JoinCallResponse.model_validate_json(answer.content).credentials.ice_servers == [
            stun
        ]
    finally:
        await ws.close()


async def test_join_missing_call_without_create_is_404(peers: Callable) -> None:
    alice = await peers("Alice")
    answer = alice.join("default:nowhere")
    assert answer.status_code == 404
    assert _error(answer).code == "call_not_found"


async def test_join_needs_own_live_connection(
    coordinator: RunningCoordinator, peers: Callable
) -> None:
    alice, bob = await peers("Alice"), await peers("Bob")
    alice.join("default:c", create=True)
    stolen = bob.rest.post(
        "/api/v1/calls/default/c/join", json={"connection_id": alice.ws.connection_id}
    )
    assert stolen.status_code == 403
    assert _error(stolen).field == "connection_id"
    unknown = bob.rest.post("/api/v1/calls/default/c/join", json={"connection_id": "nope"})
    assert unknown.status_code == 403


async def test_viewer_cannot_join_livestream_in_backstage_until_live(peers: Callable) -> None:
    host, viewer = await peers("Host"), await peers("Viewer")
    assert host.join("livestream:show", create=True, published_tracks=["video"]).status_code == 200
    refused = viewer.join("livestream:show")
    assert refused.status_code == 403
    assert _error(refused).code == "forbidden"
    assert "join-backstage" in _error(refused).message
    assert viewer.rest.post("/api/v1/calls/livestream/show/go_live").status_code == 403
    assert host.rest.post("/api/v1/calls/livestream/show/go_live").status_code == 200
    assert viewer.join("livestream:show").status_code == 200
    # Viewers watch: publishing needs send-video, which the livestream table gives hosts.
    publishing = viewer.join("livestream:show", published_tracks=["video"])
    assert publishing.status_code == 403
    assert "send-video" in _error(publishing).message


async def test_ended_call_cannot_be_joined(peers: Callable) -> None:
    alice, bob = await peers("Alice"), await peers("Bob")
    alice.join("default:done", create=True)
    assert alice.rest.post("/api/v1/calls/default/done/end").status_code == 200
    refused = bob.join("default:done")
    assert refused.status_code == 410
    assert _error(refused).code == "call_ended"
    # development grants join-ended-call.
    alice.join("development:done", create=True)
    alice.rest.post("/api/v1/calls/development/done/end")
    assert bob.join("development:done").status_code == 200


async def test_leave_own_session_only(peers: Callable) -> None:
    alice, bob = await peers("Alice"), await peers("Bob")
    session_a = JoinCallResponse.model_validate_json(
        alice.join("default:l", create=True).content
    ).session_id
    bob.join("default:l")
    foreign = bob.rest.post("/api/v1/calls/default/l/leave", json={"session_id": session_a})
    assert foreign.status_code == 403
    wrong_call = alice.rest.post(
        "/api/v1/calls/default/other/leave", json={"session_id": session_a}
    )
    assert wrong_call.status_code == 409
    assert _error(wrong_call).code == "not_joined"
    left = alice.rest.post("/api/v1/calls/default/l/leave", json={"session_id": session_a})
    assert left.status_code == 200
    event = await bob.ws.next_event("call.session_participant_left")
    assert isinstance(event, ParticipantLeftEvent)
    assert event.session_id == session_a
    again = alice.rest.post("/api/v1/calls/default/l/leave", json={"session_id": session_a})
    assert again.status_code == 409
