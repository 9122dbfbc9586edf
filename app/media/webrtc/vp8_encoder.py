"""A VP8 encoder for aiortc's ``RTCRtpSender`` that follows the target bitrate without
restarting.

aiortc 1.16's ``Vp8Encoder`` drops its PyAV encoder whenever the target moves by more
than 10 % (``self.codec = None``): each REMB step then costs a keyframe and a rate
controller that starts cold, which shows as bitrate bursts, short freezes and about 5 dB
less PSNR than Chromium at the same bitrate. This encoder drives libvpx directly
(:mod:`app.media.webrtc.libvpx`) with libwebrtc's real-time settings and retargets the
running encoder with ``vpx_codec_enc_config_set``. It makes a new encoder (and so a
keyframe) only when the picture size changes.

It subclasses aiortc's ``Vp8Encoder`` for the RTP side: the VP8 payload descriptor,
packetization and the picture id are aiortc's.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import threading
from fractions import Fraction

from aiortc.codecs.vpx import Vp8Encoder, number_of_threads
from aiortc.mediastreams import VIDEO_TIME_BASE, convert_timebase
from av import VideoFrame
from av.frame import Frame

from app.media.webrtc import libvpx
from app.media.webrtc.bitrate import VideoBitratePolicy

_TIMEBASE = Fraction(1, 90000)  # RTP's video clock: pts go to libvpx unchanged
_DEFAULT_FRAME_TICKS = 3000  # one frame at 30 fps, for the first frame's duration


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
        self._vpx = libvpx.load()
        self._context: libvpx.CodecContext | None = None
        self._config: ctypes.Array[ctypes.c_char] | None = None
        self._image = libvpx.Image()
        self._size = (self.policy.width, self.policy.height)
        self._estimate_bps: int | None = None  # the receiver's latest REMB, if any
        self._last_pts: int | None = None
        self._lock = threading.Lock()  # encode vs. close; the executor may run either
        self.encoders_created = 0  # libvpx encoders made (one per picture size)
        self.bitrate_changes = 0  # targets applied to a running encoder
        self.keyframes_encoded = 0

    @property
    def codec_context(self) -> libvpx.CodecContext | None:
        """The running libvpx encoder (``None`` before the first frame)."""
        return self._context

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
        """Encode one frame: (RTP payloads of the VP8 frame, RTP timestamp in 1/90000 s).

        ``force_keyframe`` answers a PLI/FIR. Raises ``ValueError`` for a frame without
        ``pts``."""
        assert isinstance(frame, VideoFrame)
        pts = frame.pts
        if pts is None:
            raise ValueError("a video frame to encode needs a pts")
        if frame.format.name != "yuv420p":
            frame = frame.reformat(format="yuv420p")
        timestamp = convert_timebase(pts, frame.time_base, VIDEO_TIME_BASE)
        with self._lock:
            context = self._context_for(frame.width, frame.height)
            self._apply_target_bitrate(context)
            data = self._encode(context, frame, timestamp, force_keyframe)
        payloads = self._packetize(data, self.picture_id) if data else []
        self.picture_id = (self.picture_id + 1) % (1 << 15)
        return payloads, timestamp

    def close(self) -> None:
        """Free the libvpx encoder (also done when the object is collected)."""
        with self._lock:
            if self._context is not None:
                self._vpx.lib.vpx_codec_destroy(ctypes.byref(self._context))
                self._context = None

    def __del__(self) -> None:
        if getattr(self, "_context", None) is not None:  # not if __init__ failed
            self.close()

    def _context_for(self, width: int, height: int) -> libvpx.CodecContext:
        if self._context is not None and (width, height) == self._size:
            return self._context
        if self._context is not None:
            self._vpx.lib.vpx_codec_destroy(ctypes.byref(self._context))
            self._context = None
        self._size = (width, height)
        config = self._vpx.default_config()
        head = libvpx.EncoderConfigHead.from_buffer(config)
        # Real-time CBR as in libwebrtc's LibvpxVp8Encoder::InitEncode (and aiortc).
        head.g_w, head.g_h = width, height
        head.g_timebase.num, head.g_timebase.den = _TIMEBASE.numerator, _TIMEBASE.denominator
        head.g_threads = number_of_threads(width * height, multiprocessing.cpu_count())
        head.g_pass = libvpx.VPX_RC_ONE_PASS
        head.g_lag_in_frames = 0
        head.g_error_resilient = 0
        head.rc_end_usage = libvpx.VPX_CBR
        head.rc_resize_allowed = 0
        head.rc_dropframe_thresh = 0  # aiortc paces by the source: never skip a frame
        head.rc_target_bitrate = self.target_bitrate // 1000
        head.rc_min_quantizer = 2
        head.rc_max_quantizer = 56
        head.rc_undershoot_pct = 100
        head.rc_overshoot_pct = 15
        head.rc_buf_initial_sz = 500
        head.rc_buf_optimal_sz = 600
        head.rc_buf_sz = 1000
        head.kf_mode = libvpx.VPX_KF_AUTO
        head.kf_max_dist = 3000  # keyframes on request (PLI), not on a timer
        context = libvpx.CodecContext()
        self._vpx.check(
            self._vpx.lib.vpx_codec_enc_init_ver(
                ctypes.byref(context), self._vpx.vp8_cx, config, 0, self._vpx.encoder_abi_version
            ),
            context,
        )
        controls = (
            (libvpx.VP8E_SET_CPUUSED, -6),
            # Denoiser off (aiortc asked for 4, adaptive): it is a second pass over
            # every frame on the encoding thread, and buys little on clean sources.
            (libvpx.VP8E_SET_NOISE_SENSITIVITY, 0),
            (libvpx.VP8E_SET_STATIC_THRESHOLD, 1),
            (libvpx.VP8E_SET_TOKEN_PARTITIONS, libvpx.VP8_ONE_TOKENPARTITION),
            # Keyframes at most 9x an average frame (libwebrtc: 0.5 x optimal buffer
            # x fps / 10 = 900 %), so a PLI does not flood the link.
            (libvpx.VP8E_SET_MAX_INTRA_BITRATE_PCT, 900),
        )
        for control, value in controls:
            self._vpx.check(
                self._vpx.lib.vpx_codec_control_(
                    ctypes.byref(context), ctypes.c_int(control), ctypes.c_int(value)
                ),
                context,
            )
        self._context, self._config = context, config
        self._last_pts = None
        self.encoders_created += 1
        return context

    def _apply_target_bitrate(self, context: libvpx.CodecContext) -> None:
        assert self._config is not None
        head = libvpx.EncoderConfigHead.from_buffer(self._config)
        target_kbps = self.target_bitrate // 1000
        if head.rc_target_bitrate == target_kbps:
            return
        head.rc_target_bitrate = target_kbps
        self._vpx.check(
            self._vpx.lib.vpx_codec_enc_config_set(ctypes.byref(context), self._config),
            context,
        )
        self.bitrate_changes += 1

    def _encode(
        self, context: libvpx.CodecContext, frame: VideoFrame, pts: int, keyframe: bool
    ) -> bytes:
        # libvpx needs strictly increasing pts; its rate control reads the frame rate
        # from the durations.
        if self._last_pts is not None and pts <= self._last_pts:
            pts = self._last_pts + 1
        duration = _DEFAULT_FRAME_TICKS if self._last_pts is None else pts - self._last_pts
        self._last_pts = pts
        image = self._image
        self._vpx.lib.vpx_img_wrap(
            ctypes.byref(image),
            libvpx.VPX_IMG_FMT_I420,
            frame.width,
            frame.height,
            1,
            frame.planes[0].buffer_ptr,
        )
        for index, plane in enumerate(frame.planes[:3]):
            image.planes[index] = plane.buffer_ptr
            image.stride[index] = plane.line_size
        flags = libvpx.VPX_EFLAG_FORCE_KF if keyframe else 0
        self._vpx.check(
            self._vpx.lib.vpx_codec_encode(
                ctypes.byref(context),
                ctypes.byref(image),
                pts,
                duration,
                flags,
                libvpx.VPX_DL_REALTIME,
            ),
            context,
        )
        chunks: list[bytes] = []
        iterator = ctypes.c_void_p()
        while packet := self._vpx.lib.vpx_codec_get_cx_data(
            ctypes.byref(context), ctypes.byref(iterator)
        ):
            if packet.contents.kind == libvpx.VPX_CODEC_CX_FRAME_PKT:
                chunk = packet.contents.frame
                chunks.append(ctypes.string_at(chunk.buf, chunk.sz))
                if chunk.flags & libvpx.VPX_FRAME_IS_KEY:
                    self.keyframes_encoded += 1
        return b"".join(chunks)
