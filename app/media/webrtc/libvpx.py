"""A small ctypes binding to libvpx's VP8 encoder (``vpx/vpx_encoder.h``, ``vp8cx.h``).

Why not PyAV: FFmpeg's ``libvpxenc`` reads ``AVCodecContext.bit_rate`` only when the
encoder opens, so a new target means a new encoder, a keyframe and a cold rate
controller. libvpx itself retargets a running encoder with
``vpx_codec_enc_config_set`` (what libwebrtc's ``LibvpxVp8Encoder::SetRates`` does).

Which library: the libvpx that PyAV's wheel bundles (``av.libs``/``av/.dylibs``), the
same build that already decodes VP8 in this process, else the system's ``libvpx``.

ABI: ``vpx_codec_enc_init_ver`` accepts exactly the ``VPX_ENCODER_ABI_VERSION`` the
library was built with, and that number moves with every libvpx release. It is found by
asking with a null context: libvpx checks the version before anything else and answers
``VPX_CODEC_ABI_MISMATCH`` for a wrong one, ``VPX_CODEC_INVALID_PARAM`` for the right
one. Only the head of ``vpx_codec_enc_cfg_t`` is declared (through ``kf_max_dist``,
unchanged since libvpx 1.8, 2019); the whole struct lives in a larger buffer, and
:func:`load` checks libvpx's VP8 defaults at the declared offsets before trusting them.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import sys
from pathlib import Path

import av

VPX_CODEC_OK = 0
VPX_CODEC_ABI_MISMATCH = 3
VPX_CODEC_INVALID_PARAM = 8
VPX_CODEC_CX_FRAME_PKT = 0
VPX_FRAME_IS_KEY = 0x1
VPX_EFLAG_FORCE_KF = 0x1
VPX_DL_REALTIME = 1
VPX_RC_ONE_PASS = 0
VPX_CBR = 1
VPX_KF_AUTO = 1
VPX_IMG_FMT_I420 = 0x102  # VPX_IMG_FMT_PLANAR | 2

# enum vp8e_enc_control_id (vp8cx.h): CPUUSED = 13, then one each.
VP8E_SET_CPUUSED = 13
VP8E_SET_NOISE_SENSITIVITY = 15
VP8E_SET_STATIC_THRESHOLD = 17
VP8E_SET_TOKEN_PARTITIONS = 18
VP8E_SET_MAX_INTRA_BITRATE_PCT = 26
VP8_ONE_TOKENPARTITION = 0

# Room for the whole vpx_codec_enc_cfg_t (about 1 KiB in libvpx 1.17).
_ENC_CFG_BYTES = 8192
_ABI_VERSIONS_TRIED = range(1, 128)


class VpxError(RuntimeError):
    """A libvpx call failed, or no usable libvpx was found."""


class Rational(ctypes.Structure):
    _fields_ = [("num", ctypes.c_int), ("den", ctypes.c_int)]


class FixedBuffer(ctypes.Structure):
    _fields_ = [("buf", ctypes.c_void_p), ("sz", ctypes.c_size_t)]


class EncoderConfigHead(ctypes.Structure):
    """The first fields of ``vpx_codec_enc_cfg_t``, in declaration order."""

    _fields_ = [
        ("g_usage", ctypes.c_uint),
        ("g_threads", ctypes.c_uint),
        ("g_profile", ctypes.c_uint),
        ("g_w", ctypes.c_uint),
        ("g_h", ctypes.c_uint),
        ("g_bit_depth", ctypes.c_int),
        ("g_input_bit_depth", ctypes.c_uint),
        ("g_timebase", Rational),
        ("g_error_resilient", ctypes.c_uint32),
        ("g_pass", ctypes.c_int),
        ("g_lag_in_frames", ctypes.c_uint),
        ("rc_dropframe_thresh", ctypes.c_uint),
        ("rc_resize_allowed", ctypes.c_uint),
        ("rc_scaled_width", ctypes.c_uint),
        ("rc_scaled_height", ctypes.c_uint),
        ("rc_resize_up_thresh", ctypes.c_uint),
        ("rc_resize_down_thresh", ctypes.c_uint),
        ("rc_end_usage", ctypes.c_int),
        ("rc_twopass_stats_in", FixedBuffer),
        ("rc_firstpass_mb_stats_in", FixedBuffer),
        ("rc_target_bitrate", ctypes.c_uint),  # kbit/s
        ("rc_min_quantizer", ctypes.c_uint),
        ("rc_max_quantizer", ctypes.c_uint),
        ("rc_undershoot_pct", ctypes.c_uint),
        ("rc_overshoot_pct", ctypes.c_uint),
        ("rc_buf_sz", ctypes.c_uint),  # ms
        ("rc_buf_initial_sz", ctypes.c_uint),
        ("rc_buf_optimal_sz", ctypes.c_uint),
        ("rc_2pass_vbr_bias_pct", ctypes.c_uint),
        ("rc_2pass_vbr_minsection_pct", ctypes.c_uint),
        ("rc_2pass_vbr_maxsection_pct", ctypes.c_uint),
        ("rc_2pass_vbr_corpus_complexity", ctypes.c_uint),
        ("kf_mode", ctypes.c_int),
        ("kf_min_dist", ctypes.c_uint),
        ("kf_max_dist", ctypes.c_uint),
    ]


class CodecContext(ctypes.Structure):
    """``vpx_codec_ctx_t``."""

    _fields_ = [
        ("name", ctypes.c_char_p),
        ("iface", ctypes.c_void_p),
        ("err", ctypes.c_int),
        ("err_detail", ctypes.c_char_p),
        ("init_flags", ctypes.c_long),
        ("config", ctypes.c_void_p),
        ("priv", ctypes.c_void_p),
    ]


class Image(ctypes.Structure):
    """``vpx_image_t``."""

    _fields_ = [
        ("fmt", ctypes.c_int),
        ("cs", ctypes.c_int),
        ("range", ctypes.c_int),
        ("w", ctypes.c_uint),
        ("h", ctypes.c_uint),
        ("bit_depth", ctypes.c_uint),
        ("d_w", ctypes.c_uint),
        ("d_h", ctypes.c_uint),
        ("r_w", ctypes.c_uint),
        ("r_h", ctypes.c_uint),
        ("x_chroma_shift", ctypes.c_uint),
        ("y_chroma_shift", ctypes.c_uint),
        ("planes", ctypes.c_void_p * 4),
        ("stride", ctypes.c_int * 4),
        ("bps", ctypes.c_int),
        ("user_priv", ctypes.c_void_p),
        ("img_data", ctypes.c_void_p),
        ("img_data_owner", ctypes.c_int),
        ("self_allocd", ctypes.c_int),
        ("fb_priv", ctypes.c_void_p),
    ]


class FramePacket(ctypes.Structure):
    """The ``frame`` member of ``vpx_codec_cx_pkt_t.data`` (the union starts at 8)."""

    _fields_ = [
        ("buf", ctypes.c_void_p),
        ("sz", ctypes.c_size_t),
        ("pts", ctypes.c_int64),
        ("duration", ctypes.c_ulong),
        ("flags", ctypes.c_uint32),
        ("partition_id", ctypes.c_int),
    ]


class OutputPacket(ctypes.Structure):
    """``vpx_codec_cx_pkt_t``, as far as a frame packet needs."""

    _fields_ = [("kind", ctypes.c_int), ("frame", FramePacket)]


class Libvpx:
    """The loaded library: its VP8 encoder interface and its encoder ABI version."""

    def __init__(self, library: ctypes.CDLL) -> None:
        self.lib = library
        self._declare()
        self.vp8_cx = ctypes.c_void_p(self.lib.vpx_codec_vp8_cx())
        self.encoder_abi_version = self._find_encoder_abi_version()
        self._check_config_layout()

    @property
    def version(self) -> str:
        return str(self.lib.vpx_codec_version_str().decode())

    def default_config(self) -> ctypes.Array[ctypes.c_char]:
        """libvpx's default VP8 encoder configuration, in a buffer that holds the whole
        struct; view its head with ``EncoderConfigHead.from_buffer``."""
        config = ctypes.create_string_buffer(_ENC_CFG_BYTES)
        self.check(self.lib.vpx_codec_enc_config_default(self.vp8_cx, config, 0), None)
        return config

    def check(self, error: int, context: CodecContext | None) -> None:
        """Raise :class:`VpxError` unless ``error`` is ``VPX_CODEC_OK``."""
        if error == VPX_CODEC_OK:
            return
        message = self.lib.vpx_codec_err_to_string(error).decode()
        if context is not None and context.err_detail:
            message += f" ({context.err_detail.decode()})"
        raise VpxError(message)

    def _declare(self) -> None:
        lib, p, c_int, c_long = self.lib, ctypes.c_void_p, ctypes.c_int, ctypes.c_long
        signatures: dict[str, tuple[object, list[object]]] = {
            "vpx_codec_version_str": (ctypes.c_char_p, []),
            "vpx_codec_vp8_cx": (p, []),
            "vpx_codec_err_to_string": (ctypes.c_char_p, [c_int]),
            "vpx_codec_enc_config_default": (c_int, [p, p, ctypes.c_uint]),
            "vpx_codec_enc_init_ver": (c_int, [p, p, p, c_long, c_int]),
            "vpx_codec_enc_config_set": (c_int, [p, p]),
            "vpx_codec_encode": (
                c_int,
                [p, p, ctypes.c_int64, ctypes.c_ulong, c_long, ctypes.c_ulong],
            ),
            "vpx_codec_get_cx_data": (ctypes.POINTER(OutputPacket), [p, p]),
            "vpx_codec_destroy": (c_int, [p]),
            "vpx_img_wrap": (p, [p, c_int, ctypes.c_uint, ctypes.c_uint, ctypes.c_uint, p]),
        }
        for name, (restype, argtypes) in signatures.items():
            function = getattr(lib, name)
            function.restype = restype
            function.argtypes = argtypes
        # vpx_codec_control_ is variadic: no argtypes; every control used takes an int.
        lib.vpx_codec_control_.restype = c_int

    def _find_encoder_abi_version(self) -> int:
        for version in _ABI_VERSIONS_TRIED:
            answer = self.lib.vpx_codec_enc_init_ver(None, self.vp8_cx, None, 0, version)
            if answer != VPX_CODEC_ABI_MISMATCH:
                return version
        raise VpxError(f"libvpx {self.version}: no encoder ABI version answered")

    def _check_config_layout(self) -> None:
        head = EncoderConfigHead.from_buffer(self.default_config())
        seen = (head.g_w, head.g_h, head.rc_target_bitrate, head.kf_mode)
        # libvpx's VP8 defaults (vp8/vp8_cx_iface.c): 320x240, 256 kbit/s, VPX_KF_AUTO.
        if seen != (320, 240, 256, VPX_KF_AUTO):
            raise VpxError(
                f"libvpx {self.version}: vpx_codec_enc_cfg_t does not match the declared "
                f"layout (g_w, g_h, rc_target_bitrate, kf_mode = {seen})"
            )


def _candidate_paths() -> list[str]:
    package_dir = Path(av.__file__).resolve().parent
    bundled: list[Path] = []
    for folder in (package_dir.parent / "av.libs", package_dir / ".dylibs", package_dir):
        if folder.is_dir():
            bundled += sorted(folder.glob("libvpx*.so*")) + sorted(folder.glob("libvpx*.dylib"))
            bundled += sorted(folder.glob("*vpx*.dll"))
    system = ctypes.util.find_library("vpx") or ctypes.util.find_library("libvpx")
    return [str(path) for path in bundled] + ([system] if system else [])


@functools.cache
def load() -> Libvpx:
    """The process's :class:`Libvpx` (loaded once). Raises :class:`VpxError` when no
    libvpx is found or its encoder config does not have the declared layout."""
    failures: list[str] = []
    for path in _candidate_paths():
        try:
            return Libvpx(ctypes.CDLL(path))
        except (OSError, AttributeError, VpxError) as exc:
            failures.append(f"{path}: {exc}")
    raise VpxError(f"no usable libvpx on {sys.platform}: " + ("; ".join(failures) or "none"))
