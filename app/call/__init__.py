"""Calls: ``Call``, its state snapshots and the user's local media."""

from app.call.active_calls import ActiveCalls, MultiCallAudioPolicy
from app.call.call import Call, CallHost
from app.call.errors import CallError
from app.call.local_media import LocalMedia
from app.call.state import (
    AudioProfile,
    CallParticipantState,
    CallState,
    CallStatus,
    CallStatusKind,
    ConnectionQuality,
    DisconnectReason,
    Reaction,
    RingingState,
    RingUser,
)

__all__ = [
    "ActiveCalls",
    "AudioProfile",
    "Call",
    "CallError",
    "CallHost",
    "CallParticipantState",
    "CallState",
    "CallStatus",
    "CallStatusKind",
    "ConnectionQuality",
    "DisconnectReason",
    "LocalMedia",
    "MultiCallAudioPolicy",
    "Reaction",
    "RingUser",
    "RingingState",
]
