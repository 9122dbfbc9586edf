"""Parley's media layer on aiortc: sources, sinks, the switchable sender track, audio
mixing and output, device enumeration, the ICE policy, video filters
(:mod:`app.media.filters`) and Parley's replacements for aiortc components
(:mod:`app.media.webrtc`).

Threading: everything here is used from the asyncio loop thread (the Qt GUI thread
under qasync) unless a docstring says otherwise; blocking work (decoding, capture,
PortAudio callbacks) runs in threads and hands results back with
``call_soon_threadsafe``.
"""

from app.media.audio_mixer import AudioMixer
from app.media.audio_output import ClockedNullOutput, SoundDeviceOutput, WavRecorder
from app.media.audio_sources import (
    FRAME_SAMPLES,
    SAMPLE_RATE,
    AudioSourceTrack,
    FileAudioTrack,
    MicrophoneTrack,
)
from app.media.cpu_overuse import CpuOveruseDetector
from app.media.devices import (
    DEFAULT_DEVICE_ID,
    FakeDevices,
    MediaDeviceInfo,
    list_audio_inputs,
    list_audio_outputs,
    list_video_inputs,
    open_audio_source,
    open_video_source,
)
from app.media.errors import MediaDeviceError
from app.media.filters import (
    BackgroundBlurFilter,
    BackgroundImageFilter,
    FilterChainTrack,
    FilterUnavailable,
    GrayscaleFilter,
    VideoFilter,
    available_filters,
)
from app.media.frame_sink import FrameSink
from app.media.ice_policy import apply_ice_policy, loopback_only_active
from app.media.levels import LevelMeter, SpeakingDetector, rms_level
from app.media.screen_share_track import ScreenShareProfile, ScreenShareTrack
from app.media.switchable_track import RelayedSource, SwitchableTrack
from app.media.video_layers import LayeredVideoTrack, VideoDimension, layer_size
from app.media.video_sources import CameraVideoTrack, FileVideoTrack
from app.media.webrtc import VideoBitratePolicy, install_parley_webrtc

__all__ = [
    "DEFAULT_DEVICE_ID",
    "FRAME_SAMPLES",
    "SAMPLE_RATE",
    "AudioMixer",
    "AudioSourceTrack",
    "BackgroundBlurFilter",
    "BackgroundImageFilter",
    "CameraVideoTrack",
    "ClockedNullOutput",
    "CpuOveruseDetector",
    "FakeDevices",
    "FileAudioTrack",
    "FileVideoTrack",
    "FilterChainTrack",
    "FilterUnavailable",
    "FrameSink",
    "GrayscaleFilter",
    "LayeredVideoTrack",
    "LevelMeter",
    "MediaDeviceError",
    "MediaDeviceInfo",
    "MicrophoneTrack",
    "RelayedSource",
    "ScreenShareProfile",
    "ScreenShareTrack",
    "SoundDeviceOutput",
    "SpeakingDetector",
    "SwitchableTrack",
    "VideoBitratePolicy",
    "VideoDimension",
    "VideoFilter",
    "WavRecorder",
    "apply_ice_policy",
    "available_filters",
    "install_parley_webrtc",
    "layer_size",
    "list_audio_inputs",
    "list_audio_outputs",
    "list_video_inputs",
    "loopback_only_active",
    "open_audio_source",
    "open_video_source",
    "rms_level",
]
