"""Outputs that pull from an :class:`~app.media.audio_mixer.AudioMixer`, and a WAV tap."""

import asyncio
import contextlib
import os
import threading
import time
import wave
from typing import Any

import numpy as np
import sounddevice as sd

from app.media.audio_mixer import AudioMixer
from app.media.errors import MediaDeviceError
from app.media.portaudio import track_stream

__all__ = ["ClockedNullOutput", "SoundDeviceOutput", "WavRecorder"]

# A clocked output further behind than this skips ahead, as a device would underrun.
_MAX_LAG_S = 0.2


class SoundDeviceOutput:
    """Plays the mixer on a sound device through a sounddevice ``OutputStream``.

    PortAudio's callback thread calls ``mixer.read`` (thread-safe). The stream opens and
    starts in the constructor; ``device`` is a PortAudio index or name (None: system
    default). Raises :class:`MediaDeviceError` naming the device if it cannot be opened.
    """

    def __init__(self, mixer: AudioMixer, device: int | str | None = None) -> None:
        self.mixer = mixer
        self.device = device
        self.underflows = 0
        try:
            self._stream = track_stream(
                sd.OutputStream(
                    samplerate=mixer.sample_rate,
                    channels=mixer.channels,
                    dtype="int16",
                    device=device,
                    callback=self._callback,
                )
            )
            self._stream.start()
        except (sd.PortAudioError, ValueError) as exc:
            name = "default speaker" if device is None else f"speaker {device!r}"
            raise MediaDeviceError(f"Cannot open {name}: {exc}") from exc

    def _callback(self, outdata: np.ndarray, frames: int, _time: Any, status: Any) -> None:
        self.underflows += int(status.output_underflow)
        outdata[:] = self.mixer.read(frames)

    def stop(self) -> None:
        """Stop and close the stream (idempotent)."""
        self._stream.close(ignore_errors=True)


class ClockedNullOutput:
    """Pulls ``block_ms`` from the mixer every ``block_ms`` by a monotonic clock, on the loop.

    The device-less output for bots and tests: the mixer sees the timing of a real
    device; add a tap to observe the audio. Starts in the constructor (loop thread).
    """

    def __init__(self, mixer: AudioMixer, *, block_ms: float = 20.0) -> None:
        self.mixer = mixer
        self.block_frames = round(mixer.sample_rate * block_ms / 1000)
        self.blocks_read = 0
        self._period_s = self.block_frames / mixer.sample_rate
        self._task = asyncio.get_running_loop().create_task(self._run(), name="null-output")

    async def _run(self) -> None:
        due_s = time.monotonic()
        while True:
            delay_s = due_s - time.monotonic()
            if delay_s > 0:
                await asyncio.sleep(delay_s)
            elif delay_s < -_MAX_LAG_S:
                due_s = time.monotonic()
            self.mixer.read(self.block_frames)
            self.blocks_read += 1
            due_s += self._period_s

    def stop(self) -> None:
        """Stop pulling (idempotent)."""
        self._task.cancel()


class WavRecorder:
    """A mixer tap writing int16 blocks to a WAV file: ``mixer.add_tap(WavRecorder(path))``.

    Thread-safe (taps may run on PortAudio's thread). Call :meth:`close` (or use it as a
    context manager) to finish the file; blocks after that are ignored.
    """

    def __init__(
        self, path: str | os.PathLike[str], *, sample_rate: int = 48000, channels: int = 1
    ) -> None:
        self._lock = threading.Lock()
        self._wav: wave.Wave_write | None = wave.open(os.fspath(path), "wb")
        self._wav.setnchannels(channels)
        self._wav.setsampwidth(2)
        self._wav.setframerate(sample_rate)
        self.frames_written = 0

    def __call__(self, block: np.ndarray) -> None:
        """Append ``block`` (int16, shape (frames,) or (frames, channels))."""
        with self._lock:
            if self._wav is not None:
                self._wav.writeframes(np.ascontiguousarray(block, np.int16).tobytes())
                self.frames_written += block.shape[0]

    def close(self) -> None:
        """Finish the WAV header and close the file (idempotent)."""
        with self._lock:
            wav, self._wav = self._wav, None
        if wav is not None:
            with contextlib.suppress(OSError):
                wav.close()

    def __enter__(self) -> "WavRecorder":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
