"""Where a video sender's bitrate starts and where it stops.

aiortc starts every VP8 sender at 500 kbps and never lets it above 1.5 Mbps
(``aiortc.codecs.vpx.DEFAULT_BITRATE``/``MAX_BITRATE``), whatever the call is for. Parley
starts and caps it at the call type's target instead (Stream's
``settings.video.target_resolution``: a width, a height and a bitrate), scaled to the
resolution actually sent; receiver estimates (REMB) only lower it from there.

Scaling rule: bits per pixel fall as the picture grows, roughly with the square root of
the pixel count. libwebrtc's own per-resolution caps sit close to it: 2.5 Mbps at
1280x720 against 5 Mbps at 2560x1440 (Stream's default call type).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MIN_VIDEO_BITRATE_BPS = 150_000  # below this VP8 at any size is a slideshow
DEFAULT_TARGET_WIDTH = 1280
DEFAULT_TARGET_HEIGHT = 720
DEFAULT_TARGET_BITRATE_BPS = 2_500_000  # libwebrtc's cap for 1280x720


@dataclass(frozen=True)
class VideoBitratePolicy:
    """The call type's target: ``bitrate_bps`` at ``width`` x ``height`` pixels."""

    bitrate_bps: int = DEFAULT_TARGET_BITRATE_BPS
    width: int = DEFAULT_TARGET_WIDTH
    height: int = DEFAULT_TARGET_HEIGHT

    def __post_init__(self) -> None:
        if self.bitrate_bps <= 0 or self.width <= 0 or self.height <= 0:
            raise ValueError(f"invalid video target {self}")

    def max_bitrate_bps(self, width: int, height: int) -> int:
        """The start and the cap for a ``width`` x ``height`` stream: the target scaled by
        the square root of the pixel ratio, never above the target itself nor below
        :data:`MIN_VIDEO_BITRATE_BPS`."""
        ratio = math.sqrt((width * height) / (self.width * self.height))
        scaled = round(self.bitrate_bps * min(1.0, ratio))
        return max(MIN_VIDEO_BITRATE_BPS, scaled)

    def clamp_bps(self, bitrate_bps: int, width: int, height: int) -> int:
        """``bitrate_bps`` (e.g. a REMB estimate) held within
        [:data:`MIN_VIDEO_BITRATE_BPS`, :meth:`max_bitrate_bps`]."""
        return max(MIN_VIDEO_BITRATE_BPS, min(bitrate_bps, self.max_bitrate_bps(width, height)))
