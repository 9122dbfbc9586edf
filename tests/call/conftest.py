"""Fixtures shared by the engine's call tests (a real coordinator, real clients)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from app.client import VideoClient
from tests.call.test_call_lifecycle import sign_in
from tests.call.tone_calls import ToneCalls


@pytest.fixture
async def clients(
    coordinator, vtest_avi, speech_wav
) -> AsyncIterator[Callable[[str], Awaitable[VideoClient]]]:
    """``await clients("Alice")`` signs in a guest with vtest.avi as the camera and espeak
    speech as the microphone; everyone signed in is disconnected at teardown."""
    made: list[VideoClient] = []

    async def make(name: str) -> VideoClient:
        client = await sign_in(coordinator.url, name, vtest_avi, speech_wav)
        made.append(client)
        return client

    yield make
    for client in made:
        await client.disconnect()


@pytest.fixture
async def tone_calls(coordinator, tone_wav) -> AsyncIterator[ToneCalls]:
    """Clients and rooms whose peers each play their own tone (``tests/call/tone_calls``)."""
    made = ToneCalls(coordinator.url, tone_wav)
    yield made
    await made.close()
