"""Who is in which call right now: the in-memory ``CallSessions`` registry.

Like an SFU's state this is ephemeral (lost with the process): a participant is one
*session* of a user joined to a call through one WebSocket connection, and leaves when
that connection closes. A call has a session id of its own (Stream's ``call.session_id``)
from its first participant joining until its last one leaves.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from app.protocol import ParticipantResponse, TrackType, UserResponse


@dataclass(frozen=True)
class Participant:
    """One session joined to ``call_cid`` through WebSocket ``connection_id``."""

    session_id: str
    call_cid: str
    call_type: str
    user: UserResponse
    role: str
    connection_id: str
    joined_at: datetime
    published_tracks: frozenset[TrackType] = frozenset()
    raised_hand: bool = False
    on_hold: bool = False  # the session put the call on hold (``hold.update``)

    def to_response(self) -> ParticipantResponse:
        return ParticipantResponse(
            user=self.user,
            session_id=self.session_id,
            role=self.role,
            joined_at=self.joined_at,
            published_tracks=sorted(self.published_tracks, key=list(TrackType).index),
            raised_hand=self.raised_hand,
            on_hold=self.on_hold,
        )


class CallSessions:
    """Registry of the participants of every live call of this process (not thread-safe:
    used from the event loop only)."""

    def __init__(self) -> None:
        self._by_session: dict[str, Participant] = {}
        self._by_call: dict[str, dict[str, Participant]] = {}
        self._call_session_ids: dict[str, str] = {}

    @property
    def active_sessions(self) -> int:
        return len(self._by_session)

    @property
    def active_calls(self) -> int:
        return len(self._by_call)

    def join(
        self,
        *,
        call_cid: str,
        call_type: str,
        user: UserResponse,
        role: str,
        connection_id: str,
        joined_at: datetime,
        published_tracks: frozenset[TrackType] = frozenset(),
    ) -> Participant:
        """Add a new session (fresh random id) to ``call_cid``."""
        participant = Participant(
            session_id=uuid.uuid4().hex,
            call_cid=call_cid,
            call_type=call_type,
            user=user,
            role=role,
            connection_id=connection_id,
            joined_at=joined_at,
            published_tracks=published_tracks,
        )
        self._by_session[participant.session_id] = participant
        self._by_call.setdefault(call_cid, {})[participant.session_id] = participant
        self._call_session_ids.setdefault(call_cid, uuid.uuid4().hex)
        return participant

    def leave(self, session_id: str) -> Participant | None:
        """Remove a session; the removed participant, or None when it was not joined."""
        participant = self._by_session.pop(session_id, None)
        if participant is None:
            return None
        in_call = self._by_call.get(participant.call_cid, {})
        in_call.pop(session_id, None)
        if not in_call:
            self._by_call.pop(participant.call_cid, None)
            self._call_session_ids.pop(participant.call_cid, None)
        return participant

    def end_call(self, call_cid: str) -> list[Participant]:
        """Remove every session of ``call_cid``; the removed participants."""
        removed = list(self._by_call.get(call_cid, {}).values())
        for participant in removed:
            self.leave(participant.session_id)
        return removed

    def get(self, session_id: str) -> Participant | None:
        return self._by_session.get(session_id)

    def participants(self, call_cid: str) -> list[Participant]:
        """The call's participants in joining order."""
        return list(self._by_call.get(call_cid, {}).values())

    def connection_ids(self, call_cid: str) -> set[str]:
        return {p.connection_id for p in self._by_call.get(call_cid, {}).values()}

    def of_connection(self, connection_id: str) -> list[Participant]:
        return [p for p in self._by_session.values() if p.connection_id == connection_id]

    def call_session_id(self, call_cid: str) -> str | None:
        return self._call_session_ids.get(call_cid)

    def set_published_tracks(
        self, session_id: str, tracks: frozenset[TrackType]
    ) -> Participant | None:
        """Replace a session's published tracks; the updated participant (None if gone)."""
        return self._update(session_id, published_tracks=tracks)

    def set_raised_hand(self, session_id: str, raised: bool) -> Participant | None:
        """Raise or lower a session's hand; the updated participant (None if gone)."""
        return self._update(session_id, raised_hand=raised)

    def set_on_hold(self, session_id: str, on_hold: bool) -> Participant | None:
        """Put a session's call on hold or take it off; the updated participant (None if
        gone)."""
        return self._update(session_id, on_hold=on_hold)

    def _update(self, session_id: str, **changes: Any) -> Participant | None:
        current = self._by_session.get(session_id)
        if current is None:
            return None
        updated = replace(current, **changes)
        self._by_session[session_id] = updated
        self._by_call[current.call_cid][session_id] = updated
        return updated
