"""REST helpers for coordinator tests (real HTTP through httpx)."""

from __future__ import annotations

import httpx

from tests.fixtures.coordinator import RunningCoordinator


def api(coordinator: RunningCoordinator, token: str | None = None) -> httpx.Client:
    """An HTTP client of ``coordinator``, authenticated with ``token`` when given."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=coordinator.url, headers=headers, trust_env=False, timeout=10)


def user_api(
    coordinator: RunningCoordinator, name: str, user_id: str | None = None
) -> httpx.Client:
    """A client signed in as a new guest (its id is ``client.user_id``)."""
    token = coordinator.guest(name, user_id)
    client = api(coordinator, token.access_token)
    client.user_id = token.user.id  # type: ignore[attr-defined]
    return client
