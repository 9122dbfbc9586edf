"""Reactions through the engine against a real coordinator: VideoClients in one process
joined to one call (real peers on loopback). Reactions are asserted on the other side's
participant snapshots; tests wait on conditions, never on the clock."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from app.call import CallError, Reaction
from app.call.reactions import REACTION_LIFETIME_S
from tests.call.test_call_lifecycle import wait_for

pytestmark = pytest.mark.asyncio


async def test_a_reaction_shows_on_the_other_side_then_clears(clients: Callable) -> None:
    alice, bob = await clients("Alice"), await clients("Bob")
    a_call, b_call = alice.make_call("default", "cheer"), bob.make_call("default", "cheer")
    await a_call.join()
    await b_call.join(create=False)
    alice_session = a_call.state.session_id
    assert alice_session is not None
    await wait_for(lambda: b_call.state.participant(alice_session) is not None, "alice at bob")
    seen: list[Reaction] = []
    b_call.subscribe(
        lambda s: seen.append(r) if (r := s.participant(alice_session).reaction) else None
    )

    await a_call.send_reaction(":fireworks:")

    await wait_for(lambda: bool(seen), "alice's reaction at bob")
    assert (seen[0].type, seen[0].emoji_code) == ("reaction", ":fireworks:")
    assert a_call.state.participant(alice_session).reaction is not None  # her own tile too
    assert b_call.state.participant(b_call.state.session_id).reaction is None
    await wait_for(
        lambda: b_call.state.participant(alice_session).reaction is None,
        "the reaction to clear at bob",
        timeout_s=REACTION_LIFETIME_S + 10,
    )
    await wait_for(
        lambda: a_call.state.participant(alice_session).reaction is None,
        "the reaction to clear at alice",
        timeout_s=REACTION_LIFETIME_S + 10,
    )


async def test_a_raised_hand_is_seen_by_a_late_joiner_and_lowered(clients: Callable) -> None:
    alice, bob = await clients("Alice"), await clients("Bob")
    a_call = alice.make_call("default", "lecture")
    await a_call.join()
    alice_session = a_call.state.session_id
    assert alice_session is not None

    await a_call.set_hand_raised(True)
    assert a_call.state.participant(alice_session).is_hand_raised

    b_call = bob.make_call("default", "lecture")
    await b_call.join(create=False)  # after the hand went up: only the join answer says so
    assert b_call.state.participant(alice_session).is_hand_raised
    assert not b_call.state.participant(b_call.state.session_id).is_hand_raised
    assert b_call.state.participant(alice_session).reaction is None  # a state, not an emoji

    await a_call.set_hand_raised(False)
    await wait_for(
        lambda: not b_call.state.participant(alice_session).is_hand_raised, "the hand lowered"
    )


async def test_bad_reactions_and_raising_a_hand_outside_the_call_fail(clients: Callable) -> None:
    alice = await clients("Alice")
    call = alice.make_call("default", "outside")
    await call.get_or_create()
    with pytest.raises(CallError) as raised:
        await call.set_hand_raised(True)
    assert raised.value.code == "not_joined"
    with pytest.raises(CallError) as bad:
        await call.send_reaction("thumbs up")
    assert bad.value.code == "invalid_request"
