"""Helpers for multicall tests: rooms where one remote peer plays a distinct tone, a tap
on the Parley client's output mix, and checks by spectrum (which call is heard) and by
the peers' received levels (which call gets our microphone).

Every remote peer is a real ``VideoClient`` in this process with a looping sine file as
its microphone (440 / 660 / 880 Hz, 0.5 of full scale: RMS 0.35); the client under test
has a 1000 Hz tone as its microphone. Waits are on conditions with timeouts; "stays so"
is judged over a stretch of *audio* (samples pulled by the clocked output), never by a
sleep.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from app.call import Call, LocalMedia, MultiCallAudioPolicy
from app.client import VideoClient
from app.media import rms_level
from tests.call.test_call_lifecycle import wait_for
from tests.media.signal_checks import band_energy

RATE = 48000
MY_TONE_HZ = 1000.0
TONES_HZ = (440.0, 660.0, 880.0)
WINDOW_S = 0.4  # spectrum window: 2.5 Hz bins, far finer than the tones' spacing
HOLD_S = 0.6  # a state must hold over this much further audio
HEARD = 0.8  # share of the window's energy in the focused call's tone
UNHEARD = 0.01  # share left for a suspended call's tone (Opus noise is far below)
SILENT_RMS = 0.001  # the mix with every call suspended (about -60 dBFS)
SENDING_LEVEL = 0.2  # a peer hearing our 0.35 RMS tone reads 0.25 (after Opus)


class MixTap:
    """Collects the blocks the client's ``AudioMixer`` plays (``mixer.add_tap``)."""

    def __init__(self) -> None:
        self.blocks: list[np.ndarray] = []

    def __call__(self, block: np.ndarray) -> None:
        self.blocks.append(block[:, 0].copy())

    def seconds(self) -> float:
        return sum(b.size for b in self.blocks) / RATE

    def last(self, seconds: float) -> np.ndarray:
        if not self.blocks:
            return np.zeros(0, np.int16)
        return np.concatenate(self.blocks[-(round(seconds * 50) + 1) :])[-round(seconds * RATE) :]

    def since(self, mark_s: float) -> np.ndarray:
        """The audio played after ``mark_s`` seconds of output."""
        return np.concatenate(self.blocks)[round(mark_s * RATE) :]


def tone_share(samples: np.ndarray, freq_hz: float) -> float:
    return band_energy(samples, RATE, freq_hz)


def mix_carries(samples: np.ndarray, heard: tuple[float, ...]) -> bool:
    """True when ``samples`` carry the tones ``heard`` and none of the other test tones;
    with nothing heard, when they are silent."""
    if samples.size < round(WINDOW_S * RATE * 0.9):
        return False
    if not heard:
        return rms_level(samples) < SILENT_RMS
    shares = {f: tone_share(samples, f) for f in TONES_HZ}
    wanted = sum(shares[f] for f in heard) > HEARD and all(shares[f] > 0.03 for f in heard)
    return wanted and all(shares[f] < UNHEARD for f in TONES_HZ if f not in heard)


@dataclass
class Room:
    """A call with one remote peer playing ``tone_hz``: ``peer_call`` is the peer's side,
    ``call`` the client-under-test's side (joined by the test)."""

    tone_hz: float
    peer: VideoClient
    peer_call: Call
    call: Call
    max_level_heard: list[float] = field(default_factory=lambda: [0.0])

    def level_of_me(self) -> float:
        """What the peer receives of our microphone now (RMS 0..1, over 100 ms)."""
        session = self.call.state.session_id
        me = self.peer_call.state.participant(session) if session else None
        return me.audio_level if me is not None else 0.0

    def watch_my_level(self) -> None:
        """Record the loudest level of our microphone the peer ever reads from now on."""

        def on_state(_state: object) -> None:
            self.max_level_heard[0] = max(self.max_level_heard[0], self.level_of_me())

        self.peer_call.subscribe(on_state)


class ToneCalls:
    """Makes the client under test and its tone rooms; disconnects all at ``close``."""

    def __init__(self, url: str, tone_wav: Callable[[float], Path]) -> None:
        self._url = url
        self._tone_wav = tone_wav
        self._clients: list[VideoClient] = []
        self.tap = MixTap()

    async def client(
        self,
        *,
        policy: MultiCallAudioPolicy = MultiCallAudioPolicy.SUSPEND_EXISTING,
        allow_multiple: bool = True,
        background_call_volume: float = 0.0,
        audio_output: str = "null",
    ) -> VideoClient:
        media = LocalMedia(
            audio_file=str(self._tone_wav(MY_TONE_HZ)),
            audio_output="device" if audio_output == "device" else "null",
        )
        me = await VideoClient.sign_in_guest(
            self._url,
            "Parley",
            local_media=media,
            allow_multiple_active_calls=allow_multiple,
            multi_call_audio_policy=policy,
            background_call_volume=background_call_volume,
        )
        self._clients.append(me)
        await media.set_microphone_enabled(True)
        media.mixer.add_tap(self.tap)
        return me

    async def room(self, me: VideoClient, tone_hz: float, call_id: str) -> Room:
        media = LocalMedia(audio_file=str(self._tone_wav(tone_hz)), audio_output="null")
        peer = await VideoClient.sign_in_guest(self._url, f"Tone {tone_hz:g}", local_media=media)
        self._clients.append(peer)
        await media.set_microphone_enabled(True)
        peer_call = peer.make_call("default", call_id)
        await peer_call.join()
        return Room(tone_hz, peer, peer_call, me.make_call("default", call_id))

    async def close(self) -> None:
        for client in reversed(self._clients):
            await client.disconnect()


async def expect_heard(tap: MixTap, *heard: float, what: str) -> np.ndarray:
    """Wait until the newest window of the mix carries exactly ``heard``, then check it
    holds over ``HOLD_S`` more seconds of audio; return that stretch."""
    await wait_for(lambda: mix_carries(tap.last(WINDOW_S), heard), f"mix: {what}")
    mark = tap.seconds()
    await wait_for(lambda: tap.seconds() >= mark + HOLD_S, "more audio")
    held = tap.since(mark)
    for start in range(0, held.size - round(WINDOW_S * RATE) + 1, round(0.1 * RATE)):
        window = held[start : start + round(WINDOW_S * RATE)]
        assert mix_carries(window, heard), f"{what}: not held ({start / RATE:.1f} s in)"
    return held


async def expect_sending(rooms: list[Room], sending: list[Room], what: str) -> None:
    """Our microphone reaches the peers of ``sending`` and falls silent at the others."""
    for room in rooms:
        if room in sending:
            await wait_for(
                lambda r=room: r.level_of_me() > SENDING_LEVEL, f"{what}: {r_name(room)} hears"
            )
        else:
            await wait_for(
                lambda r=room: r.level_of_me() == 0.0, f"{what}: {r_name(room)} hears silence"
            )


def r_name(room: Room) -> str:
    return f"peer {room.tone_hz:g} Hz"


def suspended(rooms: list[Room]) -> list[float]:
    """The tones of the rooms whose call (our side) is suspended, for assertions."""
    return [r.tone_hz for r in rooms if r.call.state.is_audio_suspended]
