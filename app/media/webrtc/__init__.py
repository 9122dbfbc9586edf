"""Parley's replacements for aiortc components, and the one call that installs them.

- :class:`LibvpxVp8Encoder`: VP8 that follows REMB without restarting the encoder.
- :class:`MarkerJitterBuffer`: video frames complete on the RTP marker bit.
- :class:`TaggedVideoTrack` and :class:`SharedEncoding`: a source's picture is encoded
  once for all the peers it is sent to.
- :class:`VideoBitratePolicy`: the call type's target as the start and cap of the
  video bitrate.
- :func:`install_parley_webrtc`: puts them into aiortc (see :mod:`.install` for why
  and how).
"""

from app.media.webrtc.bitrate import MIN_VIDEO_BITRATE_BPS, VideoBitratePolicy
from app.media.webrtc.frame_tags import (
    FrameTag,
    TaggedVideoTrack,
    frame_tag,
    layer_stream_id,
    stream_layers,
)
from app.media.webrtc.install import (
    current_video_policy,
    install_parley_webrtc,
    prepare_shared_encoding,
)
from app.media.webrtc.jitter_buffer import MarkerJitterBuffer
from app.media.webrtc.libvpx import VpxError
from app.media.webrtc.opus_packets import OpusPacketTrack
from app.media.webrtc.shared_encoding import (
    SharedEncoding,
    existing_shared_encoding,
    shared_encoding_for,
    stream_encoding_stats,
)
from app.media.webrtc.vp8_compressor import Vp8Compressor
from app.media.webrtc.vp8_encoder import LibvpxVp8Encoder

__all__ = [
    "MIN_VIDEO_BITRATE_BPS",
    "FrameTag",
    "LibvpxVp8Encoder",
    "MarkerJitterBuffer",
    "OpusPacketTrack",
    "SharedEncoding",
    "TaggedVideoTrack",
    "VideoBitratePolicy",
    "Vp8Compressor",
    "VpxError",
    "current_video_policy",
    "existing_shared_encoding",
    "frame_tag",
    "install_parley_webrtc",
    "layer_stream_id",
    "prepare_shared_encoding",
    "shared_encoding_for",
    "stream_encoding_stats",
    "stream_layers",
]
