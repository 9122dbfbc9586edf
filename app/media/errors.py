"""Errors raised by Parley's media layer."""

__all__ = ["MediaDeviceError"]


class MediaDeviceError(RuntimeError):
    """A capture or playout device (camera, microphone, speaker, media file) cannot be opened.

    The message names the device, so it can be shown to the user as it is (the W3C
    ``getUserMedia`` equivalents are ``NotFoundError`` / ``NotReadableError``).
    """
