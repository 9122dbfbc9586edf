"""Call REST operations against a real server: call types, get-or-create, settings,
members, update, end, recent calls, and validation errors."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from app.protocol import (
    CallStateResponse,
    ErrorResponse,
    GetOrCreateCallResponse,
    OwnCapability,
)
from tests.fixtures.coordinator import RunningCoordinator
from tests.server.rest import api, user_api

C = OwnCapability


def _error(answer: httpx.Response) -> ErrorResponse:
    return ErrorResponse.model_validate_json(answer.content)


def _create(client: httpx.Client, cid: str, body: dict | None = None) -> GetOrCreateCallResponse:
    call_type, call_id = cid.split(":")
    answer = client.post(f"/api/v1/calls/{call_type}/{call_id}", json=body or {})
    assert answer.status_code == 200, answer.text
    return GetOrCreateCallResponse.model_validate_json(answer.content)


def test_get_or_create_reports_created_then_existing(coordinator: RunningCoordinator) -> None:
    alice, bob = user_api(coordinator, "Alice"), user_api(coordinator, "Bob")
    first = _create(alice, "default:standup", {"data": {"custom": {"topic": "sync"}}})
    assert first.created is True
    assert first.call.cid == "default:standup"
    assert first.call.created_by.id == alice.user_id
    assert first.call.custom == {"topic": "sync"}
    second = _create(bob, "default:standup", {"data": {"custom": {"topic": "ignored"}}})
    assert second.created is False
    assert second.call.custom == {"topic": "sync"}


def test_call_type_defaults_follow_streams_table(coordinator: RunningCoordinator) -> None:
    alice = user_api(coordinator, "Alice")
    default = _create(alice, "default:a").call.settings
    assert default.video.target_resolution is not None
    assert (default.video.target_resolution.width, default.video.target_resolution.height) == (
        2560,
        1440,
    )
    assert default.video.target_resolution.bitrate == 5_000_000
    assert default.backstage.enabled is False
    assert default.ring.incoming_call_timeout_ms == 15_000
    audio_room = _create(alice, "audio_room:a")
    assert audio_room.call.settings.video.enabled is False
    assert audio_room.call.settings.video.target_resolution is None
    assert audio_room.call.settings.audio.mic_default_on is False
    assert audio_room.call.backstage is True
    livestream = _create(alice, "livestream:a").call.settings
    assert livestream.video.target_resolution is not None
    assert livestream.video.target_resolution.bitrate == 3_000_000
    assert livestream.ring.auto_cancel_timeout_ms == 0
    development = _create(alice, "development:a").call.settings
    assert development.audio.default_device == "earpiece"


def test_own_capabilities_follow_roles(coordinator: RunningCoordinator) -> None:
    alice, bob = user_api(coordinator, "Alice"), user_api(coordinator, "Bob")
    host_view = _create(alice, "default:caps", {"data": {"members": [{"user_id": bob.user_id}]}})
    assert {C.END_CALL, C.UPDATE_CALL_PERMISSIONS, C.SEND_VIDEO} <= set(host_view.own_capabilities)
    member_view = _create(bob, "default:caps")
    assert C.JOIN_CALL in member_view.own_capabilities
    assert C.SEND_AUDIO in member_view.own_capabilities
    assert C.END_CALL not in member_view.own_capabilities
    assert C.JOIN_ENDED_CALL not in member_view.own_capabilities
    _create(alice, "livestream:show")
    viewer_caps = set(_create(bob, "livestream:show").own_capabilities)
    assert viewer_caps == {C.READ_CALL, C.JOIN_CALL, C.CREATE_CALL, C.CREATE_REACTION}
    _create(alice, "development:dev")
    assert set(_create(bob, "development:dev").own_capabilities) == set(OwnCapability)


def test_unknown_call_type_is_404(coordinator: RunningCoordinator) -> None:
    alice = user_api(coordinator, "Alice")
    for answer in (
        alice.post("/api/v1/calls/nope/x", json={}),
        alice.get("/api/v1/calls/nope/x"),
        alice.post("/api/v1/calls/nope/x/join", json={"connection_id": "c"}),
    ):
        assert answer.status_code == 404
        assert _error(answer).code == "call_type_not_found"


def test_unknown_call_is_404(coordinator: RunningCoordinator) -> None:
    answer = user_api(coordinator, "Alice").get("/api/v1/calls/default/missing")
    assert answer.status_code == 404
    assert _error(answer).code == "call_not_found"


@pytest.mark.parametrize("call_id", ["a%20b", "x" * 65, "caf%C3%A9", "a.b", "a%3Ab"])
def test_bad_call_ids_are_422(coordinator: RunningCoordinator, call_id: str) -> None:
    alice = user_api(coordinator, "Alice")
    answer = alice.post(f"/api/v1/calls/default/{call_id}", json={})
    assert answer.status_code == 422
    error = _error(answer)
    assert error.code == "invalid_call_id"
    assert "letters, digits" in error.message


def test_call_without_id_gets_a_generated_one(coordinator: RunningCoordinator) -> None:
    alice = user_api(coordinator, "Alice")
    answer = alice.post("/api/v1/calls/default", json={})
    assert answer.status_code == 200
    created = GetOrCreateCallResponse.model_validate_json(answer.content)
    assert created.created
    assert len(created.call.id) == 32
    assert alice.get(f"/api/v1/calls/default/{created.call.id}").status_code == 200


def test_settings_override_merges_deep(coordinator: RunningCoordinator) -> None:
    alice = user_api(coordinator, "Alice")
    override = {
        "video": {"target_resolution": {"bitrate": 800_000}},
        "audio": {"mic_default_on": False},
    }
    settings = _create(
        alice, "default:tuned", {"data": {"settings_override": override}}
    ).call.settings
    assert settings.video.target_resolution is not None
    assert settings.video.target_resolution.bitrate == 800_000
    assert settings.video.target_resolution.width == 2560  # kept from the type
    assert settings.audio.mic_default_on is False
    assert settings.audio.opus_dtx_enabled is True


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"video": {"enabledd": False}}, "data.settings_override.video.enabledd"),
        (
            {"video": {"target_resolution": {"bitrate": "fast"}}},
            "data.settings_override.video.target_resolution.bitrate",
        ),
        ({"recording": {"mode": "always"}}, "data.settings_override.recording.mode"),
    ],
)
def test_bad_settings_override_names_the_field(
    coordinator: RunningCoordinator, override: dict, field: str
) -> None:
    alice = user_api(coordinator, "Alice")
    answer = alice.post("/api/v1/calls/default/bad", json={"data": {"settings_override": override}})
    assert answer.status_code == 422
    assert _error(answer).field == field
    assert alice.get("/api/v1/calls/default/bad").status_code == 404  # nothing was created


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"data": {"members": [{"user_id": "bad id!"}]}}, "data.members.0.user_id"),
        ({"data": {"members": "bob"}}, "data.members"),
        ({"data": {"custom": [1, 2]}}, "data.custom"),
        ({"ring": "maybe"}, "ring"),
        ({"data": {"custom": {"x": float("nan")}}}, "data.custom.x"),
    ],
)
def test_malformed_body_is_422_naming_the_field(
    coordinator: RunningCoordinator, body: dict, field: str
) -> None:
    alice = user_api(coordinator, "Alice")
    answer = alice.post(
        "/api/v1/calls/default/malformed",
        content=json.dumps(body),
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 422
    error = _error(answer)
    assert error.code == "invalid_request"
    assert error.field == field


def test_invalid_json_is_422(coordinator: RunningCoordinator) -> None:
    alice = user_api(coordinator, "Alice")
    answer = alice.post(
        "/api/v1/calls/default/x", content=b"{oops", headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 422
    assert _error(answer).field == "body"


def test_members_add_update_remove(coordinator: RunningCoordinator) -> None:
    alice, bob = user_api(coordinator, "Alice"), user_api(coordinator, "Bob")
    _create(alice, "default:team", {"data": {"members": [{"user_id": "carol"}]}})
    answer = alice.post(
        "/api/v1/calls/default/team/members",
        json={"update_members": [{"user_id": bob.user_id, "role": "moderator"}]},
    )
    assert answer.status_code == 200
    roles = {
        m.user_id: m.role for m in CallStateResponse.model_validate_json(answer.content).members
    }
    assert roles == {"carol": "call-member", bob.user_id: "moderator"}
    bob_view = CallStateResponse.model_validate_json(bob.get("/api/v1/calls/default/team").content)
    assert C.END_CALL in bob_view.own_capabilities  # moderators may end calls
    assert C.UPDATE_CALL_PERMISSIONS not in bob_view.own_capabilities
    answer = alice.post("/api/v1/calls/default/team/members", json={"remove_members": ["carol"]})
    assert [m.user_id for m in CallStateResponse.model_validate_json(answer.content).members] == [
        bob.user_id
    ]


def test_members_need_capabilities(coordinator: RunningCoordinator) -> None:
    alice, bob = user_api(coordinator, "Alice"), user_api(coordinator, "Bob")
    _create(alice, "default:guarded", {"data": {"members": [{"user_id": bob.user_id}]}})
    answer = bob.post(
        "/api/v1/calls/default/guarded/members", json={"remove_members": [alice.user_id]}
    )
    assert answer.status_code == 403
    assert "remove-call-member" in _error(answer).message
    answer = bob.post(
        "/api/v1/calls/default/guarded/members",
        json={"update_members": [{"user_id": "x", "role": "admin"}]},
    )
    assert answer.status_code in (403, 422)
    state = CallStateResponse.model_validate_json(
        alice.get("/api/v1/calls/default/guarded").content
    )
    assert [m.user_id for m in state.members] == [bob.user_id]


def test_update_call(coordinator: RunningCoordinator) -> None:
    alice, bob = user_api(coordinator, "Alice"), user_api(coordinator, "Bob")
    _create(alice, "default:upd", {"data": {"members": [{"user_id": bob.user_id}]}})
    answer = alice.patch(
        "/api/v1/calls/default/upd",
        json={
            "custom": {"title": "Weekly"},
            "settings_override": {"video": {"camera_default_on": False}},
        },
    )
    assert answer.status_code == 200
    state = CallStateResponse.model_validate_json(answer.content)
    assert state.call.custom == {"title": "Weekly"}
    assert state.call.settings.video.camera_default_on is False
    assert state.call.updated_at > state.call.created_at
    denied = bob.patch("/api/v1/calls/default/upd", json={"custom": {"title": "Mine"}})
    assert denied.status_code == 403
    assert "update-call" in _error(denied).message


def test_end_call(coordinator: RunningCoordinator) -> None:
    alice, bob = user_api(coordinator, "Alice"), user_api(coordinator, "Bob")
    _create(alice, "default:over", {"data": {"members": [{"user_id": bob.user_id}]}})
    denied = bob.post("/api/v1/calls/default/over/end")
    assert denied.status_code == 403
    assert "end-call" in _error(denied).message
    ended = alice.post("/api/v1/calls/default/over/end")
    assert ended.status_code == 200
    assert CallStateResponse.model_validate_json(ended.content).call.ended_at is not None
    again = alice.post("/api/v1/calls/default/over/end")
    assert again.status_code == 200


def test_recent_calls_newest_first_and_only_mine(coordinator: RunningCoordinator) -> None:
    alice, bob, carol = (user_api(coordinator, n) for n in ("Alice", "Bob", "Carol"))
    _create(alice, "default:first")
    _create(bob, "default:bobs", {"data": {"members": [{"user_id": alice.user_id}]}})
    _create(carol, "default:carols")
    _create(alice, "default:third")
    answer = alice.get("/api/v1/calls")
    assert answer.status_code == 200
    cids = [CallStateResponse.model_validate(c).call.cid for c in answer.json()]
    assert cids == ["default:third", "default:bobs", "default:first"]


def test_anonymous_calls_access_is_401(coordinator: RunningCoordinator) -> None:
    assert api(coordinator).get("/api/v1/calls").status_code == 401
    assert api(coordinator).post("/api/v1/calls/default/x", json={}).status_code == 401


async def test_concurrent_get_or_create_creates_once(coordinator: RunningCoordinator) -> None:
    tokens = [coordinator.guest(f"U{i}").access_token for i in range(8)]

    async def get_or_create(token: str) -> httpx.Response:
        async with httpx.AsyncClient(
            base_url=coordinator.url, headers={"Authorization": f"Bearer {token}"}, trust_env=False
        ) as client:
            return await client.post("/api/v1/calls/default/race", json={})

    answers = await asyncio.gather(*(get_or_create(token) for token in tokens))
    assert [a.status_code for a in answers] == [200] * len(tokens)
    created = [GetOrCreateCallResponse.model_validate_json(a.content).created for a in answers]
    assert created.count(True) == 1
