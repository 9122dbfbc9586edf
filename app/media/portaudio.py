"""Bookkeeping of Parley's PortAudio streams, so the device list can be refreshed safely.

PortAudio enumerates devices only in ``Pa_Initialize``; seeing a hot-plugged device
needs ``Pa_Terminate`` + ``Pa_Initialize`` (sounddevice's ``_terminate``/``_initialize``),
and ``Pa_Terminate`` closes every open stream. So the refresh happens only while none of
the streams registered here is open.
"""

import weakref

import sounddevice as sd

__all__ = ["refresh_devices", "track_stream"]

_streams: "weakref.WeakSet[sd._StreamBase]" = weakref.WeakSet()


def track_stream[S: sd._StreamBase](stream: S) -> S:
    """Register ``stream`` (every stream Parley opens goes through here); return it."""
    _streams.add(stream)
    return stream


def refresh_devices() -> bool:
    """Re-enumerate PortAudio devices unless a stream is open; return whether it did."""
    if any(not stream.closed for stream in _streams):
        return False
    sd._terminate()
    sd._initialize()
    return True
