"""What size each remote camera is painted at, told to its sender: ``Call.
update_subscriptions_partial`` (Stream's name), as a mixin so ``Call`` keeps one public
face.

Stream's UI components measure every video element and pass its size to
``call.updateSubscriptionsPartial('video', {session_id: {dimension}})``; Stream's SFU
then forwards each subscriber the simulcast layer that fits. In Parley's mesh the
sender itself picks the layer (``app.media.video_layers``), so the dimension goes to
that peer as a ``video_dimension`` signal. Only changes are sent; each join starts
afresh (the peers of a new session know nothing of the old one's wishes).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

from app.media import VideoDimension

if TYPE_CHECKING:
    from app.call.call_media import CallMedia
    from app.call.state import CallState

log = logging.getLogger(__name__)

VIDEO_TRACK_TYPE = "video"


class CallVideoSubscriptions:
    """Mixin of ``Call``: the painted size of each remote camera, sent to its peer."""

    if TYPE_CHECKING:
        cid: str
        _state: CallState
        _media: CallMedia | None

    _sent_dimensions: dict[str, VideoDimension | None]
    _dimensions_media: object | None = None  # the CallMedia the record belongs to

    async def update_subscriptions_partial(
        self, track_type: str, changes: Mapping[str, VideoDimension | None]
    ) -> None:
        """Tell each session of ``changes`` the size its camera is painted at here, in
        device pixels (None: not shown, or no preference: it sends its camera's own
        size). Sessions not named keep what they were told. Before the join, or for
        sessions no longer in the call, nothing is sent.

        Raises ``ValueError`` for a ``track_type`` other than ``"video"`` (screen shares
        are always sent whole)."""
        if track_type != VIDEO_TRACK_TYPE:
            raise ValueError(f"only 'video' subscriptions take a dimension, not {track_type!r}")
        media = self._media
        if media is None:
            return
        if self._dimensions_media is not media:  # a new join: its peers know nothing yet
            self._sent_dimensions, self._dimensions_media = {}, media
        present = {p.session_id for p in self._state.remote_participants}
        for session_id, dimension in changes.items():
            if session_id not in present:
                continue
            if session_id in self._sent_dimensions and (
                self._sent_dimensions[session_id] == dimension
            ):
                continue
            self._sent_dimensions[session_id] = dimension
            try:
                await media.send_video_dimension(session_id, dimension)
            except Exception as exc:  # a preference lost is a bigger picture, not an error
                log.warning("could not send the video dimension to %s: %s", session_id, exc)
                self._sent_dimensions.pop(session_id, None)
