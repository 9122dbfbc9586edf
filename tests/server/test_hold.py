"""``hold.update`` over real WebSockets: a session's hold reaches the call's audience,
late joiners read it from the participant list, and only the session's own connection
may change it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from app.protocol import CallParticipantHoldEvent
from tests.server.test_events import Peer


@pytest.fixture
def peers(connect_peer: Callable) -> Callable:
    """``await peers("Alice")``: a guest as a :class:`Peer`."""
    return lambda name: connect_peer(name, Peer)


def _hold(cid: str, session_id: str, on_hold: bool) -> dict[str, object]:
    return {"type": "hold.update", "call_cid": cid, "session_id": session_id, "on_hold": on_hold}


async def test_a_hold_reaches_the_call_and_late_joiners(peers: Callable) -> None:
    alice, bob, carol = await peers("Alice"), await peers("Bob"), await peers("Carol")
    session_a = alice.join("default:held", create=True).session_id
    bob.join("default:held")
    await alice.ws.barrier()
    await bob.ws.barrier()

    await alice.ws.send(_hold("default:held", session_a, True))
    event = await bob.ws.next_event("call.session_participant_hold")
    assert isinstance(event, CallParticipantHoldEvent)
    assert event.session_id == session_a and event.on_hold and event.participant.on_hold
    assert (await alice.ws.next_event("call.session_participant_hold")).on_hold  # her own too

    await alice.ws.send(_hold("default:held", session_a, True))  # unchanged: no event
    assert await bob.ws.barrier() == []

    joined = carol.join("default:held")
    held = {p.session_id: p.on_hold for p in joined.participants}
    assert held[session_a] and not held[joined.session_id]

    await alice.ws.send(_hold("default:held", session_a, False))
    assert not (await bob.ws.next_event("call.session_participant_hold")).on_hold


async def test_only_the_session_s_own_connection_may_hold_it(peers: Callable) -> None:
    alice, mallory = await peers("Alice"), await peers("Mallory")
    session_a = alice.join("default:mine", create=True).session_id
    mallory.join("default:mine")
    await alice.ws.barrier()
    await mallory.ws.send(_hold("default:mine", session_a, True))
    error = await mallory.ws.next_event("error")
    assert error.code == "not_joined" and error.request_type == "hold.update"
    assert await alice.ws.barrier() == []
