"""Parley's replacements for aiortc components, and the one call that installs them.

- :class:`LibvpxVp8Encoder`: VP8 that follows REMB without restarting the encoder.
- :class:`MarkerJitterBuffer`: video frames complete on the RTP marker bit.
- :class:`VideoBitratePolicy`: the call type's target as the start and cap of the
  video bitrate.
- :func:`install_parley_webrtc`: puts them into aiortc (see :mod:`.install` for why
  and how).
"""

from app.media.webrtc.bitrate import MIN_VIDEO_BITRATE_BPS, VideoBitratePolicy
from app.media.webrtc.install import current_video_policy, install_parley_webrtc
from app.media.webrtc.jitter_buffer import MarkerJitterBuffer
from app.media.webrtc.libvpx import VpxError
from app.media.webrtc.vp8_encoder import LibvpxVp8Encoder

__all__ = [
    "MIN_VIDEO_BITRATE_BPS",
    "LibvpxVp8Encoder",
    "MarkerJitterBuffer",
    "VideoBitratePolicy",
    "VpxError",
    "current_video_policy",
    "install_parley_webrtc",
]
