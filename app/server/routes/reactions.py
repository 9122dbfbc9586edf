"""Reaction route (``app/protocol/routes.py`` lists it); a thin wrapper over
``ReactionsService``, whose docstring states the rules."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app.protocol import ErrorResponse, SendReactionRequest, SendReactionResponse
from app.server.dependencies import CurrentUser, ReactionsDep

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse} for status in (401, 403, 404, 409, 422)
}
router = APIRouter(tags=["reactions"], responses=_ERRORS)


@router.post("/calls/{call_type}/{call_id}/reaction", response_model=SendReactionResponse)
async def send_reaction(
    call_type: str,
    call_id: str,
    body: SendReactionRequest,
    user: CurrentUser,
    reactions: ReactionsDep,
) -> SendReactionResponse:
    """An emoji for everyone in the call, or raise/lower a hand (``type: raised-hand``);
    ``call.reaction`` (needs create-reaction)."""
    return await reactions.send(user, call_type, call_id, body)
