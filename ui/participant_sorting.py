"""Stream's default participant sorting, as pure functions (no Qt).

Stream's ``CallParticipantSortingPresets.regular`` combines comparators in this order
("Participant Sorting" in the Stream Video docs): ``pinned``, ``screenSharing``,
``dominantSpeaker``, ``publishingVideo``, ``speaking``, then ``byName``. A comparator that
finds two participants equal hands over to the next one; the session id breaks the last
tie so the order is total and a tile never swaps places with an equal neighbour.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cmp_to_key

from app.call import CallParticipantState
from app.protocol import TrackType

Comparator = Callable[[CallParticipantState, CallParticipantState], int]


def _first_when(predicate: Callable[[CallParticipantState], bool]) -> Comparator:
    """A comparator putting participants for whom ``predicate`` holds first."""

    def compare(a: CallParticipantState, b: CallParticipantState) -> int:
        return int(predicate(b)) - int(predicate(a))

    return compare


def pinned(pinned_session_ids: frozenset[str]) -> Comparator:
    """Pinned (locally, by this user) participants first."""
    return _first_when(lambda p: p.session_id in pinned_session_ids)


screen_sharing: Comparator = _first_when(lambda p: TrackType.SCREEN_SHARE in p.published_tracks)
dominant_speaker: Comparator = _first_when(lambda p: p.is_dominant_speaker)
publishing_video: Comparator = _first_when(lambda p: p.is_video_enabled)
speaking: Comparator = _first_when(lambda p: p.is_speaking and p.is_audio_enabled)


def by_name(a: CallParticipantState, b: CallParticipantState) -> int:
    """Case-insensitive display name (the user id when there is no name), then session id."""
    key_a = ((a.name or a.user_id).casefold(), a.session_id)
    key_b = ((b.name or b.user_id).casefold(), b.session_id)
    return (key_a > key_b) - (key_a < key_b)


def combine(*comparators: Comparator) -> Comparator:
    """The first comparator that tells two participants apart decides."""

    def compare(a: CallParticipantState, b: CallParticipantState) -> int:
        for comparator in comparators:
            result = comparator(a, b)
            if result:
                return result
        return 0

    return compare


def regular_preset(pinned_session_ids: frozenset[str] = frozenset()) -> Comparator:
    """Stream's ``regular`` preset: pinned, screen sharing, dominant speaker, video on,
    speaking, name."""
    return combine(
        pinned(pinned_session_ids),
        screen_sharing,
        dominant_speaker,
        publishing_video,
        speaking,
        by_name,
    )


def sort_participants(
    participants: Iterable[CallParticipantState],
    pinned_session_ids: frozenset[str] = frozenset(),
) -> list[CallParticipantState]:
    """``participants`` in :func:`regular_preset` order (a new list)."""
    return sorted(participants, key=cmp_to_key(regular_preset(pinned_session_ids)))


def spotlight_participant(
    ordered: list[CallParticipantState], pinned_session_ids: frozenset[str] = frozenset()
) -> CallParticipantState | None:
    """Who fills the stage in the spotlight layout, from an already sorted list: the first
    participant, except that the user sees someone else rather than themselves unless they
    pinned themselves or are alone (as Google Meet does)."""
    for participant in ordered:
        if not participant.is_local or participant.session_id in pinned_session_ids:
            return participant
    return ordered[0] if ordered else None
