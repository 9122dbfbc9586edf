"""Tokens, guest sign-in and WebSocket authentication against a real server."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from app.protocol import ErrorResponse, TokenResponse, UserResponse
from app.server import mint_token
from tests.fixtures.coordinator import RunningCoordinator
from tests.server.rest import api


def _error(answer: object) -> ErrorResponse:
    return ErrorResponse.model_validate_json(answer.content)  # type: ignore[attr-defined]


def test_health_needs_no_token(coordinator: RunningCoordinator) -> None:
    answer = api(coordinator).get("/api/v1/health")
    assert answer.status_code == 200
    assert answer.json()["status"] == "ok"
    assert answer.json()["local_mode"] is True


@pytest.mark.parametrize(
    ("header", "code"),
    [
        (None, "token_missing"),
        ("Bearer garbage", "token_invalid"),
        ("Basic dXNlcjpwYXNz", "token_invalid"),
        ("Bearer", "token_invalid"),
    ],
)
def test_bad_or_missing_token_is_401(
    coordinator: RunningCoordinator, header: str | None, code: str
) -> None:
    headers = {"Authorization": header} if header is not None else {}
    answer = api(coordinator).get("/api/v1/users/me", headers=headers)
    assert answer.status_code == 401
    assert _error(answer).code == code
    assert answer.headers["www-authenticate"].startswith("Bearer")


def test_expired_token_is_401_token_expired(coordinator: RunningCoordinator) -> None:
    past = datetime.now(UTC) - timedelta(hours=2)
    token = mint_token(coordinator.settings.secret, "alice", 60, now=past)
    answer = api(coordinator, token).get("/api/v1/users/me")
    assert answer.status_code == 401
    assert _error(answer).code == "token_expired"


def test_token_signed_with_another_secret_is_invalid(coordinator: RunningCoordinator) -> None:
    token = mint_token("not-the-secret-of-this-server-0123456789", "alice", 60)
    answer = api(coordinator, token).get("/api/v1/calls")
    assert answer.status_code == 401
    assert _error(answer).code == "token_invalid"


def test_guest_sign_in_then_me(coordinator: RunningCoordinator) -> None:
    signed_in = coordinator.guest("Alice")
    assert signed_in.user.name == "Alice"
    assert signed_in.user.role == "user"
    assert signed_in.expires_at > datetime.now(UTC) + timedelta(days=6)
    me = api(coordinator, signed_in.access_token).get("/api/v1/users/me")
    assert me.status_code == 200
    assert UserResponse.model_validate_json(me.content).id == signed_in.user.id


def test_guest_with_known_id_updates_that_guest(coordinator: RunningCoordinator) -> None:
    first = coordinator.guest("Alice", user_id="alice")
    second = coordinator.guest("Alice Liddell", user_id="alice")
    assert first.user.id == second.user.id == "alice"
    me = api(coordinator, second.access_token).get("/api/v1/users/me").json()
    assert me["name"] == "Alice Liddell"


def test_guest_cannot_take_over_a_token_account(coordinator: RunningCoordinator) -> None:
    operator_user = api(coordinator, coordinator.token("carol")).get("/api/v1/users/me")
    assert operator_user.status_code == 200
    answer = api(coordinator).post("/api/v1/auth/guest", json={"user": {"id": "carol"}})
    assert answer.status_code == 409
    assert _error(answer).field == "user.id"


def test_guest_sign_in_without_body(coordinator: RunningCoordinator) -> None:
    answer = api(coordinator).post("/api/v1/auth/guest")
    assert answer.status_code == 200
    assert TokenResponse.model_validate_json(answer.content).user.id.startswith("guest-")


def test_guest_disabled_outside_local_mode(
    make_coordinator: Callable[..., RunningCoordinator],
) -> None:
    server = make_coordinator(local_mode=False)
    answer = api(server).post("/api/v1/auth/guest", json={"user": {"name": "x"}})
    assert answer.status_code == 403
    assert _error(answer).code == "guest_disabled"
    # Operator-minted tokens still work there.
    assert api(server, server.token("dave")).get("/api/v1/users/me").json()["id"] == "dave"


async def test_ws_auth_ok_and_bad_token(coordinator: RunningCoordinator) -> None:
    token = coordinator.guest("Alice").access_token
    async with connect(coordinator.ws_url, proxy=None) as socket:
        await socket.send(json.dumps({"type": "auth", "token": token}))
        ok = json.loads(await socket.recv())
        assert ok["type"] == "connection.ok"
        assert ok["connection_id"]
    async with connect(coordinator.ws_url, proxy=None) as socket:
        await socket.send(json.dumps({"type": "auth", "token": "garbage"}))
        error = json.loads(await socket.recv())
        assert error["type"] == "error"
        assert error["code"] == "token_invalid"
        with pytest.raises(ConnectionClosed) as closed:
            await socket.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401


async def test_ws_first_message_not_auth_closes_4400(coordinator: RunningCoordinator) -> None:
    async with connect(coordinator.ws_url, proxy=None) as socket:
        await socket.send("{not json")
        error = json.loads(await socket.recv())
        assert error["code"] == "invalid_request"
        with pytest.raises(ConnectionClosed) as closed:
            await socket.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4400


async def test_ws_without_auth_in_time_closes_4401(
    coordinator: RunningCoordinator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("app.server.ws.AUTH_TIMEOUT_S", 0.2)
    async with connect(coordinator.ws_url, proxy=None) as socket:
        error = json.loads(await socket.recv())
        assert error["code"] == "token_missing"
        with pytest.raises(ConnectionClosed) as closed:
            await socket.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401


def test_token_never_in_access_log(
    coordinator: RunningCoordinator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    signed_in = coordinator.guest("Alice")
    api(coordinator, signed_in.access_token).get("/api/v1/users/me")
    assert caplog.records, "uvicorn's access log should have recorded the requests"
    assert signed_in.access_token not in caplog.text
    assert coordinator.settings.secret not in caplog.text
    assert coordinator.settings.secret not in repr(coordinator.settings)
