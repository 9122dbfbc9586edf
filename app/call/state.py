"""Call state as immutable snapshots (Stream's ``CallState`` / ``CallParticipantState``).

Every change makes a new snapshot with ``dataclasses.replace``; widgets compare snapshots
(or selected parts of them) to hear only real changes. Snapshots cross no threads: they are
made and read on the event loop's thread (the Qt GUI thread under qasync).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from app.protocol import OwnCapability, RejectReason, TrackType


class DisconnectReason(StrEnum):
    """Why a call ended for this client (Stream's ``DisconnectReason``)."""

    LEFT = "left"  # the user pressed leave (Stream: manual)
    ENDED = "ended"  # someone ended the call for everyone
    REPLACED = "replaced"  # joining another call in single-call mode
    TIMEOUT = "timeout"
    FAILURE = "failure"  # an error: see ``CallStatus.error``
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    LAST_PARTICIPANT_LEFT = "last_participant_left"
    ACCEPTED_ELSEWHERE = "accepted_elsewhere"  # the user answered a ring on another device


class CallStatusKind(StrEnum):
    IDLE = "idle"
    INCOMING = "incoming"  # the call rings this user (Stream: CallStatusIncoming)
    OUTGOING = "outgoing"  # this device rings others (Stream: CallStatusOutgoing)
    CONNECTING = "connecting"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    DISCONNECTED = "disconnected"


@dataclass(frozen=True, slots=True)
class CallStatus:
    """A closed set of variants carrying data, like Stream's sealed ``CallStatus``.

    Build them with the class methods: ``CallStatus.reconnecting(attempt=2)``,
    ``CallStatus.disconnected(DisconnectReason.FAILURE, "ICE failed")``,
    ``CallStatus.incoming(accepted_by_me=True)``.
    """

    kind: CallStatusKind = CallStatusKind.IDLE
    attempt: int = 0  # reconnecting only
    reason: DisconnectReason | None = None  # disconnected only
    error: str | None = None  # disconnected with FAILURE: what went wrong, for a person
    accepted_by_me: bool = False  # incoming only: this device answered, joining follows
    accepted_by_callee: bool = False  # outgoing only: a callee answered, joining follows

    @classmethod
    def idle(cls) -> CallStatus:
        return cls(CallStatusKind.IDLE)

    @classmethod
    def incoming(cls, *, accepted_by_me: bool = False) -> CallStatus:
        return cls(CallStatusKind.INCOMING, accepted_by_me=accepted_by_me)

    @classmethod
    def outgoing(cls, *, accepted_by_callee: bool = False) -> CallStatus:
        return cls(CallStatusKind.OUTGOING, accepted_by_callee=accepted_by_callee)

    @classmethod
    def connecting(cls) -> CallStatus:
        return cls(CallStatusKind.CONNECTING)

    @classmethod
    def connected(cls) -> CallStatus:
        return cls(CallStatusKind.CONNECTED)

    @classmethod
    def reconnecting(cls, attempt: int) -> CallStatus:
        return cls(CallStatusKind.RECONNECTING, attempt=attempt)

    @classmethod
    def disconnected(cls, reason: DisconnectReason, error: str | None = None) -> CallStatus:
        return cls(CallStatusKind.DISCONNECTED, reason=reason, error=error)

    @property
    def is_connected(self) -> bool:
        return self.kind is CallStatusKind.CONNECTED

    @property
    def is_active(self) -> bool:
        """Connecting, connected or reconnecting: the user is in the call."""
        return self.kind in (
            CallStatusKind.CONNECTING,
            CallStatusKind.CONNECTED,
            CallStatusKind.RECONNECTING,
        )

    @property
    def is_disconnected(self) -> bool:
        return self.kind is CallStatusKind.DISCONNECTED

    @property
    def is_incoming(self) -> bool:
        return self.kind is CallStatusKind.INCOMING

    @property
    def is_outgoing(self) -> bool:
        return self.kind is CallStatusKind.OUTGOING

    @property
    def is_ringing(self) -> bool:
        """Incoming or outgoing: a ring screen is up for this call."""
        return self.kind in (CallStatusKind.INCOMING, CallStatusKind.OUTGOING)


class ConnectionQuality(StrEnum):
    UNKNOWN = "unknown"
    POOR = "poor"
    GOOD = "good"
    EXCELLENT = "excellent"


class AudioProfile(StrEnum):
    """How a call uses the microphone (Stream's per-call ``audioConfigurationPolicy``).

    ``BROADCASTER``: a person talking near speakers — the microphone goes through echo
    cancellation and noise suppression (:mod:`app.media.voice_processing`). ``VIEWER``:
    playout only — the microphone is never sent to this call, whatever the mute button
    says. A call without a profile sends the microphone as it is (files, bots, tests)."""

    BROADCASTER = "broadcaster"
    VIEWER = "viewer"


@dataclass(frozen=True, slots=True)
class Reaction:
    """A passing reaction on a participant's tile (Stream's ``CallParticipantState.reaction``):
    ``emoji_code`` such as ``":like:"`` (None for a reaction without one), ``received_at``
    when this client got it (UTC). The call clears it a few seconds later."""

    type: str
    emoji_code: str | None
    received_at: datetime


@dataclass(frozen=True, slots=True)
class CallParticipantState:
    """One session in the call (Stream's ``CallParticipantState``).

    ``audio_level`` is 0.0–1.0 (RMS of the last 100 ms, full scale = 1.0);
    ``published_tracks`` is what the participant sends: ``TrackType.AUDIO`` absent means
    muted, ``TrackType.VIDEO`` absent means camera off.
    """

    session_id: str
    user_id: str
    name: str
    image: str | None = None
    role: str = "user"
    is_local: bool = False
    joined_at: datetime | None = None
    published_tracks: frozenset[TrackType] = frozenset()
    audio_level: float = 0.0
    is_speaking: bool = False
    is_dominant_speaker: bool = False
    connection_quality: ConnectionQuality = ConnectionQuality.UNKNOWN
    # the remote peer connection's W3C ``RTCPeerConnectionState`` ("new" … "connected");
    # empty for the local participant
    peer_connection_state: str = ""
    video_size: tuple[int, int] | None = None  # (width, height) of the newest frame, px
    reaction: Reaction | None = None  # shown for a moment, then cleared by the call
    is_hand_raised: bool = False  # until the participant lowers it (``raised-hand``)
    # the participant put this call on hold (``call.session_participant_hold``): it sends
    # and plays nothing here, so nobody sends it media either
    is_on_hold: bool = False

    @property
    def is_audio_enabled(self) -> bool:
        return TrackType.AUDIO in self.published_tracks

    @property
    def is_video_enabled(self) -> bool:
        return TrackType.VIDEO in self.published_tracks

    @property
    def is_screen_sharing(self) -> bool:
        """Whether the participant publishes a screen share (Stream's ``screenShareTrack``
        present); its frames are in ``Call.screen_share_sink(session_id)``."""
        return TrackType.SCREEN_SHARE in self.published_tracks

    def with_changes(self, **changes: Any) -> CallParticipantState:
        return replace(self, **changes)


@dataclass(frozen=True, slots=True)
class RingUser:
    """Who rings or is rung, for the incoming/outgoing call screens."""

    user_id: str
    name: str
    image: str | None = None


@dataclass(frozen=True, slots=True)
class RingingState:
    """The call's ring as this client last heard of it (kept after it ends, so screens
    can say who declined). ``ringing_user_ids`` still ring; ``rejected_by`` maps a user
    id to why their ring ended; ``video`` False means an audio-only call."""

    caller: RingUser
    callees: tuple[RingUser, ...] = ()
    ringing_user_ids: tuple[str, ...] = ()
    accepted_by: tuple[str, ...] = ()
    rejected_by: dict[str, RejectReason] = field(default_factory=dict)
    video: bool = True
    started_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class CallState:
    """Everything a widget needs to draw one call. ``participants`` are in join order, the
    local participant included (``is_local``)."""

    call_cid: str
    call_type: str
    call_id: str
    status: CallStatus = field(default_factory=CallStatus.idle)
    created_by_user_id: str | None = None
    custom: dict[str, Any] = field(default_factory=dict)
    own_capabilities: frozenset[OwnCapability] = frozenset()
    participants: tuple[CallParticipantState, ...] = ()
    session_id: str | None = None  # the local session, once joined
    member_user_ids: tuple[str, ...] = ()
    is_backstage: bool = False
    created_at: datetime | None = None
    ended_at: datetime | None = None
    joined_at: datetime | None = None  # when this client joined (for the call duration)
    camera_enabled: bool = False  # the local user's wish, kept across reconnects
    microphone_enabled: bool = False
    settings: dict[str, Any] = field(default_factory=dict)  # CallSettings as a dict
    ringing: RingingState | None = None
    # set when this call gave way to another: a ring that met one the other way (glare)
    replaced_by_call_cid: str | None = None
    # Stream's suspendAudio: no microphone is sent to this call and its remote audio plays
    # at ``audio_playout_volume`` (linear gain 0..1: 1.0 normally, 0.0 suspended, between
    # = ducked); the user's ``microphone_enabled`` is unchanged (see audio_suspension.py)
    is_audio_suspended: bool = False
    audio_playout_volume: float = 1.0
    is_on_hold: bool = False  # this client put the call on hold (``Call.set_on_hold``)
    audio_profile: AudioProfile | None = None  # ``Call.set_audio_profile``; None: unprocessed

    @property
    def local_participant(self) -> CallParticipantState | None:
        return next((p for p in self.participants if p.is_local), None)

    @property
    def remote_participants(self) -> tuple[CallParticipantState, ...]:
        return tuple(p for p in self.participants if not p.is_local)

    @property
    def is_ringing_incoming(self) -> bool:
        return self.status.is_incoming

    @property
    def is_ringing_outgoing(self) -> bool:
        return self.status.is_outgoing

    @property
    def ringing_members(self) -> tuple[str, ...]:
        """User ids of callees whose devices ring now (Stream's ``ringingMembers``)."""
        return self.ringing.ringing_user_ids if self.ringing is not None else ()

    @property
    def accepted_by(self) -> tuple[str, ...]:
        return self.ringing.accepted_by if self.ringing is not None else ()

    @property
    def rejected_by(self) -> dict[str, RejectReason]:
        return dict(self.ringing.rejected_by) if self.ringing is not None else {}

    @property
    def dominant_speaker(self) -> CallParticipantState | None:
        return next((p for p in self.participants if p.is_dominant_speaker), None)

    def participant(self, session_id: str) -> CallParticipantState | None:
        return next((p for p in self.participants if p.session_id == session_id), None)

    def has_capability(self, capability: OwnCapability) -> bool:
        return capability in self.own_capabilities

    def with_changes(self, **changes: Any) -> CallState:
        return replace(self, **changes)
