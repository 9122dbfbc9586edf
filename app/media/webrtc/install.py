"""Puts Parley's WebRTC components into aiortc: one function, one place.

aiortc has no factory hooks for these: ``RTCRtpSender`` calls the module-level name
``get_encoder`` (imported into ``aiortc.rtcrtpsender``) when it sends its first frame,
its decoder thread calls ``get_decoder`` (imported into ``aiortc.rtcrtpreceiver``) for
the first frame of a codec, ``RTCRtpReceiver.__init__`` builds ``JitterBuffer``
(imported there too), ``RTCIceGatherer.__init__`` builds aioice's ``Connection``
(imported into ``aiortc.rtcicetransport``) and ``RTCPeerConnection`` builds each
``RTCRtpReceiver`` (imported into ``aiortc.rtcpeerconnection``). All are looked up at
call time, so rebinding those module attributes is enough; nothing else in aiortc is
changed, and every other codec and the audio jitter buffer stay aiortc's own objects.

What to propose upstream (aiortc): let ``RTCRtpSender``/``RTCRtpReceiver`` take an
encoder factory and a jitter-buffer class (or a codec registry that maps a MIME type to
encoder/decoder classes), complete video frames on the RTP marker bit in
``JitterBuffer``, and retarget the VP8 encoder without recreating it (the cffi libvpx
encoder aiortc had before PyAV did this with ``vpx_codec_enc_config_set``; FFmpeg's
``libvpxenc`` would need a reconfiguration path like ``libx264``'s ``reconfig_encoder``).
"""

from __future__ import annotations

import logging
import threading

import aiortc.rtcicetransport
import aiortc.rtcpeerconnection
import aiortc.rtcrtpreceiver
import aiortc.rtcrtpsender
from aiortc.codecs import get_decoder as aiortc_get_decoder
from aiortc.codecs import get_encoder as aiortc_get_encoder
from aiortc.codecs.base import Decoder, Encoder
from aiortc.rtcrtpparameters import RTCRtpCodecParameters
from av import VideoFrame

from app.media.webrtc.audio_receiver import LoopDecodingReceiver, fits_installed_aiortc
from app.media.webrtc.bitrate import VideoBitratePolicy
from app.media.webrtc.frame_tags import frame_tag
from app.media.webrtc.ice_connection import PromptConnection, fits_installed_aioice
from app.media.webrtc.jitter_buffer import MarkerJitterBuffer
from app.media.webrtc.libvpx import VpxError, load
from app.media.webrtc.shared_encoding import SharedEncoding, shared_encoding_for
from app.media.webrtc.vp8_decoder import FfmpegVp8Decoder
from app.media.webrtc.vp8_encoder import LibvpxVp8Encoder

log = logging.getLogger(__name__)

_lock = threading.Lock()
_policy = VideoBitratePolicy()
_libvpx_usable: bool | None = None


def install_parley_webrtc(video_policy: VideoBitratePolicy | None = None) -> None:
    """Make aiortc use Parley's VP8 encoder and decoder, video jitter buffer, ICE
    connection (:mod:`.ice_connection`) and audio receiver (:mod:`.audio_receiver`)
    from now on.

    Idempotent; safe to call for every call. ``video_policy`` (the call type's target
    resolution and bitrate) applies to VP8 encoders created after this call; without it
    the current policy stays (initially :class:`VideoBitratePolicy`'s defaults, 2.5 Mbps
    at 1280x720). One policy serves the process: with two calls of different call types
    publishing video at once, the later one's target wins.

    If libvpx cannot be loaded (:class:`~app.media.webrtc.libvpx.VpxError`), VP8 stays
    aiortc's encoder and a warning is logged; the jitter buffer is installed anyway.
    """
    global _policy, _libvpx_usable
    with _lock:
        if video_policy is not None:
            _policy = video_policy
        if _libvpx_usable is None:
            try:
                load()
                _libvpx_usable = True
            except VpxError as exc:
                log.warning("VP8 stays aiortc's encoder: %s", exc)
                _libvpx_usable = False
        aiortc.rtcrtpsender.get_encoder = get_encoder
        aiortc.rtcrtpreceiver.get_decoder = get_decoder
        aiortc.rtcrtpreceiver.JitterBuffer = MarkerJitterBuffer  # type: ignore[misc]
        if fits_installed_aioice():
            aiortc.rtcicetransport.Connection = PromptConnection  # type: ignore[misc]
        if fits_installed_aiortc():
            aiortc.rtcpeerconnection.RTCRtpReceiver = LoopDecodingReceiver  # type: ignore[misc]


def current_video_policy() -> VideoBitratePolicy:
    """The policy new VP8 encoders get."""
    return _policy


def prepare_shared_encoding(picture: VideoFrame) -> SharedEncoding | None:
    """The shared encoder of ``picture``'s tagged stream, set up for its size now; None
    for an untagged picture or while VP8 is aiortc's own encoder.

    For a new peer connection, while ICE and DTLS run: otherwise the first frame to that
    peer waits for libvpx's set-up (~18 ms of CPU at 720p here, ~70 ms on a loaded
    machine) on top of its keyframe. libwebrtc likewise configures its encoder when the
    session description is applied, not when the transport comes up. Blocking: run it
    on an executor thread. The group lives while someone holds it: keep the result until
    the sender has encoded. Raises :class:`~app.media.webrtc.libvpx.VpxError`."""
    tag = frame_tag(picture)
    if tag is None or not _libvpx_usable:
        return None
    group = shared_encoding_for(tag.stream_id)
    width, height = picture.width, picture.height
    group.prepare(width, height, _policy.max_bitrate_bps(width, height))
    return group


def get_encoder(codec: RTCRtpCodecParameters) -> Encoder:
    """aiortc's ``get_encoder`` with VP8 answered by :class:`LibvpxVp8Encoder`."""
    if codec.mimeType.lower() == "video/vp8" and _libvpx_usable:
        return LibvpxVp8Encoder(_policy)
    return aiortc_get_encoder(codec)


def get_decoder(codec: RTCRtpCodecParameters) -> Decoder:
    """aiortc's ``get_decoder`` with VP8 answered by :class:`FfmpegVp8Decoder`."""
    if codec.mimeType.lower() == "video/vp8":
        return FfmpegVp8Decoder()
    return aiortc_get_decoder(codec)
