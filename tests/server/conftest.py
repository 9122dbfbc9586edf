"""Fixtures shared by the coordinator's tests: guests with a REST client and a live socket."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Protocol, TypeVar

import httpx
import pytest

from tests.fixtures.coordinator import RunningCoordinator
from tests.server.rest import api
from tests.server.ws_client import WsClient


class _Peer(Protocol):
    ws: WsClient


P = TypeVar("P", bound=_Peer)


@pytest.fixture
async def connect_peer(
    coordinator: RunningCoordinator,
) -> AsyncIterator[Callable[[str, Callable[[httpx.Client, WsClient], P]], Awaitable[P]]]:
    """``await connect_peer("Alice", Peer)``: signs a guest in and returns
    ``Peer(rest_client, websocket)``; every socket is closed at teardown."""
    opened: list[_Peer] = []

    async def connect(name: str, make: Callable[[httpx.Client, WsClient], P]) -> P:
        token = coordinator.guest(name).access_token
        peer = make(api(coordinator, token), await WsClient.connect(coordinator.ws_url, token))
        opened.append(peer)
        return peer

    yield connect
    for peer in opened:
        await peer.ws.close()
