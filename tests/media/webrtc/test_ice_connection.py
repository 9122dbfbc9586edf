"""ICE reports "connected" when its checks succeed, not at the next pacing tick
(``app.media.webrtc.ice_connection``): two real aioice agents on loopback."""

from __future__ import annotations

import asyncio

import aiortc.rtcicetransport
import pytest

from app.media import apply_ice_policy
from app.media.webrtc import ice_connection, install_parley_webrtc
from app.media.webrtc.ice_connection import PromptConnection, fits_installed_aioice


class CountingConnection(PromptConnection):
    """Counts the pacing ticks: each one may start a new check."""

    ticks = 0

    def _check_periodic(self) -> bool:
        self.ticks += 1
        return bool(super()._check_periodic())


async def _connect_pair() -> tuple[CountingConnection, CountingConnection]:
    apply_ice_policy(True)
    controlling = CountingConnection(ice_controlling=True, components=1, use_ipv6=False)
    controlled = CountingConnection(ice_controlling=False, components=1, use_ipv6=False)
    for agent in (controlling, controlled):
        await agent.gather_candidates()
    for agent, other in ((controlling, controlled), (controlled, controlling)):
        for candidate in other.local_candidates:
            await agent.add_remote_candidate(candidate)
        await agent.add_remote_candidate(None)
        agent.remote_username, agent.remote_password = other.local_username, other.local_password
    await asyncio.wait_for(asyncio.gather(controlling.connect(), controlled.connect()), 30)
    return controlling, controlled


async def test_connect_returns_when_the_check_list_completes_not_at_the_next_tick(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A pacing interval far longer than a loopback check: with aioice's own loop the
    # completion is only noticed at the second tick, one interval later.
    monkeypatch.setattr(ice_connection, "CHECK_PACING_S", 5.0)
    controlling, controlled = await _connect_pair()
    try:
        assert controlling.ticks == 1  # one check started, its success ended connect()
        await controlling.send(b"hello")
        assert await asyncio.wait_for(controlled.recv(), 10) == b"hello"
    finally:
        await controlling.close()
        await controlled.close()


async def test_it_fails_as_aioice_does_without_a_usable_pair() -> None:
    apply_ice_policy(True)
    agent = PromptConnection(ice_controlling=True, components=1, use_ipv6=False)
    other = PromptConnection(ice_controlling=False, components=1, use_ipv6=False)
    await agent.gather_candidates()
    await other.gather_candidates()
    agent.remote_username, agent.remote_password = other.local_username, other.local_password
    await agent.add_remote_candidate(None)  # the end of candidates, and none came
    try:
        with pytest.raises(ConnectionError, match="ICE negotiation failed"):
            await asyncio.wait_for(agent.connect(), 30)
    finally:
        await agent.close()
        await other.close()


def test_aiortc_makes_its_ice_connections_with_it() -> None:
    assert fits_installed_aioice()
    install_parley_webrtc()
    assert aiortc.rtcicetransport.Connection is PromptConnection
