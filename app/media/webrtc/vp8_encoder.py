"""A VP8 encoder for aiortc's ``RTCRtpSender`` that follows the target bitrate without
restarting, and encodes a picture once for every peer that is sent it.

aiortc 1.16's ``Vp8Encoder`` drops its PyAV encoder whenever the target moves by more
than 10 % (``self.codec = None``): each REMB step then costs a keyframe and a rate
controller that starts cold, which shows as bitrate bursts, short freezes and about 5 dB
less PSNR than Chromium at the same bitrate. This encoder drives libvpx directly
(:class:`~app.media.webrtc.vp8_compressor.Vp8Compressor`) with libwebrtc's real-time
settings and retargets the running encoder. Frames tagged by their source
(:mod:`app.media.webrtc.frame_tags`) are encoded once for all the senders of that source
(:mod:`app.media.webrtc.shared_encoding`); untagged frames get an encoder of their own.

It subclasses aiortc's ``Vp8Encoder`` for the RTP side: the VP8 payload descriptor,
packetization and the picture id are aiortc's.
"""

from __future__ import annotations

import threading

from aiortc.codecs.vpx import Vp8Encoder
from aiortc.mediastreams import VIDEO_TIME_BASE, convert_timebase
from av import VideoFrame
from av.frame import Frame

from app.media.webrtc import libvpx
from app.media.webrtc.bitrate import VideoBitratePolicy
from app.media.webrtc.frame_tags import frame_tag
from app.media.webrtc.shared_encoding import SharedEncoding, shared_encoding_for
from app.media.webrtc.vp8_compressor import Vp8Compressor


class LibvpxVp8Encoder(Vp8Encoder):
    """VP8 in CBR at the target bitrate, which can change between any two frames.

    ``target_bitrate`` (bits per second, aiortc's ``Encoder`` attribute that
    ``RTCRtpSender`` sets from each REMB) is held within ``policy``'s bounds for the
    current picture size; the encoder starts at the top of them. :meth:`encode` is
    called on a worker thread (aiortc's executor), the setter on the loop thread.

    Raises :class:`~app.media.webrtc.libvpx.VpxError` when libvpx is unusable or
    refuses a frame.
    """

    def __init__(self, policy: VideoBitratePolicy | None = None) -> None:
        super().__init__()
        self.policy = policy or VideoBitratePolicy()
        self._own: Vp8Compressor | None = None  # for untagged frames
        self.shared: SharedEncoding | None = None  # for tagged frames (a source's)
        libvpx.load()  # fail here, not at the first frame, when libvpx is unusable
        self._size = (self.policy.width, self.policy.height)
        self._estimate_bps: int | None = None  # the receiver's latest REMB, if any
        self._lock = threading.Lock()  # encode vs. close; the executor may run either

    @property
    def compressor(self) -> Vp8Compressor | None:
        """The libvpx encoder this sender's frames went through last (shared or own)."""
        return self.shared.compressor if self.shared is not None else self._own

    @property
    def codec_context(self) -> libvpx.CodecContext | None:
        """The running libvpx encoder (``None`` before the first frame)."""
        compressor = self.compressor
        return compressor.codec_context if compressor is not None else None

    @property
    def encoders_created(self) -> int:
        """libvpx encoders made (one per picture size)."""
        return self.compressor.encoders_created if self.compressor is not None else 0

    @property
    def bitrate_changes(self) -> int:
        """Targets applied to a running encoder."""
        return self.compressor.bitrate_changes if self.compressor is not None else 0

    @property
    def keyframes_encoded(self) -> int:
        return self.compressor.keyframes_encoded if self.compressor is not None else 0

    @property
    def receiver_estimate_bps(self) -> int | None:
        """The receiver's latest estimate (REMB) in bits per second, ``None`` before
        the first."""
        return self._estimate_bps

    @property
    def target_bitrate(self) -> int:
        """Bits per second the encoder aims at for the current picture size."""
        estimate = self._estimate_bps
        cap = self.policy.max_bitrate_bps(*self._size)
        return cap if estimate is None else self.policy.clamp_bps(estimate, *self._size)

    @target_bitrate.setter
    def target_bitrate(self, bitrate: int) -> None:
        self._estimate_bps = int(bitrate)

    def encode(self, frame: Frame, force_keyframe: bool = False) -> tuple[list[bytes], int]:
        """Encode one frame: (RTP payloads of the VP8 frame, RTP timestamp in 1/90000 s);
        no payloads when this sender must skip the picture (shared encoding, see
        :mod:`~app.media.webrtc.shared_encoding`).

        ``force_keyframe`` answers a PLI/FIR. Raises ``ValueError`` for a frame without
        ``pts``."""
        assert isinstance(frame, VideoFrame)
        pts = frame.pts
        if pts is None:
            raise ValueError("a video frame to encode needs a pts")
        if frame.format.name != "yuv420p":
            frame = frame.reformat(format="yuv420p")  # keeps the tag (Frame.opaque)
        timestamp = convert_timebase(pts, frame.time_base, VIDEO_TIME_BASE)
        self._size = (frame.width, frame.height)
        tag = frame_tag(frame)
        if tag is not None:
            if self.shared is None or self.shared.stream_id != tag.stream_id:
                if self.shared is not None:
                    self.shared.leave(self)  # e.g. its receiver asked for another layer
                self.shared = shared_encoding_for(tag.stream_id)
                self.shared.join(self, self.target_bitrate)
            data = self.shared.encode_for(
                self,
                tag,
                frame,
                keyframe_requested=force_keyframe,
                bitrate_bps=self.target_bitrate,
            )
        else:
            with self._lock:
                if self._own is None:
                    self._own = Vp8Compressor()
                if self.shared is not None:
                    self.shared.leave(self)
                self.shared = None
                data, _ = self._own.compress(
                    frame, timestamp, keyframe=force_keyframe, bitrate_bps=self.target_bitrate
                )
        payloads = self._packetize(data, self.picture_id) if data else []
        if data:
            self.picture_id = (self.picture_id + 1) % (1 << 15)
        return payloads, timestamp

    def close(self) -> None:
        """Free this sender's own libvpx encoder (a shared one goes with its last sender)."""
        with self._lock:
            if self._own is not None:
                self._own.close()
                self._own = None
