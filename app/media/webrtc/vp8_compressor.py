"""``Vp8Compressor``: one running libvpx VP8 encoder, pictures in, VP8 frames out.

The part of :class:`~app.media.webrtc.vp8_encoder.LibvpxVp8Encoder` that does not know
about RTP, so one compressor can serve a single sender or a whole group of senders of the
same picture stream (:mod:`app.media.webrtc.shared_encoding`). Real-time CBR with
libwebrtc's settings; a new target bitrate retargets the running encoder
(``vpx_codec_enc_config_set``); only a new picture size makes a new encoder (and so a
keyframe).
"""

from __future__ import annotations

import ctypes
import multiprocessing

from aiortc.codecs.vpx import number_of_threads
from av import VideoFrame

from app.media.webrtc import libvpx

TIMEBASE_HZ = 90_000  # RTP's video clock: pts go to libvpx unchanged
_DEFAULT_FRAME_TICKS = 3000  # one frame at 30 fps, until intervals are measured
_MAX_FRAME_TICKS = 90_000  # a pause (a muted camera) counts as one second, not more
# Weight of each new interval in the smoothed one: about a second of frames to follow a
# real change (15 fps after 30), never a 10 % step from one frame to the next.
_FRAME_TICKS_SMOOTHING = 0.05
FRAME_DROP_THRESHOLD_PCT = 30  # libwebrtc's LibvpxVp8Encoder (FrameDropThreshold)


class Vp8Compressor:
    """Not thread-safe: its owner serialises :meth:`compress` and :meth:`close`.

    Raises :class:`~app.media.webrtc.libvpx.VpxError` when libvpx is unusable or refuses
    a frame."""

    def __init__(self) -> None:
        self._vpx = libvpx.load()
        self._context: libvpx.CodecContext | None = None
        self._config: ctypes.Array[ctypes.c_char] | None = None
        self._image = libvpx.Image()
        self._size: tuple[int, int] | None = None
        self._last_pts: int | None = None  # the caller's, to measure the frame interval
        self._frame_ticks = float(_DEFAULT_FRAME_TICKS)  # smoothed interval, 1/90000 s
        self._timeline_pts = 0  # the regular timeline libvpx sees
        self.encoders_created = 0  # libvpx encoders made (one per picture size)
        self.bitrate_changes = 0  # targets applied to a running encoder
        self.keyframes_encoded = 0
        self.frames_encoded = 0  # pictures given to libvpx, dropped ones included
        self.frames_dropped = 0  # skipped by libvpx to hold the bitrate

    @property
    def codec_context(self) -> libvpx.CodecContext | None:
        """The running libvpx encoder (``None`` before the first frame)."""
        return self._context

    def compress(
        self, frame: VideoFrame, pts_90k: int, *, keyframe: bool, bitrate_bps: int
    ) -> tuple[bytes, bool]:
        """Encode ``frame`` (yuv420p) shown at ``pts_90k`` (1/90000 s: only the interval
        between frames is used, smoothed) at ``bitrate_bps``: (the VP8 frame, whether it
        is a keyframe).
        The bytes are empty when libvpx drops the frame to hold the bitrate (never a
        requested keyframe)."""
        context = self._context_for(frame.width, frame.height, bitrate_bps)
        self._apply_target_bitrate(context, bitrate_bps)
        return self._encode(context, frame, pts_90k, keyframe)

    def prepare(self, width: int, height: int, bitrate_bps: int) -> None:
        """Set libvpx up for ``width`` x ``height`` frames now rather than at the first
        :meth:`compress` (a no-op when it already is). At 720p the set-up is ~18 ms of
        CPU here, most of it the kernel handing libvpx fresh pages. Raises
        :class:`~app.media.webrtc.libvpx.VpxError`."""
        self._context_for(width, height, bitrate_bps)

    def close(self) -> None:
        """Free the libvpx encoder (also done when the object is collected)."""
        if self._context is not None:
            self._vpx.lib.vpx_codec_destroy(ctypes.byref(self._context))
            self._context = None

    def __del__(self) -> None:
        if getattr(self, "_context", None) is not None:  # not if __init__ failed
            self.close()

    def _context_for(self, width: int, height: int, bitrate_bps: int) -> libvpx.CodecContext:
        if self._context is not None and (width, height) == self._size:
            return self._context
        self.close()
        self._size = (width, height)
        config = self._vpx.default_config()
        head = libvpx.EncoderConfigHead.from_buffer(config)
        # Real-time CBR as in libwebrtc's LibvpxVp8Encoder::InitEncode (and aiortc).
        head.g_w, head.g_h = width, height
        head.g_timebase.num, head.g_timebase.den = 1, TIMEBASE_HZ
        head.g_threads = number_of_threads(width * height, multiprocessing.cpu_count())
        head.g_pass = libvpx.VPX_RC_ONE_PASS
        head.g_lag_in_frames = 0
        head.g_error_resilient = 0
        head.rc_end_usage = libvpx.VPX_CBR
        head.rc_resize_allowed = 0
        # libwebrtc's frame dropping: below 30 % of the rate buffer libvpx skips a frame
        # (compress returns no bytes) instead of overshooting. Without it a starved
        # encoder ran 50 % over its target for as long as the machine was busy
        # (3.7-4.0 Mbps at a 2.5 Mbps target at ~20 fps).
        head.rc_dropframe_thresh = FRAME_DROP_THRESHOLD_PCT
        head.rc_target_bitrate = bitrate_bps // 1000
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

    def _apply_target_bitrate(self, context: libvpx.CodecContext, bitrate_bps: int) -> None:
        assert self._config is not None
        head = libvpx.EncoderConfigHead.from_buffer(self._config)
        target_kbps = bitrate_bps // 1000
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
    ) -> tuple[bytes, bool]:
        # libvpx reads the frame rate from each frame's duration and, when one differs
        # from the last by 10 % or more, takes it as the new rate at once: jittery capture
        # times (a busy machine) swung its per-frame budget, and the stream ran 40-60 %
        # over its target. As libwebrtc does, libvpx gets a regular timeline instead:
        # every frame lasts the smoothed input frame interval.
        if self._last_pts is not None:
            interval = min(max(pts - self._last_pts, 1), _MAX_FRAME_TICKS)
            self._frame_ticks += (interval - self._frame_ticks) * _FRAME_TICKS_SMOOTHING
        self._last_pts = pts
        duration = max(1, round(self._frame_ticks))
        self._timeline_pts += duration
        pts = self._timeline_pts
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
        is_key = False
        iterator = ctypes.c_void_p()
        while packet := self._vpx.lib.vpx_codec_get_cx_data(
            ctypes.byref(context), ctypes.byref(iterator)
        ):
            if packet.contents.kind == libvpx.VPX_CODEC_CX_FRAME_PKT:
                chunk = packet.contents.frame
                chunks.append(ctypes.string_at(chunk.buf, chunk.sz))
                is_key = is_key or bool(chunk.flags & libvpx.VPX_FRAME_IS_KEY)
        self.frames_encoded += 1
        self.keyframes_encoded += is_key
        self.frames_dropped += not chunks
        return b"".join(chunks), is_key
