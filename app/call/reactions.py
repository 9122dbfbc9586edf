"""Reaction commands of a ``Call`` (Stream's ``sendReaction``), as a mixin so ``Call``
keeps one public face while its lifecycle code stays in ``call.py``.

A reaction goes to the coordinator (``POST .../reaction``), which sends ``call.reaction``
to everyone in the call, the sender included: every tile, ours too, changes through that
one event (``call_events.apply_reaction``). A passing emoji stays on its sender's tiles for
``REACTION_LIFETIME_S``; a raised hand stays until lowered, and the coordinator keeps it on
the participant so people who join later see it.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from app.call import call_events
from app.call.errors import CallError
from app.call.state import CallState, Reaction
from app.protocol import (
    RAISED_HAND_REACTION,
    CallReactionEvent,
    ReactionResponse,
    SendReactionRequest,
    SendReactionResponse,
    call_path,
)

# How long an emoji stays on a tile: Stream's default reaction lifetime in its SDKs'
# participant overlays is a few seconds; 4 s reads as "just now" without lingering.
REACTION_LIFETIME_S = 4.0
RAISED_HAND_EMOJI_CODE = ":raised-hand:"


class CallReactions:
    """Mixin of ``Call``: reaction commands and ``call.reaction`` handling."""

    if TYPE_CHECKING:
        call_type: str
        id: str
        _state: CallState

        def _set_state(self, state: CallState) -> None: ...
        async def _request(self, method: str, path: str, body: Any, model: type[Any]) -> Any: ...

    async def send_reaction(
        self,
        emoji_code: str,
        *,
        reaction_type: str = "reaction",
        custom: dict[str, Any] | None = None,
    ) -> SendReactionResponse:
        """Show ``emoji_code`` (``":like:"``, ``":fireworks:"``, ...) on the user's tile for
        everyone in the call. Raises ``CallError``: ``invalid_request`` for a malformed
        code (``EMOJI_CODE_PATTERN``), ``forbidden`` without ``create-reaction``."""
        try:
            request = SendReactionRequest(
                type=reaction_type, emoji_code=emoji_code, custom=custom or {}
            )
        except ValueError as exc:
            raise CallError("invalid_request", f"not a reaction: {exc}") from exc
        return await self._send(request)

    async def set_hand_raised(self, raised: bool) -> None:
        """Raise or lower the user's hand in the call (a ``raised-hand`` reaction); it
        stays until lowered. Raises ``CallError``: ``not_joined`` outside the call,
        ``forbidden`` without ``create-reaction``."""
        request = SendReactionRequest(
            type=RAISED_HAND_REACTION,
            emoji_code=RAISED_HAND_EMOJI_CODE,
            custom={"raised": raised},
        )
        await self._send(request)

    async def _send(self, request: SendReactionRequest) -> SendReactionResponse:
        response: SendReactionResponse = await self._request(
            "POST", call_path(self.call_type, self.id, "reaction"), request, SendReactionResponse
        )
        # Our own tile changes now rather than when the event comes back; the event then
        # changes nothing for a raised hand, and re-times the emoji by a few milliseconds.
        self._apply_reaction(response.reaction)
        return response

    def _handle_reaction_event(self, event: CallReactionEvent) -> None:
        self._apply_reaction(event.reaction)

    def _apply_reaction(self, reaction: ReactionResponse) -> None:
        state, shown = call_events.apply_reaction(self._state, reaction, datetime.now(UTC))
        self._set_state(state)
        if shown is not None:
            asyncio.get_running_loop().call_later(REACTION_LIFETIME_S, self._expire_reaction, shown)

    def _expire_reaction(self, reaction: Reaction) -> None:
        self._set_state(call_events.clear_reaction(self._state, reaction))
