"""The user's own devices: camera, microphone and speaker, shared by the Lobby and calls.

One ``LocalMedia`` per client. It opens a device when it is first enabled and keeps the
microphone open once opened (PulseAudio delivers the first input ~2 s after a stream
starts, so reopening on every unmute would clip the first words); the camera is closed
when disabled so its light goes off. Every consumer — the preview, each peer connection's
sender — reads the device through one ``MediaRelay``, so a device is read once however many
peers there are. Video effects (``set_video_filters``) sit between the camera and that
relay, in a ``FilterChainTrack``, so the preview and every peer see the same filtered video.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

from aiortc import MediaStreamTrack
from aiortc.contrib.media import MediaRelay

from app.media import (
    AudioMixer,
    AudioSourceTrack,
    ClockedNullOutput,
    FrameSink,
    MediaDeviceError,
    MediaDeviceInfo,
    SoundDeviceOutput,
    list_audio_inputs,
    list_audio_outputs,
    list_video_inputs,
    open_audio_source,
    open_video_source,
)
from app.media.filters import FilterChainStatus, FilterChainTrack, VideoFilter
from app.media.voice_processing import (
    VoiceProcessedTrack,
    VoiceProcessingUnavailable,
    VoiceProcessor,
)
from app.media.webrtc import OpusPacketTrack, TaggedVideoTrack

log = logging.getLogger(__name__)

AudioOutputKind = Literal["device", "null"]
FILE_DEVICE_PREFIX = "file:"


class LocalMedia:
    """Devices, their on/off state, the local preview and the speaker output.

    ``video_file`` / ``audio_file`` are listed as devices (``file:<path>``) and chosen by
    default, like Chromium's ``--use-file-for-fake-video-capture``. ``video_transform`` wraps
    the (filtered) camera track before anyone reads it (bots stamp frame counters this
    way, after the effects so the stamps stay readable). ``segmentation_model_path`` is the
    settings' model for background effects (default: the user cache). ``audio_output="null"``
    plays remote audio into a clock-paced null output (bots, tests) instead of a device.
    Listeners registered with ``subscribe`` run on the loop thread after every change of
    the enabled flags or the selected devices.
    """

    def __init__(
        self,
        *,
        video_file: str | None = None,
        audio_file: str | None = None,
        audio_output: AudioOutputKind = "device",
        camera_device_id: str | None = None,
        microphone_device_id: str | None = None,
        speaker_device_id: str | None = None,
        video_transform: Callable[[MediaStreamTrack], MediaStreamTrack] | None = None,
        segmentation_model_path: str | Path | None = None,
    ) -> None:
        self._video_file = video_file
        self._video_transform = video_transform
        self._audio_file = audio_file
        self.camera_device_id = camera_device_id or (
            FILE_DEVICE_PREFIX + video_file if video_file else None
        )
        self.microphone_device_id = microphone_device_id or (
            FILE_DEVICE_PREFIX + audio_file if audio_file else None
        )
        self.speaker_device_id = speaker_device_id
        self.camera_enabled = False
        self.microphone_enabled = False
        self.preview_sink = FrameSink()
        self.relay = MediaRelay()
        self.mixer = AudioMixer()
        self._audio_output_kind = audio_output
        self._output: SoundDeviceOutput | ClockedNullOutput | None = None
        self._video_source: MediaStreamTrack | None = None
        self._segmentation_model_path = segmentation_model_path
        self._video_filters: tuple[VideoFilter, ...] = ()
        self._filter_chain: FilterChainTrack | None = None
        self._audio_source: AudioSourceTrack | None = None
        # echo-cancelled microphone, made when a call first asks (voice_track_for_sender)
        self._voice_source: VoiceProcessedTrack | None = None
        # the microphone (raw or voice-processed) encoded once for every sender
        self._encoded_audio: dict[MediaStreamTrack, OpusPacketTrack] = {}
        self._voice_tap: Callable[[], None] | None = None
        self._voice_unavailable = False
        self.voice_processor: VoiceProcessor | None = None
        self._pumps: dict[str, asyncio.Task[None]] = {}
        self._listeners: list[Callable[[], None]] = []
        self._lock = asyncio.Lock()

    # --- observation ------------------------------------------------------------------

    def subscribe(self, listener: Callable[[], None]) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _notify(self) -> None:
        for listener in list(self._listeners):
            try:
                listener()
            except Exception:
                log.exception("local media listener failed")

    @property
    def microphone_level(self) -> float:
        """RMS level of the microphone, 0.0–1.0, over the last 100 ms; 0 when off."""
        return self.raw_microphone_level if self.microphone_enabled else 0.0

    @property
    def raw_microphone_level(self) -> float:
        """RMS level, 0.0–1.0, of the microphone over the last 100 ms even while muted (the
        device stays open once opened), for a "you are muted" hint; nothing is sent. 0
        before the microphone was first opened. The source's own meter, fed as each frame
        arrives: no reader of the frames is needed for it."""
        source = self._audio_source
        return source.level if source is not None else 0.0

    # --- devices ----------------------------------------------------------------------

    def list_devices(self) -> list[MediaDeviceInfo]:
        """Cameras, microphones and speakers, the fake file devices first."""
        devices: list[MediaDeviceInfo] = []
        if self._video_file:
            devices.append(_file_device(self._video_file, "videoinput"))
        if self._audio_file:
            devices.append(_file_device(self._audio_file, "audioinput"))
        for lister in (list_video_inputs, list_audio_inputs, list_audio_outputs):
            try:
                devices.extend(lister())
            except Exception as exc:  # a broken driver must not break the device menu
                log.warning("listing devices with %s failed: %s", lister.__name__, exc)
        return devices

    async def select_camera(self, device_id: str | None) -> None:
        self.camera_device_id = device_id
        if self.camera_enabled:
            await self._restart_video()
        self._notify()

    async def select_microphone(self, device_id: str | None) -> None:
        self.microphone_device_id = device_id
        if self._audio_source is not None:
            await self._stop_audio()
            if self.microphone_enabled:
                await self._start_audio()
        self._notify()

    async def select_speaker(self, device_id: str | None) -> None:
        self.speaker_device_id = device_id
        if self._output is not None:
            await self._stop_output()
            await self.start_output()
        self._notify()

    # --- on / off ---------------------------------------------------------------------

    async def set_camera_enabled(self, enabled: bool) -> None:
        """Open (or close) the selected camera. Raises ``MediaDeviceError`` when the
        device cannot be opened; the camera then stays off."""
        async with self._lock:
            if enabled and self._video_source is None:
                await self._start_video()
            elif not enabled and self._video_source is not None:
                await self._stop_video()
            self.camera_enabled = enabled
        self._notify()

    async def set_microphone_enabled(self, enabled: bool) -> None:
        """Open the selected microphone on first use; muting keeps it open (see module
        docstring) but no sender reads it. Raises ``MediaDeviceError``."""
        async with self._lock:
            if enabled and self._audio_source is None:
                await self._start_audio()
            self.microphone_enabled = enabled
        self._notify()

    @property
    def video_filters(self) -> tuple[VideoFilter, ...]:
        """The effects chosen for the camera, in order (kept across camera restarts)."""
        if self._filter_chain is not None:
            return self._filter_chain.filters  # a filter that failed has left the chain
        return self._video_filters

    def set_video_filters(self, filters: Sequence[VideoFilter]) -> None:
        """Apply ``filters`` to the camera from its next frame on, during a call or in the
        Lobby, without renegotiation; ``[]`` turns effects off. Never raises for a filter
        that cannot run: it is dropped and :attr:`video_filter_status` says why."""
        self._video_filters = tuple(filters)
        if self._filter_chain is not None:
            self._filter_chain.set_filters(self._video_filters)
        self._notify()

    @property
    def video_filter_status(self) -> FilterChainStatus:
        """Active effects and the problems to show (model missing, a filter that failed)."""
        if self._filter_chain is not None:
            return self._filter_chain.status
        return FilterChainStatus(tuple(f.label for f in self._video_filters), ())

    @property
    def segmentation_model_path(self) -> str | Path | None:
        """The settings' segmentation model, or None for the user cache."""
        return self._segmentation_model_path

    @property
    def video_filter_chain(self) -> FilterChainTrack | None:
        """The running filter stage (stats, raw frames for previews), or None when off."""
        return self._filter_chain

    def video_track_for_sender(self) -> MediaStreamTrack | None:
        """A new relay proxy of the camera for one sender, or ``None`` when off.
        Unbuffered: a sender that falls behind gets the newest frame, not a queue (a
        queue let latency grow to 150-300 ms on a loaded machine; the shared encoder
        copes with the skipped picture: ``app.media.webrtc.shared_encoding``)."""
        if not self.camera_enabled or self._video_source is None:
            return None
        return self.relay.subscribe(self._video_source, buffered=False)

    def audio_track_for_sender(self) -> MediaStreamTrack | None:
        """A new relay proxy of the microphone for one sender, or ``None`` when muted."""
        if not self.microphone_enabled or self._audio_source is None:
            return None
        return self.relay.subscribe(self._encoded(self._audio_source), buffered=True)

    def voice_track_for_sender(self) -> MediaStreamTrack | None:
        """Like :meth:`audio_track_for_sender`, through echo cancellation and noise
        suppression (:mod:`app.media.voice_processing`), with what the speakers play as
        the echo reference; the unprocessed microphone, logged once, where that module is
        unavailable. One processor serves every call that asks."""
        if not self.microphone_enabled or self._audio_source is None:
            return None
        if self._voice_source is None and not self._voice_unavailable:
            try:
                processor = VoiceProcessor()
            except VoiceProcessingUnavailable as exc:
                log.warning("sending the microphone unprocessed: %s", exc)
                self._voice_unavailable = True
            else:
                self.voice_processor = processor
                self._voice_tap = self.mixer.add_tap(processor.add_far_end)
                microphone = self.relay.subscribe(self._audio_source, buffered=True)
                self._voice_source = VoiceProcessedTrack(microphone, processor)
        source = self._voice_source or self._audio_source
        return self.relay.subscribe(self._encoded(source), buffered=True)

    def _encoded(self, source: MediaStreamTrack) -> OpusPacketTrack:
        """``source`` encoded to Opus once for all the senders that send it (the
        senders read ``av.Packet``s: :mod:`app.media.webrtc.opus_packets`)."""
        encoded = self._encoded_audio.get(source)
        if encoded is None:
            encoded = OpusPacketTrack(self.relay.subscribe(source, buffered=True))
            self._encoded_audio[source] = encoded
        return encoded

    async def start_output(self) -> None:
        """Start playing the mix of remote audio (idempotent)."""
        if self._output is not None:
            return
        if self._audio_output_kind == "null":
            self._output = ClockedNullOutput(self.mixer)
        else:
            try:
                self._output = SoundDeviceOutput(self.mixer, device=self.speaker_device_id)
            except Exception as exc:
                log.warning("no speaker output (%s); remote audio is mixed but not played", exc)
                self._output = ClockedNullOutput(self.mixer)

    async def close(self) -> None:
        await self._stop_video()
        await self._stop_audio()
        await self._stop_output()

    # --- internals ----------------------------------------------------------------------

    async def _start_video(self) -> None:
        if self.camera_device_id is None:
            devices = [d for d in self.list_devices() if d.kind == "videoinput"]
            if devices:
                self.camera_device_id = devices[0].device_id
        if self.camera_device_id is None:
            raise MediaDeviceError("No camera found: connect one or choose a video file")
        # opening a camera blocks for up to a second: keep it off the loop
        camera: MediaStreamTrack = await asyncio.to_thread(open_video_source, self.camera_device_id)
        chain = FilterChainTrack(camera, model_path=self._segmentation_model_path)
        chain.set_filters(self._video_filters)
        chain.subscribe(self._on_filter_status)
        self._filter_chain = chain
        source: MediaStreamTrack = chain
        if self._video_transform is not None:
            source = self._video_transform(source)
        # Tagged, so every peer's sender recognises the picture and it is encoded once.
        self._video_source = TaggedVideoTrack(source)
        preview = self.relay.subscribe(self._video_source, buffered=False)
        self._pumps["video"] = asyncio.create_task(self.preview_sink.consume(preview))

    @property
    def camera_stream_id(self) -> int | None:
        """The tagged stream id of the camera's pictures while it runs (its senders share
        one encoder under it: ``app.media.webrtc.shared_encoding``), else None."""
        source = self._video_source
        return source.stream_id if isinstance(source, TaggedVideoTrack) else None

    async def _restart_video(self) -> None:
        async with self._lock:
            await self._stop_video()
            await self._start_video()

    async def _stop_video(self) -> None:
        await self._cancel_pump("video")
        if self._video_source is not None:
            self._video_source.stop()
            self._video_source = None
        if self._filter_chain is not None:
            self._filter_chain.stop()  # idempotent; a transform may not forward stop()
            self._filter_chain = None

    def _on_filter_status(self) -> None:
        chain = self._filter_chain
        if chain is not None:
            self._video_filters = chain.filters  # keep a failed filter out after a restart
        self._notify()

    async def _start_audio(self) -> None:
        # on the loop thread: the microphone hands its frames to this loop
        self._audio_source = open_audio_source(self.microphone_device_id)
        # Produce from now on, for the meter in the Lobby; senders read through the relay.
        self._audio_source.start()

    async def _stop_audio(self) -> None:
        # The device first: its end flows down the relay to the echo canceller, the
        # encoders and every sender's proxy, and each relay task ends. Stopping a track
        # further down first would leave the relay task reading it waiting forever.
        if self._audio_source is not None:
            self._audio_source.stop()
            self._audio_source = None
        for encoded in self._encoded_audio.values():
            encoded.stop()
        self._encoded_audio.clear()
        if self._voice_tap is not None:
            self._voice_tap()
            self._voice_tap = None
        if self._voice_source is not None:
            self._voice_source.stop()
            self._voice_source = None
            self.voice_processor = None

    async def _cancel_pump(self, name: str) -> None:
        task = self._pumps.pop(name, None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _stop_output(self) -> None:
        if self._output is not None:
            self._output.stop()
            self._output = None


def _file_device(path: str, kind: Literal["videoinput", "audioinput"]) -> MediaDeviceInfo:
    name = path.rsplit("/", 1)[-1]
    return MediaDeviceInfo(device_id=FILE_DEVICE_PREFIX + path, label=f"File: {name}", kind=kind)
