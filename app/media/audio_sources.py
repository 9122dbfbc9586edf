"""Local audio sources: a media file as a fake microphone, and a real microphone.

Both produce 20 ms frames of 48 kHz mono s16 (960 samples, what Opus packs per RTP
packet) with ``pts`` counted in samples (time base 1/48000), and expose :attr:`level`
(RMS 0..1 of the last 100 ms) for the Lobby's meter.
"""

import fractions
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

import av
import numpy as np
import sounddevice as sd

from app.media.errors import MediaDeviceError
from app.media.levels import LevelMeter
from app.media.live_source import Frame, LiveSourceTrack, ThreadedSourceTrack
from app.media.portaudio import track_stream

__all__ = ["FRAME_SAMPLES", "SAMPLE_RATE", "AudioSourceTrack", "FileAudioTrack", "MicrophoneTrack"]

logger = logging.getLogger(__name__)

SAMPLE_RATE = 48000
FRAME_SAMPLES = 960  # 20 ms
AUDIO_TIME_BASE = fractions.Fraction(1, SAMPLE_RATE)
# 100 ms: a reader that falls further behind loses the oldest audio rather than adding
# latency for the rest of the call.
_QUEUE_SIZE = 5
_MAX_LAG_S = 0.5


def _audio_frame(samples: np.ndarray, pts: int) -> av.AudioFrame:
    """A 48 kHz mono s16 frame from int16 ``samples`` of shape (n,)."""
    frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
    frame.sample_rate = SAMPLE_RATE
    frame.pts = pts
    frame.time_base = AUDIO_TIME_BASE
    return frame


class _MeteredAudioSource:
    """Mixin: a level meter fed with every produced frame on the loop thread."""

    _meter: LevelMeter

    @property
    def level(self) -> float:
        """RMS level (0..1 of full scale) of the last 100 ms produced."""
        return self._meter.level()

    def _on_frame(self, frame: Frame) -> None:
        self._meter.add(frame.to_ndarray())


class FileAudioTrack(_MeteredAudioSource, ThreadedSourceTrack):
    """An audio file as a microphone: decoded, resampled to 48 kHz mono s16 in 20 ms frames.

    Decoding runs in a worker thread, paced in real time by a monotonic clock; the file
    loops when ``loop`` is true (else the track ends after its last, zero-padded frame).
    Raises :class:`MediaDeviceError` if the file cannot be opened or has no audio.
    """

    kind = "audio"

    def __init__(self, path: str | os.PathLike[str], *, loop: bool = True) -> None:
        super().__init__(queue_size=_QUEUE_SIZE, thread_name=f"file-audio:{Path(path).name}")
        self.path = Path(path)
        self.loop = loop
        self._meter = LevelMeter()
        self._open().close()

    def _open(self) -> Any:
        try:
            container = av.open(str(self.path), mode="r")
        except (OSError, av.FFmpegError) as exc:
            raise MediaDeviceError(f"Cannot open audio file {self.path}: {exc}") from exc
        if not container.streams.audio:
            container.close()
            raise MediaDeviceError(f"File {self.path} has no audio stream")
        return container

    def _produce(self, quit_event: threading.Event) -> None:
        # One resampler across loops keeps its phase: no click at the loop point.
        resampler = av.AudioResampler(
            format="s16", layout="mono", rate=SAMPLE_RATE, frame_size=FRAME_SAMPLES
        )
        clock = _Pacer(quit_event)
        while not quit_event.is_set():
            produced_before = clock.samples
            with self._open() as container:
                for decoded in container.decode(audio=0):
                    decoded.pts = None  # the resampler would see the loop as a pts jump
                    for frame in resampler.resample(decoded):
                        if not clock.emit(self, frame.to_ndarray().reshape(-1)):
                            return
            if clock.samples == produced_before:
                return  # nothing decodable: end rather than spin
            if not self.loop:
                for frame in resampler.resample(None):
                    samples = frame.to_ndarray().reshape(-1)
                    padded = np.zeros(FRAME_SAMPLES, np.int16)
                    padded[: samples.size] = samples[:FRAME_SAMPLES]
                    if not clock.emit(self, padded):
                        return
                return


class _Pacer:
    """Emits 20 ms frames on a real-time schedule from a worker thread."""

    def __init__(self, quit_event: threading.Event) -> None:
        self._quit = quit_event
        self._start_s = time.monotonic()
        self.samples = 0

    def emit(self, track: ThreadedSourceTrack, samples: np.ndarray) -> bool:
        """Wait for the frame's due time and deliver it; False when the thread must stop."""
        delay_s = self._start_s + self.samples / SAMPLE_RATE - time.monotonic()
        if delay_s > 0:
            if self._quit.wait(delay_s):
                return False
        elif delay_s < -_MAX_LAG_S:
            self._start_s -= delay_s
        frame = _audio_frame(samples, self.samples)
        self.samples += samples.size
        return not self._quit.is_set() and track._deliver_threadsafe(frame)


class MicrophoneTrack(_MeteredAudioSource, LiveSourceTrack):
    """A microphone via sounddevice (PortAudio): 48 kHz mono int16, 960-sample blocks.

    The input stream opens and starts in the constructor, which must run on the loop
    thread: under PulseAudio the first callback comes about 2 s after start
    (TESTING.md), so open the microphone early (in the Lobby) and keep it open. Blocks
    are handed to the loop with ``call_soon_threadsafe``. ``device`` is a PortAudio
    index or name (None: the system default). Raises :class:`MediaDeviceError` naming
    the device when it cannot be opened.
    """

    kind = "audio"

    def __init__(self, device: int | str | None = None) -> None:
        super().__init__(queue_size=_QUEUE_SIZE)
        self.device = device
        self._meter = LevelMeter()
        self._samples = 0
        self.overflows = 0
        try:
            self._stream = track_stream(
                sd.InputStream(
                    samplerate=SAMPLE_RATE,
                    channels=1,
                    dtype="int16",
                    blocksize=FRAME_SAMPLES,
                    device=device,
                    callback=self._callback,
                )
            )
        except (sd.PortAudioError, ValueError) as exc:
            name = "default microphone" if device is None else f"microphone {device!r}"
            raise MediaDeviceError(f"Cannot open {name}: {exc}") from exc
        self.start()

    def _start_producer(self) -> None:
        self._stream.start()

    def _callback(self, indata: np.ndarray, frames: int, _time: Any, status: Any) -> None:
        # PortAudio's thread: copy (indata is reused) and hand over; no work here.
        if self._event_loop is None:
            return
        try:
            self._event_loop.call_soon_threadsafe(
                self._deliver_block, indata[:, 0].copy(), bool(status.input_overflow)
            )
        except RuntimeError:  # the loop is closed; stop() will close the stream
            pass

    def _deliver_block(self, samples: np.ndarray, overflow: bool) -> None:
        self.overflows += int(overflow)
        frame = _audio_frame(samples, self._samples)
        self._samples += samples.size
        self._deliver(frame)

    def stop(self) -> None:
        """End the track and close the input stream."""
        super().stop()
        self._stream.close(ignore_errors=True)


# What open_audio_source returns: either one has a level meter (``level``) fed on the loop.
type AudioSourceTrack = FileAudioTrack | MicrophoneTrack
