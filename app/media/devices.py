"""Device enumeration (W3C ``MediaDeviceInfo``) and factories from device ids to tracks.

Device ids: ``"default"`` and PortAudio device names for audio, ``"camera:<index>"`` for
cameras, ``"file:<path>"`` for media files used as fake devices (``--video-file`` /
``--audio-file``, like Chromium's fake capture flags).
"""

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import sounddevice as sd

from app.media.audio_sources import AudioSourceTrack, FileAudioTrack, MicrophoneTrack
from app.media.errors import MediaDeviceError
from app.media.portaudio import refresh_devices
from app.media.video_sources import CameraVideoTrack, FileVideoTrack, import_cv2

__all__ = [
    "DEFAULT_DEVICE_ID",
    "FakeDevices",
    "MediaDeviceInfo",
    "list_audio_inputs",
    "list_audio_outputs",
    "list_video_inputs",
    "open_audio_source",
    "open_video_source",
]

DEFAULT_DEVICE_ID = "default"
_FILE_PREFIX = "file:"
_CAMERA_PREFIX = "camera:"
_PROBED_CAMERA_INDICES = range(4)

type MediaDeviceKind = Literal["videoinput", "audioinput", "audiooutput"]


@dataclass(frozen=True)
class MediaDeviceInfo:
    """One capture or playout device (W3C ``MediaDeviceInfo``: deviceId, label, kind)."""

    device_id: str
    label: str
    kind: MediaDeviceKind


@dataclass(frozen=True)
class FakeDevices:
    """Media files offered as devices, listed before the real ones."""

    video_file: Path | None = None
    audio_file: Path | None = None

    def video_inputs(self) -> list[MediaDeviceInfo]:
        """The video file as a ``videoinput``, if any."""
        return _file_device(self.video_file, "videoinput")

    def audio_inputs(self) -> list[MediaDeviceInfo]:
        """The audio file as an ``audioinput``, if any."""
        return _file_device(self.audio_file, "audioinput")


def _file_device(path: Path | None, kind: MediaDeviceKind) -> list[MediaDeviceInfo]:
    if path is None:
        return []
    return [MediaDeviceInfo(f"{_FILE_PREFIX}{path}", f"File: {path.name}", kind)]


def _audio_devices(kind: MediaDeviceKind) -> list[MediaDeviceInfo]:
    refresh_devices()
    channels_key = "max_input_channels" if kind == "audioinput" else "max_output_channels"
    devices: list[MediaDeviceInfo] = [MediaDeviceInfo(DEFAULT_DEVICE_ID, "Default", kind)]
    seen = {DEFAULT_DEVICE_ID}
    device: dict[str, Any]
    for device in sd.query_devices():
        name = str(device["name"])
        if device[channels_key] > 0 and name not in seen:
            seen.add(name)
            devices.append(MediaDeviceInfo(name, name, kind))
    return devices


def list_audio_inputs(fake: FakeDevices | None = None) -> list[MediaDeviceInfo]:
    """Fake audio files, "default", then PortAudio input devices (refreshed when possible)."""
    return (fake.audio_inputs() if fake else []) + _audio_devices("audioinput")


def list_audio_outputs() -> list[MediaDeviceInfo]:
    """ "default", then PortAudio output devices (refreshed when possible)."""
    return _audio_devices("audiooutput")


def list_video_inputs(fake: FakeDevices | None = None) -> list[MediaDeviceInfo]:
    """Fake video files, then cameras.

    Linux: capture nodes from sysfs (``/sys/class/video4linux/video*`` with ``index`` 0;
    other nodes of the same camera carry metadata). Elsewhere OpenCV indices 0..3 are
    probed (opening a camera there takes a moment).
    """
    devices = fake.video_inputs() if fake else []
    if sys.platform.startswith("linux"):
        for node in sorted(Path("/sys/class/video4linux").glob("video*")):
            index_file = node / "index"
            if index_file.exists() and index_file.read_text().strip() != "0":
                continue
            label = (node / "name").read_text().strip() if (node / "name").exists() else node.name
            index = int(node.name.removeprefix("video"))
            devices.append(MediaDeviceInfo(f"{_CAMERA_PREFIX}{index}", label, "videoinput"))
        return devices
    cv2 = import_cv2()
    for index in _PROBED_CAMERA_INDICES:
        capture = cv2.VideoCapture(index)
        if capture.isOpened():
            devices.append(
                MediaDeviceInfo(f"{_CAMERA_PREFIX}{index}", f"Camera {index}", "videoinput")
            )
        capture.release()
    return devices


def open_video_source(device_id: str, **kwargs: Any) -> FileVideoTrack | CameraVideoTrack:
    """The video track for ``device_id``; ``kwargs`` go to the track's constructor.

    Raises :class:`MediaDeviceError` for an unknown id or a device that cannot be opened.
    """
    if device_id.startswith(_FILE_PREFIX):
        return FileVideoTrack(device_id.removeprefix(_FILE_PREFIX), **kwargs)
    if device_id.startswith(_CAMERA_PREFIX):
        index = device_id.removeprefix(_CAMERA_PREFIX)
        if not index.isdigit():
            raise MediaDeviceError(f"Unknown video device {device_id!r}")
        return CameraVideoTrack(int(index), **kwargs)
    raise MediaDeviceError(f"Unknown video device {device_id!r}")


def open_audio_source(device_id: str | None) -> AudioSourceTrack:
    """The audio track for ``device_id`` (None or "default": the system microphone).

    A :class:`FileAudioTrack` for ``file:`` ids, else a :class:`MicrophoneTrack` (which
    must be created on the loop thread). Raises :class:`MediaDeviceError`.
    """
    if device_id is not None and device_id.startswith(_FILE_PREFIX):
        return FileAudioTrack(device_id.removeprefix(_FILE_PREFIX))
    if device_id is None or device_id == DEFAULT_DEVICE_ID:
        return MicrophoneTrack(None)
    return MicrophoneTrack(device_id)
