"""Ringing through the engine against a real coordinator: VideoClients in one process,
real aiortc peers on loopback, real file media. The coordinator's timers are shortened
per call with ``settings_override``; tests wait on conditions, never on the clock."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from app.call import Call, CallError, CallStatusKind, DisconnectReason, LocalMedia
from app.client import VideoClient
from app.protocol import CallMissedEvent, RejectReason
from tests.call.test_call_lifecycle import wait_for
from tests.fixtures.coordinator import RunningCoordinator

pytestmark = pytest.mark.asyncio

SHORT_MS = 300
LONG_MS = 20_000  # a timer that must not fire during the test


def ring_settings(incoming_ms: int = LONG_MS, cancel_ms: int = LONG_MS) -> dict[str, object]:
    return {"ring": {"incoming_call_timeout_ms": incoming_ms, "auto_cancel_timeout_ms": cancel_ms}}


async def second_device(
    coordinator: RunningCoordinator, of: VideoClient, video: Path, audio: Path
) -> VideoClient:
    """The same user signed in on another device (its own socket and media)."""
    assert of.user is not None
    media = LocalMedia(video_file=str(video), audio_file=str(audio), audio_output="null")
    device = VideoClient(coordinator.url, token=coordinator.token(of.user.id), local_media=media)
    await device.connect()
    return device


def incoming(client: VideoClient, cid: str) -> Call | None:
    return next((c for c in client.incoming_calls if c.cid == cid), None)


async def test_ring_accept_and_media_flows(clients: Callable) -> None:
    alice, bob = await clients("Alice"), await clients("Bob")
    seen: list[tuple[str, ...]] = []
    bob.subscribe_incoming_calls(lambda calls: seen.append(tuple(c.cid for c in calls)))
    a_call = alice.make_call("default", "ring-accept")
    await a_call.set_camera_enabled(True)
    await a_call.get_or_create(members=[bob.user.id], ring=True)
    assert a_call.state.status.kind is CallStatusKind.OUTGOING
    assert a_call.state.ringing_members == (bob.user.id,)
    assert [u.name for u in a_call.state.ringing.callees] == ["Bob"]

    await wait_for(lambda: incoming(bob, a_call.cid) is not None, "bob's phone to ring")
    b_call = incoming(bob, a_call.cid)
    assert b_call.state.is_ringing_incoming and not b_call.state.status.accepted_by_me
    assert b_call.state.ringing.caller.name == "Alice" and b_call.state.ringing.video
    assert seen == [(a_call.cid,)]

    await b_call.accept()
    assert b_call.state.status.is_connected
    await wait_for(lambda: a_call.state.status.is_connected, "alice joins once bob accepted")
    assert a_call.state.accepted_by == (bob.user.id,)
    assert bob.incoming_calls == () and seen[-1] == ()
    alice_session = a_call.state.session_id
    await wait_for(
        lambda: (sink := b_call.video_sink(alice_session)) is not None and sink.frame_count > 3,
        "alice's video at bob",
    )


async def test_decline_ends_both_sides(clients: Callable) -> None:
    alice, bob = await clients("Alice"), await clients("Bob")
    a_call = alice.make_call("default", "ring-decline")
    await a_call.get_or_create(members=[bob.user.id], ring=True)
    await wait_for(lambda: incoming(bob, a_call.cid) is not None, "bob's phone to ring")
    b_call = incoming(bob, a_call.cid)
    await b_call.reject()
    assert b_call.state.status.reason is DisconnectReason.REJECTED
    await wait_for(lambda: a_call.state.status.is_disconnected, "alice's ring to stop")
    assert a_call.state.status.reason is DisconnectReason.REJECTED
    assert a_call.state.rejected_by == {bob.user.id: RejectReason.DECLINE}
    assert bob.incoming_calls == ()
    with pytest.raises(ValueError):
        await b_call.reject("because")


async def test_an_unanswered_ring_times_out_into_a_missed_call(clients: Callable) -> None:
    alice, bob = await clients("Alice"), await clients("Bob")
    missed: list[CallMissedEvent] = []
    bob.subscribe_missed_calls(missed.append)
    a_call = alice.make_call("default", "ring-timeout")
    await a_call.get_or_create(
        members=[bob.user.id], ring=True, settings_override=ring_settings(incoming_ms=SHORT_MS)
    )
    await wait_for(lambda: bool(missed), "bob's missed call")
    b_call = bob.make_call("default", "ring-timeout")
    assert b_call.state.status.reason is DisconnectReason.TIMEOUT
    assert bob.incoming_calls == ()
    await wait_for(lambda: a_call.state.status.is_disconnected, "alice's ring to stop")
    assert a_call.state.status.reason is DisconnectReason.TIMEOUT
    listed = await bob.missed_calls()
    assert [(m.call.cid, m.caller.name) for m in listed] == [(a_call.cid, "Alice")]
    assert await alice.missed_calls() == []


async def test_the_caller_auto_cancels_when_nobody_answers(clients: Callable) -> None:
    alice, bob = await clients("Alice"), await clients("Bob")
    a_call = alice.make_call("default", "ring-auto-cancel")
    await a_call.get_or_create(
        members=[bob.user.id], ring=True, settings_override=ring_settings(cancel_ms=SHORT_MS)
    )
    await wait_for(lambda: a_call.state.status.is_disconnected, "alice's ring to stop")
    assert a_call.state.status.reason is DisconnectReason.TIMEOUT
    b_call = bob.make_call("default", "ring-auto-cancel")
    await wait_for(lambda: b_call.state.status.is_disconnected, "bob's ring to stop")
    assert b_call.state.status.reason is DisconnectReason.TIMEOUT
    assert len(await bob.missed_calls()) == 1


async def test_the_caller_cancels(clients: Callable) -> None:
    alice, bob = await clients("Alice"), await clients("Bob")
    a_call = alice.make_call("default", "ring-cancel")
    await a_call.get_or_create(members=[bob.user.id], ring=True)
    await wait_for(lambda: incoming(bob, a_call.cid) is not None, "bob's phone to ring")
    b_call = incoming(bob, a_call.cid)
    await a_call.leave()  # leaving an outgoing ring cancels it
    assert a_call.state.status.reason is DisconnectReason.CANCELLED
    await wait_for(lambda: b_call.state.status.is_disconnected, "bob's ring to stop")
    assert b_call.state.status.reason is DisconnectReason.CANCELLED
    with pytest.raises(CallError) as error:
        await b_call.accept()
    assert error.value.code == "conflict"
    assert b_call.state.status.reason is DisconnectReason.CANCELLED  # no crash, still clear


async def test_accepting_on_one_device_stops_the_other(
    coordinator, clients: Callable, vtest_avi, speech_wav
) -> None:
    alice, bob = await clients("Alice"), await clients("Bob")
    bob_laptop = await second_device(coordinator, bob, vtest_avi, speech_wav)
    try:
        a_call = alice.make_call("default", "ring-two-devices")
        await a_call.get_or_create(members=[bob.user.id], ring=True)
        for device in (bob, bob_laptop):
            await wait_for(lambda d=device: incoming(d, a_call.cid) is not None, "both ring")
        on_laptop = incoming(bob_laptop, a_call.cid)
        await incoming(bob, a_call.cid).accept()
        await wait_for(lambda: on_laptop.state.status.is_disconnected, "the laptop stops")
        assert on_laptop.state.status.reason is DisconnectReason.ACCEPTED_ELSEWHERE
        assert bob_laptop.incoming_calls == ()
        await wait_for(lambda: a_call.state.status.is_connected, "alice joins")
    finally:
        await bob_laptop.disconnect()


async def test_a_ring_during_a_call_can_be_declined_as_busy(clients: Callable) -> None:
    alice, bob, carol = await clients("Alice"), await clients("Bob"), await clients("Carol")
    current = bob.make_call("default", "bob-and-carol")
    await current.join()
    await carol.make_call("default", "bob-and-carol").join(create=False)
    a_call = alice.make_call("default", "ring-busy")
    await a_call.get_or_create(members=[bob.user.id], ring=True)
    await wait_for(lambda: incoming(bob, a_call.cid) is not None, "the ring pops up mid-call")
    assert bob.active_call is current and current.state.status.is_connected
    await incoming(bob, a_call.cid).reject("busy")
    await wait_for(lambda: a_call.state.status.is_disconnected, "alice hears busy")
    assert a_call.state.rejected_by == {bob.user.id: RejectReason.BUSY}
    assert a_call.state.status.reason is DisconnectReason.REJECTED
    assert current.state.status.is_connected and len(current.state.participants) == 2


async def test_ringing_each_other_ends_in_one_call(clients: Callable) -> None:
    alice, bob = await clients("Alice"), await clients("Bob")
    a_call = alice.make_call("default", "glare-alice")
    await a_call.get_or_create(members=[bob.user.id], ring=True)
    b_call = bob.make_call("default", "glare-bob")
    await b_call.get_or_create(members=[alice.user.id])
    joined = await b_call.ring()
    assert joined.cid == a_call.cid and joined.state.status.is_connected
    assert b_call.state.status.reason is DisconnectReason.REPLACED
    assert b_call.state.replaced_by_call_cid == a_call.cid
    await wait_for(lambda: a_call.state.status.is_connected, "alice joins her own call")
    await wait_for(lambda: len(a_call.state.participants) == 2, "both in one call")
    assert alice.incoming_calls == ()


async def test_ending_a_ringing_call_and_accepting_it_fails_clearly(clients: Callable) -> None:
    alice, bob = await clients("Alice"), await clients("Bob")
    a_call = alice.make_call("default", "ring-ended")
    await a_call.get_or_create(members=[bob.user.id], ring=True)
    await wait_for(lambda: incoming(bob, a_call.cid) is not None, "bob's phone to ring")
    b_call = incoming(bob, a_call.cid)
    await a_call.end()
    await wait_for(lambda: b_call.state.status.is_disconnected, "bob's ring to stop")
    assert b_call.state.status.reason is DisconnectReason.ENDED
    with pytest.raises(CallError) as error:
        await b_call.accept()
    assert error.value.code == "call_ended"


async def test_ringing_someone_who_does_not_exist_is_refused(clients: Callable) -> None:
    alice = await clients("Alice")
    call = alice.make_call("default", "ring-nobody")
    with pytest.raises(CallError) as error:
        await call.get_or_create(members=["nobody-by-this-name"], ring=True)
    assert error.value.code == "not_found"
    assert call.state.status.kind is CallStatusKind.IDLE


async def test_a_malformed_ring_event_is_logged_and_ignored(
    clients: Callable, caplog: pytest.LogCaptureFixture
) -> None:
    bob = await clients("Bob")
    with caplog.at_level(logging.WARNING, logger="app.client.event_stream"):
        bob._events._dispatch('{"type": "call.ring", "call_cid": "default:x", "ring": 5}')
    assert bob.incoming_calls == ()
    assert "does not parse" in caplog.text


async def test_bots_ring_and_answer_for_ui_tests(
    coordinator, clients: Callable, vtest_avi, speech_wav
) -> None:
    """``parley bot --auto-accept`` answers a ring (even one that started before it
    connected); ``parley bot --ring USER`` rings and joins once answered."""
    from tests.e2e.bot_process import BotProcess

    alice = await clients("Alice")
    answering = coordinator.guest("Answering bot", "answering-bot")
    media = ["--video-file", str(vtest_avi), "--audio-file", str(speech_wav), "--control-stdin"]
    a_call = alice.make_call("default", "ring-a-bot")
    await a_call.get_or_create(members=["answering-bot"], ring=True)
    bot = [sys.executable, "-m", "app.bot", "--server", coordinator.url, *media]
    answerer = BotProcess([*bot, "--auto-accept", "--token", answering.access_token])
    caller = None
    try:
        await wait_for(lambda: a_call.state.status.is_connected, "the bot to answer")
        await wait_for(lambda: answerer.count("bot.joined") == 1, "the bot to report joining")
        assert answerer.last("bot.ringing")["call_cid"] == a_call.cid

        caller = BotProcess([*bot, "--call", "default:bot-rings", "--ring", alice.user.id])
        await wait_for(lambda: incoming(alice, "default:bot-rings") is not None, "the bot rings")
        await incoming(alice, "default:bot-rings").accept()
        await wait_for(lambda: caller.count("bot.joined") == 1, "the calling bot to join")
    finally:
        answerer.stop()
        if caller is not None:
            caller.stop()
