"""Fixtures for the media tests: real media files and the PulseAudio null sink."""

from tests.fixtures.media_files import (  # noqa: F401  (pytest finds fixtures by name)
    speech_wav,
    tone_wav,
    video_720p_mp4,
    video_720p_y4m,
    vtest_avi,
    vtest_clip_avi,
)
from tests.fixtures.pulseaudio import pulse_null_sink  # noqa: F401
