"""Pure functions that turn coordinator answers and events into new ``CallState`` snapshots.

Grouped by where the input comes from, like Stream's ``state_coordinator_mixin``: REST
answers (get-or-create, join) and WebSocket events. No I/O here.
"""

from __future__ import annotations

from datetime import datetime

from app.call.ring_events import ringing_state
from app.call.state import CallParticipantState, CallState, Reaction
from app.protocol import (
    CallResponse,
    CallStateResponse,
    OwnCapability,
    ParticipantResponse,
    ReactionResponse,
)


def participant_from_response(
    response: ParticipantResponse, *, local_session_id: str | None
) -> CallParticipantState:
    return CallParticipantState(
        session_id=response.session_id,
        user_id=response.user.id,
        name=response.user.name or response.user.id,
        image=response.user.image,
        role=response.role,
        is_local=response.session_id == local_session_id,
        joined_at=response.joined_at,
        published_tracks=frozenset(response.published_tracks),
        is_hand_raised=response.raised_hand,
        is_on_hold=response.on_hold,
    )


def apply_call(state: CallState, call: CallResponse) -> CallState:
    return state.with_changes(
        created_by_user_id=call.created_by.id,
        custom=dict(call.custom),
        is_backstage=call.backstage,
        created_at=call.created_at,
        ended_at=call.ended_at,
        settings=call.settings.model_dump(mode="json"),
    )


def apply_call_state_response(state: CallState, response: CallStateResponse) -> CallState:
    """Call, members, capabilities and the ring going on (the last ring heard of is kept
    when none is going on)."""
    state = apply_call(state, response.call)
    if response.ring is not None:
        state = state.with_changes(ringing=ringing_state(response.ring))
    return state.with_changes(
        member_user_ids=tuple(m.user_id for m in response.members),
        own_capabilities=frozenset(OwnCapability(c) for c in response.own_capabilities),
    )


def set_participants(
    state: CallState, participants: list[ParticipantResponse], local_session_id: str | None
) -> CallState:
    """Replace the participant list with the coordinator's, keeping what the client alone
    knows (levels, peer state, video size) for sessions it already had."""
    known = {p.session_id: p for p in state.participants}
    merged = []
    for response in participants:
        fresh = participant_from_response(response, local_session_id=local_session_id)
        old = known.get(fresh.session_id)
        if old is not None:
            fresh = fresh.with_changes(
                audio_level=old.audio_level,
                is_speaking=old.is_speaking,
                is_dominant_speaker=old.is_dominant_speaker,
                peer_connection_state=old.peer_connection_state,
                connection_quality=old.connection_quality,
                video_size=old.video_size,
                reaction=old.reaction,
            )
        merged.append(fresh)
    return state.with_changes(participants=tuple(merged))


def add_participant(state: CallState, participant: CallParticipantState) -> CallState:
    if state.participant(participant.session_id) is not None:
        return update_participant(
            state, participant.session_id, published_tracks=participant.published_tracks
        )
    return state.with_changes(participants=(*state.participants, participant))


def remove_participant(state: CallState, session_id: str) -> CallState:
    return state.with_changes(
        participants=tuple(p for p in state.participants if p.session_id != session_id)
    )


def update_participant(state: CallState, session_id: str, **changes: object) -> CallState:
    """Change fields of one participant; returns ``state`` itself when nothing changed, so
    listeners can skip identical snapshots cheaply."""
    changed = False
    participants = []
    for p in state.participants:
        if p.session_id == session_id:
            updated = p.with_changes(**changes)
            changed = changed or updated != p
            participants.append(updated)
        else:
            participants.append(p)
    return state.with_changes(participants=tuple(participants)) if changed else state


def apply_reaction(
    state: CallState, reaction: ReactionResponse, received_at: datetime
) -> tuple[CallState, Reaction | None]:
    """Show ``reaction`` on every session of its sender: a ``raised-hand`` reaction sets
    ``is_hand_raised``; any other becomes the sessions' passing ``reaction``. Returns the
    new state and the passing reaction shown (None for a raised hand), which the caller
    clears later with ``clear_reaction``."""
    hand_raised = reaction.hand_raised
    shown = None
    if hand_raised is not None:
        changes: dict[str, object] = {"is_hand_raised": hand_raised}
    else:
        shown = Reaction(reaction.type, reaction.emoji_code, received_at)
        changes = {"reaction": shown}
    for participant in state.participants:
        if participant.user_id == reaction.user.id:
            state = update_participant(state, participant.session_id, **changes)
    return state, shown


def clear_reaction(state: CallState, reaction: Reaction) -> CallState:
    """Take ``reaction`` off the tiles still showing it (a newer one stays)."""
    for participant in state.participants:
        if participant.reaction == reaction:
            state = update_participant(state, participant.session_id, reaction=None)
    return state
