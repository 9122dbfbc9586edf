"""The microphone encoded to Opus once, for every peer it is sent to.

aiortc gives each ``RTCRtpSender`` its own Opus encoder and, for every 20 ms frame, hands
the encode to a worker thread (``run_in_executor``) and back. In a mesh of four that is
150 encodes and 300 thread hand-overs a second for one microphone, and it showed: audio
alone cost a participant 0.29 cores there, 53 % of it in the Python interpreter and 18 %
in the kernel switching threads, 9 % in libopus. A sender that reads ``av.Packet``s
instead of frames skips both: aiortc only packs them (``Encoder.pack``), on the loop.

:class:`OpusPacketTrack` reads one audio track and returns Opus packets (48 kHz, 20 ms);
a ``MediaRelay`` fans them out to the senders, so each frame is encoded once, on the loop
thread. What is given up: aiortc then sets no RFC 6464 audio level on the packets (it
computes it from frames); Parley's receivers measure levels on the decoded audio, not
from that header.

The microphone is mono, and it is coded mono at ``VOICE_BITRATE_BPS``, as libwebrtc codes
a mono microphone (32 kbps unless the far end asks for stereo). aiortc's encoder upmixes
every frame to stereo and codes it at 96 kbps: measured here on a tone, 81 kbps against
34 kbps per peer, and 224 against 184 µs of CPU per frame. The SDP stays
``opus/48000/2`` (RFC 7587 requires it); each packet's TOC byte says mono, and the far
end's stereo decoder plays it on both channels.
"""

from __future__ import annotations

from collections import deque
from fractions import Fraction

from aiortc import MediaStreamTrack
from aiortc.codecs.opus import OpusEncoder
from aiortc.mediastreams import MediaStreamError
from av import AudioFrame, AudioResampler, CodecContext, Packet
from av.frame import Frame

OPUS_CLOCK_HZ = 48_000
VOICE_BITRATE_BPS = 32_000  # libwebrtc's default for a mono Opus microphone
_SAMPLES_PER_FRAME = 960  # 20 ms
_TIME_BASE = Fraction(1, OPUS_CLOCK_HZ)


class MonoOpusEncoder(OpusEncoder):
    """aiortc's Opus encoder (its timestamps and packing) coding mono at
    ``VOICE_BITRATE_BPS`` instead of stereo at 96 kbps."""

    def __init__(self) -> None:
        super().__init__()  # aiortc's own state (first_packet_pts); its codec is replaced
        codec = CodecContext.create("libopus", "w")
        codec.bit_rate = VOICE_BITRATE_BPS
        codec.format = "s16"
        codec.layout = "mono"
        codec.options = {"application": "voip"}
        codec.sample_rate = OPUS_CLOCK_HZ
        codec.time_base = _TIME_BASE
        self.codec = codec
        self.resampler = AudioResampler(
            format="s16", layout="mono", rate=OPUS_CLOCK_HZ, frame_size=_SAMPLES_PER_FRAME
        )


class OpusPacketTrack(MediaStreamTrack):
    """``source``'s audio as mono Opus ``av.Packet``s: ``pts`` in 1/48000 s counting from
    0, one packet per 20 ms. Non-audio items of ``source`` are passed on unchanged.
    Raises ``MediaStreamError`` when ``source`` ends. Stopping it leaves ``source`` to its
    owner: end the source to end every reader down the chain (a relay proxy stopped
    under a pending ``recv`` never wakes it, and the relay task reading this track would
    wait forever)."""

    kind = "audio"

    def __init__(self, source: MediaStreamTrack) -> None:
        super().__init__()
        self._source = source
        self._encoder = MonoOpusEncoder()
        self._ready: deque[Packet] = deque()
        self.frames_encoded = 0

    async def recv(self) -> Frame | Packet:
        while not self._ready:
            if self.readyState != "live":
                raise MediaStreamError
            frame = await self._source.recv()
            if not isinstance(frame, AudioFrame):
                return frame
            payloads, timestamp = self._encoder.encode(frame)
            self.frames_encoded += 1
            for index, payload in enumerate(payloads):
                packet = Packet(payload)
                packet.pts = timestamp + index * _SAMPLES_PER_FRAME
                packet.time_base = _TIME_BASE
                self._ready.append(packet)
        return self._ready.popleft()
