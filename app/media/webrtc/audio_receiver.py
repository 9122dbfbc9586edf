"""Remote audio decoded on the loop, to mono, as it arrives.

aiortc's ``RTCRtpReceiver`` hands every complete frame to a decoder thread of its own
through a ``queue.Queue``, and the thread hands each decoded frame back with
``asyncio.run_coroutine_threadsafe`` (a coroutine, a task and a cross-thread wake-up per
frame). That suits video, where a decode takes milliseconds. An Opus frame decodes in
~60 µs, and 50 of them a second per remote participant paid two thread switches and the
hand-back machinery each: an audio-only 1:1 call cost a receive-only participant 0.06
cores over an idle one here, nearly all of it Python and kernel, not libopus.

:class:`LoopDecodingReceiver` is aiortc's receiver with, for audio only, the decoder
queue replaced by :class:`LoopAudioDecoding`: ``put`` decodes on the spot, on the loop
thread that received the packet, and queues the frames for the track; the decoder thread
aiortc still starts waits, without work, until the receiver stops. Opus is decoded
straight to mono (:class:`MonoOpusDecoder`): aiortc decodes to stereo, which the mixer
then resampled back to mono (~80 µs more per frame); libopus downmixes a stereo stream
itself. libwebrtc likewise decodes audio on its own audio thread, not one per receiver.

Proposed upstream (aiortc): an option to decode audio without the thread, or a decoder
factory per receiver so an application can choose.
"""

from __future__ import annotations

import logging
import threading
from fractions import Fraction

import aiortc.rtcrtpreceiver
from aiortc.codecs.base import Decoder
from aiortc.jitterbuffer import JitterFrame
from aiortc.rtcdtlstransport import RTCDtlsTransport
from aiortc.rtcrtpparameters import RTCRtpCodecParameters
from aiortc.rtcrtpreceiver import RemoteStreamTrack, RTCRtpReceiver
from av import CodecContext, FFmpegError, Packet
from av.frame import Frame

from app.media.webrtc.opus_packets import OPUS_CLOCK_HZ

__all__ = ["LoopAudioDecoding", "LoopDecodingReceiver", "MonoOpusDecoder", "fits_installed_aiortc"]

log = logging.getLogger(__name__)

_TIME_BASE = Fraction(1, OPUS_CLOCK_HZ)
# aiortc 1.16's private name for the decoder queue (name-mangled ``__decoder_queue``),
# which _handle_rtp_packet puts (codec, frame) pairs into and stop() puts None into.
_QUEUE_ATTRIBUTE = "_RTCRtpReceiver__decoder_queue"


def fits_installed_aiortc() -> bool:
    """Whether the installed aiortc's receiver has the decoder queue this module
    replaces, used as above; if a release changes that, aiortc's decoder thread stays."""
    return (
        _QUEUE_ATTRIBUTE in RTCRtpReceiver.__init__.__code__.co_names
        and _QUEUE_ATTRIBUTE in RTCRtpReceiver._handle_rtp_packet.__code__.co_names
        and callable(getattr(aiortc.rtcrtpreceiver, "decoder_worker", None))
    )


class MonoOpusDecoder(Decoder):
    """Opus to 48 kHz mono s16 frames, ``pts`` the RTP timestamp in 1/48000 s (as
    aiortc's stereo ``OpusDecoder`` stamps them). Raises ``av.FFmpegError`` for a packet
    libopus rejects."""

    def __init__(self) -> None:
        codec = CodecContext.create("libopus", "r")
        codec.format = "s16"
        codec.layout = "mono"
        codec.sample_rate = OPUS_CLOCK_HZ
        self.codec = codec

    def decode(self, encoded_frame: JitterFrame) -> list[Frame]:
        packet = Packet(encoded_frame.data)
        packet.pts = encoded_frame.timestamp
        packet.time_base = _TIME_BASE
        return list(self.codec.decode(packet))


def audio_decoder_for(codec: RTCRtpCodecParameters) -> Decoder:
    """:class:`MonoOpusDecoder` for Opus, else aiortc's decoder for ``codec``."""
    if codec.mimeType.lower() == "audio/opus":
        return MonoOpusDecoder()
    return aiortc.rtcrtpreceiver.get_decoder(codec)


class LoopAudioDecoding:
    """Stands in for an audio receiver's decoder queue: :meth:`put` decodes a
    ``(codec, JitterFrame)`` pair at once and queues the frames for ``receiver``'s
    track. Loop thread only, as aiortc calls ``put``.

    ``put(None)`` (the receiver stopping) releases :meth:`get`, where aiortc's decoder
    thread waits meanwhile; the thread then ends the track as it always does."""

    def __init__(self, receiver: RTCRtpReceiver) -> None:
        self._receiver = receiver
        self._decoder: Decoder | None = None
        self._codec_name: str | None = None
        self._stopped = threading.Event()
        self.frames_decoded = 0
        self.decoding_thread: threading.Thread | None = None  # where the decoder was made

    def put(self, task: tuple[RTCRtpCodecParameters, JitterFrame] | None) -> None:
        if task is None:
            self._stopped.set()
            return
        codec, encoded_frame = task
        if codec.name != self._codec_name or self._decoder is None:
            self._decoder = audio_decoder_for(codec)
            self._codec_name = codec.name
            self.decoding_thread = threading.current_thread()
        try:
            frames = self._decoder.decode(encoded_frame)
        except FFmpegError as exc:
            # As aiortc: keep the decoder, skip the frame (audio sends no PLI).
            log.warning("failed to decode %s frame: %s", codec.name, exc)
            return
        track = self._receiver.track
        assert isinstance(track, RemoteStreamTrack)
        for frame in frames:
            self.frames_decoded += 1
            track._queue.put_nowait(frame)  # unbounded, as aiortc's thread fills it

    def get(self) -> None:
        """Block (aiortc's decoder thread) until the receiver stops; then None."""
        self._stopped.wait()


class LoopDecodingReceiver(RTCRtpReceiver):
    """aiortc's ``RTCRtpReceiver`` that decodes audio on the loop (:class:`LoopAudioDecoding`);
    video keeps aiortc's decoder thread. Same constructor and behaviour otherwise."""

    def __init__(self, kind: str, transport: RTCDtlsTransport) -> None:
        super().__init__(kind, transport)
        self.audio_decoding: LoopAudioDecoding | None = None
        if kind == "audio" and fits_installed_aiortc():
            self.audio_decoding = LoopAudioDecoding(self)
            setattr(self, _QUEUE_ATTRIBUTE, self.audio_decoding)
