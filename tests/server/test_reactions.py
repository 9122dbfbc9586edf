"""Reactions on a real coordinator: ``POST .../reaction`` over real HTTP, ``call.reaction``
over real WebSockets, the raised hand kept on the participant for late joiners, the
``create-reaction`` capability and bad input."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import httpx
import pytest

from app.protocol import (
    CallReactionEvent,
    ErrorResponse,
    JoinCallResponse,
    OwnCapability,
    SendReactionResponse,
)
from app.server.call_types import CALL_TYPES
from tests.server.ws_client import WsClient

pytestmark = pytest.mark.asyncio


class Peer:
    """A signed-in user with a REST client and one WebSocket connection."""

    def __init__(self, rest: httpx.Client, ws: WsClient) -> None:
        self.rest, self.ws, self.user_id = rest, ws, ws.user_id

    def join(self, cid: str, *, create: bool = False) -> JoinCallResponse:
        call_type, call_id = cid.split(":")
        answer = self.rest.post(
            f"/api/v1/calls/{call_type}/{call_id}/join",
            json={"connection_id": self.ws.connection_id, "create": create},
        )
        assert answer.status_code == 200, answer.text
        return JoinCallResponse.model_validate_json(answer.content)

    def react(self, cid: str, body: object) -> httpx.Response:
        call_type, call_id = cid.split(":")
        return self.rest.post(f"/api/v1/calls/{call_type}/{call_id}/reaction", json=body)


@pytest.fixture
def peers(connect_peer: Callable) -> Callable:
    """``await peers("Alice")``: a guest as a :class:`Peer`."""
    return lambda name: connect_peer(name, Peer)


def _error(answer: httpx.Response) -> ErrorResponse:
    return ErrorResponse.model_validate_json(answer.content)


async def test_a_reaction_reaches_the_other_participant(peers: Callable) -> None:
    alice, bob = await peers("Alice"), await peers("Bob")
    alice.join("default:party", create=True)
    bob.join("default:party")

    answer = alice.react("default:party", {"type": "reaction", "emoji_code": ":fireworks:"})
    assert answer.status_code == 200, answer.text
    sent = SendReactionResponse.model_validate_json(answer.content).reaction
    assert (sent.user.id, sent.emoji_code) == (alice.user_id, ":fireworks:")

    event = await bob.ws.next_event("call.reaction")
    assert isinstance(event, CallReactionEvent)
    assert event.call_cid == "default:party"
    assert (event.reaction.user.id, event.reaction.user.name) == (alice.user_id, "Alice")
    assert (event.reaction.type, event.reaction.emoji_code) == ("reaction", ":fireworks:")
    # the sender hears it too (one code path for everyone's tiles)
    mine = await alice.ws.next_event("call.reaction")
    assert isinstance(mine, CallReactionEvent) and mine.reaction == event.reaction


async def test_a_raised_hand_stays_on_the_participant_until_lowered(peers: Callable) -> None:
    alice, bob = await peers("Alice"), await peers("Bob")
    session = alice.join("default:class", create=True).session_id

    raised = alice.react("default:class", {"type": "raised-hand", "emoji_code": ":raised-hand:"})
    assert raised.status_code == 200, raised.text
    event = await alice.ws.next_event("call.reaction")
    assert isinstance(event, CallReactionEvent) and event.reaction.type == "raised-hand"

    late = bob.join("default:class")  # joins after the hand went up
    by_session = {p.session_id: p for p in late.participants}
    assert by_session[session].raised_hand is True
    assert by_session[late.session_id].raised_hand is False

    lowered = alice.react("default:class", {"type": "raised-hand", "custom": {"raised": False}})
    assert lowered.status_code == 200, lowered.text
    event = await bob.ws.next_event("call.reaction")
    assert isinstance(event, CallReactionEvent) and event.reaction.custom == {"raised": False}
    state = bob.rest.get("/api/v1/calls/default/class").json()
    assert [p["raised_hand"] for p in state["participants"]] == [False, False]


async def test_a_hand_cannot_be_raised_from_outside_the_call(peers: Callable) -> None:
    alice, carol = await peers("Alice"), await peers("Carol")
    alice.join("default:closed", create=True)
    answer = carol.react("default:closed", {"type": "raised-hand"})
    assert answer.status_code == 409
    assert _error(answer).code == "not_joined"
    # a passing emoji needs no session (a watcher may cheer)
    assert carol.react("default:closed", {"emoji_code": ":like:"}).status_code == 200


async def test_without_create_reaction_the_reaction_is_refused(
    peers: Callable, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every built-in call type grants create-reaction to every role (viewers of a
    # livestream included: cheering is what they do), so the refusal is shown on a call
    # type configured without it, served by the same running coordinator.
    default = CALL_TYPES["default"]
    quiet = replace(
        default,
        name="quiet",
        grants={
            role: granted - {OwnCapability.CREATE_REACTION}
            for role, granted in default.grants.items()
        },
    )
    monkeypatch.setitem(CALL_TYPES, "quiet", quiet)
    alice, bob = await peers("Alice"), await peers("Bob")
    alice.join("quiet:library", create=True)
    bob.join("quiet:library")

    answer = alice.react("quiet:library", {"emoji_code": ":like:"})
    assert answer.status_code == 403
    error = _error(answer)
    assert error.code == "forbidden" and "create-reaction" in error.message
    assert all(e.type != "call.reaction" for e in await bob.ws.barrier())


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"emoji_code": "like"}, "emoji_code"),  # not between colons
        ({"emoji_code": ":" + "a" * 65 + ":"}, "emoji_code"),
        ({"type": "Raised Hand"}, "type"),
        ({"type": "raised-hand", "custom": {"raised": "yes"}}, "custom"),
        ({"emoji_code": ":like:", "custom": []}, "custom"),
    ],
)
async def test_bad_reactions_are_refused_with_422(
    peers: Callable, body: dict[str, object], field: str
) -> None:
    alice, bob = await peers("Alice"), await peers("Bob")
    alice.join("default:strict", create=True)
    bob.join("default:strict")
    answer = alice.react("default:strict", body)
    assert answer.status_code == 422, answer.text
    error = _error(answer)
    assert error.code == "invalid_request"
    assert field in (error.field or "") + error.message
    assert all(e.type != "call.reaction" for e in await bob.ws.barrier())


async def test_reactions_to_unknown_calls_are_404(peers: Callable) -> None:
    alice = await peers("Alice")
    answer = alice.react("default:nowhere", {"emoji_code": ":like:"})
    assert answer.status_code == 404
    assert _error(answer).code == "call_not_found"
