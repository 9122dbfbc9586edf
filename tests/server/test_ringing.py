"""Ringing on a real coordinator: ring, accept, reject, server-side timeouts, glare, missed
calls, several devices of one user, and refusals — over real HTTP and WebSockets."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from app.protocol import (
    CallAcceptedEvent,
    CallMissedEvent,
    CallRejectedEvent,
    CallRingEvent,
    CallStateResponse,
    GetOrCreateCallResponse,
    MissedCallResponse,
    RejectReason,
    RingCallResponse,
)
from tests.fixtures.coordinator import RunningCoordinator
from tests.server.rest import api
from tests.server.ws_client import WsClient

pytestmark = pytest.mark.asyncio
LONG_MS = 20_000  # a timer that must not fire during the test
SHORT_MS = 300


class Person:
    """A user with a REST client and one WebSocket per device."""

    def __init__(self, coordinator: RunningCoordinator, token: str, user_id: str) -> None:
        self.coordinator, self.token, self.user_id = coordinator, token, user_id
        self.rest = api(coordinator, token)
        self.devices: list[WsClient] = []

    @property
    def ws(self) -> WsClient:
        return self.devices[0]

    async def add_device(self) -> WsClient:
        device = await WsClient.connect(self.coordinator.ws_url, self.token)
        self.devices.append(device)
        return device

    def post(self, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        return self.rest.post(path, json=body or {})

    def ring_call(
        self,
        call_id: str,
        members: list[str],
        *,
        incoming_ms: int = LONG_MS,
        cancel_ms: int = LONG_MS,
    ) -> httpx.Response:
        """get-or-create with ``ring`` and the given ring timeouts."""
        return self.post(
            f"/api/v1/calls/default/{call_id}",
            {
                "ring": True,
                "data": {
                    "members": [{"user_id": m} for m in members],
                    "settings_override": {
                        "ring": {
                            "incoming_call_timeout_ms": incoming_ms,
                            "auto_cancel_timeout_ms": cancel_ms,
                        }
                    },
                },
            },
        )


@pytest.fixture
async def people(coordinator: RunningCoordinator) -> AsyncIterator[Callable]:
    made: list[Person] = []

    async def make(name: str, *, devices: int = 1) -> Person:
        issued = coordinator.guest(name)
        person = Person(coordinator, issued.access_token, issued.user.id)
        for _ in range(devices):
            await person.add_device()
        made.append(person)
        return person

    yield make
    for person in made:
        for device in person.devices:
            await device.close()
        person.rest.close()


def _ring_state(person: Person, call_id: str) -> CallStateResponse:
    answer = person.rest.get(f"/api/v1/calls/default/{call_id}")
    assert answer.status_code == 200, answer.text
    return CallStateResponse.model_validate_json(answer.content)


async def test_ring_accept_reaches_every_device_and_ends_the_ring(people: Callable) -> None:
    alice, bob = await people("Alice"), await people("Bob", devices=2)
    created = alice.ring_call("r-accept", [bob.user_id])
    assert created.status_code == 200, created.text
    answer = GetOrCreateCallResponse.model_validate_json(created.content)
    assert answer.ring is not None and answer.ring.ringing_user_ids == [bob.user_id]
    assert answer.ring_redirect_cid is None

    for device in bob.devices:
        ring = await device.next_event("call.ring")
        assert isinstance(ring, CallRingEvent)
        assert ring.user.id == alice.user_id and ring.video
        assert ring.ring.ringing_user_ids == [bob.user_id]
        assert [c.name for c in ring.ring.callees] == ["Bob"]
    assert "call.ring" in [e.type for e in await alice.ws.barrier()]  # the caller hears it

    accepted = bob.post("/api/v1/calls/default/r-accept/accept")
    assert accepted.status_code == 200, accepted.text
    for device in (*bob.devices, alice.ws):
        event = await device.next_event("call.accepted")
        assert isinstance(event, CallAcceptedEvent)
        assert event.user.id == bob.user_id
        assert event.ring.accepted_by == [bob.user_id] and event.ring.ringing_user_ids == []
    assert _ring_state(alice, "r-accept").ring is None  # nobody rings any more
    again = bob.post("/api/v1/calls/default/r-accept/accept")
    assert again.status_code == 409 and again.json()["code"] == "conflict"


async def test_decline_tells_the_caller_and_busy_is_kept(people: Callable) -> None:
    alice, bob, carol = await people("Alice"), await people("Bob"), await people("Carol")
    alice.ring_call("r-decline", [bob.user_id, carol.user_id])
    declined = bob.post("/api/v1/calls/default/r-decline/reject", {"reason": "decline"})
    assert declined.status_code == 200, declined.text
    event = await alice.ws.next_event("call.rejected")
    assert isinstance(event, CallRejectedEvent)
    assert (event.user.id, event.reason) == (bob.user_id, RejectReason.DECLINE)
    assert event.ring.ringing_user_ids == [carol.user_id]  # Carol still rings
    busy = carol.post("/api/v1/calls/default/r-decline/reject", {"reason": "busy"})
    assert busy.status_code == 200
    event = await alice.ws.next_event("call.rejected")
    assert (event.user.id, event.reason) == (carol.user_id, RejectReason.BUSY)
    assert event.ring.rejected_by == {bob.user_id: "decline", carol.user_id: "busy"}
    assert _ring_state(alice, "r-decline").ring is None
    missed = bob.rest.get("/api/v1/users/me/missed_calls").json()
    assert missed == []  # declining is an answer, not a missed call


async def test_an_unanswered_callee_times_out_into_a_missed_call(people: Callable) -> None:
    alice, bob = await people("Alice"), await people("Bob")
    alice.ring_call("r-timeout", [bob.user_id], incoming_ms=SHORT_MS)
    await bob.ws.next_event("call.ring")
    rejected = await bob.ws.next_event("call.rejected")
    assert isinstance(rejected, CallRejectedEvent)
    assert (rejected.user.id, rejected.reason) == (bob.user_id, RejectReason.TIMEOUT)
    missed = await bob.ws.next_event("call.missed")
    assert isinstance(missed, CallMissedEvent)
    assert missed.user.id == alice.user_id and missed.call_cid == "default:r-timeout"
    event = await alice.ws.next_event("call.rejected")
    assert (event.user.id, event.reason) == (bob.user_id, RejectReason.TIMEOUT)
    assert "call.missed" not in [e.type for e in await alice.ws.barrier()]

    listed = [
        MissedCallResponse.model_validate(m)
        for m in bob.rest.get("/api/v1/users/me/missed_calls").json()
    ]
    assert [(m.call.cid, m.caller.id) for m in listed] == [("default:r-timeout", alice.user_id)]
    assert _ring_state(alice, "r-timeout").ring is None


async def test_the_caller_side_auto_cancels_for_everyone(people: Callable) -> None:
    alice, bob = await people("Alice"), await people("Bob", devices=2)
    alice.ring_call("r-auto", [bob.user_id], cancel_ms=SHORT_MS)
    for device in (*bob.devices, alice.ws):
        event = await device.next_event("call.rejected")
        assert isinstance(event, CallRejectedEvent)
        assert (event.user.id, event.reason) == (alice.user_id, RejectReason.TIMEOUT)
    for device in bob.devices:
        assert isinstance(await device.next_event("call.missed"), CallMissedEvent)
    assert len(bob.rest.get("/api/v1/users/me/missed_calls").json()) == 1
    late = bob.post("/api/v1/calls/default/r-auto/accept")
    assert late.status_code == 409


async def test_the_caller_cancels_and_ringing_stops_everywhere(people: Callable) -> None:
    alice, bob = await people("Alice", devices=2), await people("Bob")
    alice.ring_call("r-cancel", [bob.user_id])
    await bob.ws.next_event("call.ring")
    cancelled = alice.post("/api/v1/calls/default/r-cancel/reject", {"reason": "cancel"})
    assert cancelled.status_code == 200, cancelled.text
    for device in (bob.ws, *alice.devices):
        event = await device.next_event("call.rejected")
        assert (event.user.id, event.reason) == (alice.user_id, RejectReason.CANCEL)
    assert isinstance(await bob.ws.next_event("call.missed"), CallMissedEvent)
    assert bob.post("/api/v1/calls/default/r-cancel/reject").status_code == 409


async def test_a_device_that_connects_mid_ring_rings_too(people: Callable) -> None:
    alice, bob = await people("Alice"), await people("Bob")
    alice.ring_call("r-late", [bob.user_id])
    late_device = await bob.add_device()
    event = await late_device.next_event("call.ring")
    assert isinstance(event, CallRingEvent) and event.call_cid == "default:r-late"


async def test_ringing_each_other_ends_in_one_call(people: Callable) -> None:
    alice, bob = await people("Alice"), await people("Bob")
    assert alice.ring_call("glare-a", [bob.user_id]).status_code == 200
    crossed = bob.ring_call("glare-b", [alice.user_id])
    assert crossed.status_code == 200, crossed.text
    answer = GetOrCreateCallResponse.model_validate_json(crossed.content)
    assert answer.ring_redirect_cid == "default:glare-a"
    assert answer.ring is None  # glare-b never rang
    accepted = await alice.ws.next_event("call.accepted")
    assert (accepted.call_cid, accepted.user.id) == ("default:glare-a", bob.user_id)
    assert "call.ring" not in [
        e.type for e in await alice.ws.barrier() if e.call_cid == "default:glare-b"
    ]


async def test_simultaneous_rings_both_ways_make_one_redirect(
    coordinator: RunningCoordinator, people: Callable
) -> None:
    alice, bob = await people("Alice"), await people("Bob")

    async def ring(person: Person, call_id: str, callee: str) -> RingCallResponse:
        async with httpx.AsyncClient(
            base_url=coordinator.url,
            headers={"Authorization": f"Bearer {person.token}"},
            trust_env=False,
        ) as client:
            made = await client.post(
                f"/api/v1/calls/default/{call_id}",
                json={"data": {"members": [{"user_id": callee}]}},
            )
            assert made.status_code == 200
            answer = await client.post(f"/api/v1/calls/default/{call_id}/ring", json={})
            assert answer.status_code == 200, answer.text
            return RingCallResponse.model_validate_json(answer.content)

    answers = await asyncio.gather(
        ring(alice, "both-a", bob.user_id), ring(bob, "both-b", alice.user_id)
    )
    redirects = [a.ring_redirect_cid for a in answers]
    assert redirects.count(None) == 1  # one rang; the other was sent into that call
    winner = next(r for r in redirects if r is not None)
    assert winner in ("default:both-a", "default:both-b")
    assert _ring_state(alice, winner.split(":")[1]).ring is None  # accepted: ring over


async def test_ringing_an_existing_call_and_ending_it(people: Callable) -> None:
    alice, bob = await people("Alice"), await people("Bob")
    alice.post("/api/v1/calls/default/r-later", {"data": {"members": [{"user_id": bob.user_id}]}})
    rung = alice.post("/api/v1/calls/default/r-later/ring", {"members": [bob.user_id]})
    assert rung.status_code == 200, rung.text
    assert RingCallResponse.model_validate_json(rung.content).ring.ringing_user_ids == [bob.user_id]
    await bob.ws.next_event("call.ring")
    assert alice.post("/api/v1/calls/default/r-later/end").status_code == 200
    await bob.ws.next_event("call.ended")
    assert _ring_state(alice, "r-later").ring is None
    ended = bob.post("/api/v1/calls/default/r-later/accept")
    assert ended.status_code == 410 and ended.json()["code"] == "call_ended"
    assert alice.post("/api/v1/calls/default/r-later/ring").status_code == 410


async def test_refusals_are_clear_and_never_5xx(people: Callable) -> None:
    alice, bob, mallory = await people("Alice"), await people("Bob"), await people("Mallory")
    carol = await people("Carol")
    unknown = alice.ring_call("r-bad", ["nobody-like-this"])
    assert unknown.status_code == 404 and unknown.json()["field"] == "data.members.0"
    assert alice.rest.get("/api/v1/calls/default/r-bad").status_code == 404  # not created

    alice.post(
        "/api/v1/calls/default/r-auth",
        {"data": {"members": [{"user_id": bob.user_id}, {"user_id": carol.user_id}]}},
    )
    assert alice.post("/api/v1/calls/default/r-auth/ring", {"members": [bob.user_id]}).is_success
    for action in ("accept", "reject"):
        refused = mallory.post(f"/api/v1/calls/default/r-auth/{action}")
        assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert mallory.post("/api/v1/calls/default/r-auth/ring").status_code == 403
    assert alice.post("/api/v1/calls/default/r-auth/accept").status_code == 409  # the caller
    not_member = alice.post("/api/v1/calls/default/r-auth/ring", {"members": [mallory.user_id]})
    assert not_member.status_code == 422 and not_member.json()["field"] == "members.0"
    myself = alice.post("/api/v1/calls/default/r-auth/ring", {"members": [alice.user_id]})
    assert myself.status_code == 422
    bad_reason = bob.post("/api/v1/calls/default/r-auth/reject", {"reason": "because"})
    assert bad_reason.status_code == 422
    bad_member = alice.post("/api/v1/calls/default/r-auth/ring", {"members": ["no spaces"]})
    assert bad_member.status_code == 422
    by_carol = carol.post("/api/v1/calls/default/r-auth/ring", {"members": [bob.user_id]})
    assert by_carol.status_code == 409  # already ringing, rung by Alice
    assert carol.post("/api/v1/calls/default/r-auth/accept").status_code == 409  # not rung
    by_bob = bob.post("/api/v1/calls/default/r-auth/ring", {"members": [alice.user_id]})
    assert by_bob.status_code == 200  # ringing back the one who rings you answers the call
    assert by_bob.json()["ring_redirect_cid"] == "default:r-auth"
    missing = alice.post("/api/v1/calls/default/no-such-call/accept")
    assert missing.status_code == 404 and missing.json()["code"] == "call_not_found"

    live = alice.post(
        "/api/v1/calls/livestream/r-live",
        {"ring": True, "data": {"members": [{"user_id": bob.user_id}]}},
    )
    assert live.status_code == 422  # livestream calls do not ring (timeouts 0)
    zero = alice.ring_call("r-zero", [bob.user_id], incoming_ms=0)
    assert zero.status_code == 422


async def test_joining_while_rung_answers_the_ring(people: Callable) -> None:
    alice, bob = await people("Alice"), await people("Bob")
    alice.ring_call("r-join", [bob.user_id])
    joined = bob.post("/api/v1/calls/default/r-join/join", {"connection_id": bob.ws.connection_id})
    assert joined.status_code == 200, joined.text
    event = await alice.ws.next_event("call.accepted")
    assert isinstance(event, CallAcceptedEvent) and event.user.id == bob.user_id
    assert _ring_state(alice, "r-join").ring is None
